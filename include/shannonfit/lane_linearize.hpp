#pragma once
// The host solver's linearize with the law evaluated on 4 points at once (lanes.hpp).
//
// Same objective, gradient and J^T W J as detail::linearize (linearize.hpp), summed in a different
// order: each lane keeps its own sums over the points that fall in it (point j of a block in
// lane j mod 4), added across lanes at the end of the pass. With the lane exp/log (within 1 ulp
// of libm's) a fit's result moves in the last bits, and fits that stop short of an optimum, on a
// flat plateau, may stop elsewhere (bench/README.md has the measurement). Host only: the CUDA
// kernels keep DeviceSolve and the scalar pass.
#include <type_traits>

#include "shannonfit/lanes.hpp"
#include "shannonfit/lm.hpp"

namespace shannonfit {

// Whether a law may be evaluated on lanes: yes unless it declares kPointLanes = false (law.hpp).
// A law qualifies when its log_loss never compares a value that depends on the point except in
// the helpers that have a lane version (math.hpp's log_sum_exp and branch, shannon.hpp's
// log_log1p_exp).
template <class Law, class = void>
struct PointLanes {
  static constexpr bool value = true;
};
template <class Law>
struct PointLanes<Law, std::void_t<decltype(Law::kPointLanes)>> {
  static constexpr bool value = Law::kPointLanes;
};

// Whether a law evaluates a block of lane groups in one call,
//   template <int M, class T, class S>
//   void log_loss_block(const T* p, const S* ln_n, const S* ln_d, const S* x, int m, T* out) const;
// as a formula law does (formula/evaluate.hpp): its tape's steps are then dispatched once per
// block instead of once per group.
template <class Law, class = void>
struct BlockLogLoss {
  static constexpr bool value = false;
};
template <class Law>
struct BlockLogLoss<Law, std::void_t<decltype(Law::kBlockLogLoss)>> {
  static constexpr bool value = Law::kBlockLogLoss;
};

namespace detail {

// linearize (linearize.hpp) with the points of a block gathered W to a lane group and each
// group's prediction accumulated by the same PassSums body, in lane-wide sums.
template <class Law, class L, int Block, typename S, int P>
S lane_linearize(const Law& law, const S (&p)[P], const PointsView<S>& d, const S* w,
                 const Objective<S>& o, Curvature curvature, S (&g)[P],
                 S (&h)[packed_size<P>()], S* rss, QuadraticZone* zone_out) {
  constexpr int W = L::kWidth;
  static_assert(Block % W == 0, "a block is whole groups of lanes");
  using J = Jet<L, P>;
  J pj[P];
  for (int k = 0; k < P; ++k) pj[k] = J::variable(L(p[k]), k);
  PassSums<L, P> sums;
  J f[Block / W];
  int fi[Block];
  alignas(32) S wf[Block], yf[Block], ln_n[Block], ln_d[Block], x[Block];
  for (int i = 0; i < d.n;) {
    int m = 0;
    for (; i < d.n && m < Block; ++i) {
      const S wi = point_weight(w, i);
      if (wi == S(0)) continue;
      wf[m] = wi;
      yf[m] = d.target[i];
      fi[m] = i;
      ln_n[m] = d.ln_n[i];
      ln_d[m] = d.ln_d[i];
      x[m] = point_x(d, i);
      ++m;
    }
    if (m == 0) break;
    // The last group's spare lanes repeat the block's first point with weight zero.
    const int groups = (m + W - 1) / W;
    for (int j = m; j < groups * W; ++j) {
      wf[j] = S(0);
      yf[j] = yf[0];
      ln_n[j] = ln_n[0];
      ln_d[j] = ln_d[0];
      x[j] = x[0];
    }
    if constexpr (BlockLogLoss<Law>::value) {
      L ln_n_lanes[Block / W], ln_d_lanes[Block / W], x_lanes[Block / W];
      for (int q = 0; q < groups; ++q) {
        ln_n_lanes[q] = L::load(ln_n + q * W);
        ln_d_lanes[q] = L::load(ln_d + q * W);
        x_lanes[q] = L::load(x + q * W);
      }
      law.template log_loss_block<Block / W>(pj, ln_n_lanes, ln_d_lanes, x_lanes, groups, f);
      for (int q = 0; q < groups; ++q) f[q] = in_space(f[q], o.space);
    } else {
      for (int q = 0; q < groups; ++q)
        f[q] = in_space(law.template log_loss<J>(pj, L::load(ln_n + q * W),
                                                 L::load(ln_d + q * W), L::load(x + q * W)),
                        o.space);
    }
    for (int q = 0; q < groups; ++q)
      sums.accumulate(f[q], L::load(yf + q * W), L::load(wf + q * W), o, curvature, fi + q * W, W);
  }
  auto total = [](const L& v) {
    S t = v.lane(0);
    for (int l = 1; l < W; ++l) t += v.lane(l);
    return t;
  };
  for (int k = 0; k < P; ++k) g[k] = total(sums.g[k]);
  for (int k = 0; k < packed_size<P>(); ++k) h[k] = total(sums.h[k]);
  if (rss) *rss = total(sums.sum_sq);
  if (zone_out) *zone_out = sums.zone;
  return total(sums.cost);
}

}  // namespace detail

// HostSolve with the lane pass for the laws that allow it (PointLanes). L is Lanes4 or Lanes4P:
// bit-identical results, the choice is the instruction set's (src/cpu/batch_cpu.hpp).
template <class L>
struct HostLaneSolve : HostSolve {
  using Lane = L;
  template <class Law, typename S, int P>
  static S linearize(const Law& law, const S (&p)[P], const PointsView<S>& d, const S* w,
                     const Objective<S>& o, detail::Curvature curvature, S (&g)[P],
                     S (&h)[packed_size<P>()], S* rss, detail::QuadraticZone* zone_out) {
    if constexpr (PointLanes<Law>::value)
      return detail::lane_linearize<Law, L, kLinearizeBlock>(law, p, d, w, o, curvature, g, h,
                                                             rss, zone_out);
    else
      return detail::linearize<Law, kLinearizeBlock>(law, p, d, w, o, curvature, g, h, rss,
                                                     zone_out);
  }
};

}  // namespace shannonfit
