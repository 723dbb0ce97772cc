#pragma once
// The host solver's linearize with the law evaluated on 4 points at once (lanes.hpp).
//
// Same objective, gradient and J^T W J as detail::linearize (lm.hpp), summed in a different
// order: each lane keeps its own sums over the points that fall in it (point j of a block in
// lane j mod 4), added across lanes at the end of the pass. With the lane exp/log (within 1 ulp
// of libm's) a fit's result moves in the last bits, and fits that stop short of an optimum, on a
// flat plateau, may stop elsewhere (bench/README.md has the measurement). Host only: the CUDA
// kernels keep DeviceSolve and the scalar pass.
#include <type_traits>

#include "shannonfit/lanes.hpp"
#include "shannonfit/lm.hpp"

namespace shannonfit {

// Law::kPointLanes = true: the law's log_loss takes the same branches for every point (it
// never compares a value that depends on the point, except in helpers with a lane version:
// log_sum_exp, shannon.hpp's log_log1p_exp, law.hpp's branch on x), so it can be evaluated on
// lanes. Laws without it keep the scalar pass.
template <class Law, class = void>
struct PointLanes {
  static constexpr bool value = false;
};
template <class Law>
struct PointLanes<Law, std::void_t<decltype(Law::kPointLanes)>> {
  static constexpr bool value = Law::kPointLanes;
};

namespace detail {

template <class Law, class L, int Block, typename S, int P>
S lane_linearize(const S (&p)[P], const PointsView<S>& d, const S* w, const SolverOptions<S, P>& o,
                 Curvature curvature, S (&g)[P], S (&h)[packed_size<P>()], S* rss,
                 QuadraticZone* zone_out) {
  constexpr int W = L::kWidth;
  static_assert(Block % W == 0, "a block is whole groups of lanes");
  using J = Jet<L, P>;
  constexpr int H = packed_size<P>();
  J pj[P];
  for (int k = 0; k < P; ++k) pj[k] = J::variable(L(p[k]), k);
  L gs[P], hs[H];
  for (int k = 0; k < P; ++k) gs[k] = L(0.0);
  for (int k = 0; k < H; ++k) hs[k] = L(0.0);
  L cost(0.0), sum_sq(0.0);
  const L delta(o.huber_delta);
  QuadraticZone zone{0, 0};
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
    for (int q = 0; q < groups; ++q) {
      const J fv = Law::template log_loss<J>(pj, L::load(ln_n + q * W), L::load(ln_d + q * W),
                                             L::load(x + q * W));
      f[q] = o.space == Space::Log ? fv : exp(fv);
    }
    for (int q = 0; q < groups; ++q) {
      const L wl = L::load(wf + q * W);
      const L r = f[q].a - L::load(yf + q * W);
      L gw = wl * r, wr = wl;
      if (o.loss == LossKind::Huber) {
        const L a = abs(r);
        const auto quadratic = less_equal(a, delta) & less(L(0.0), wl);
        cost += wl * select(quadratic, L(0.5) * r * r, delta * (a - L(0.5) * delta));
        for (int l = 0; l < W; ++l)
          if (lane_set(quadratic, l)) {
            ++zone.points;
            zone.members +=
                (static_cast<unsigned long long>(fi[q * W + l]) + 1) * 0x9E3779B97F4A7C15ull;
          }
        const L irls = select(quadratic, L(1.0), delta / a);
        gw = wl * irls * r;
        if (curvature == Curvature::Irls) wr = wl * irls;
        if (curvature == Curvature::Exact) wr = wl * select(quadratic, L(1.0), L(0.0));
      } else {
        cost += wl * L(0.5) * r * r;
      }
      sum_sq += wl * r * r;
      for (int a = 0; a < P; ++a) {
        gs[a] += gw * f[q].v[a];
        const L wa = wr * f[q].v[a];
        for (int b = a; b < P; ++b) hs[packed_index<P>(a, b)] += wa * f[q].v[b];
      }
    }
  }
  auto total = [](const L& v) {
    S t = v.lane(0);
    for (int l = 1; l < W; ++l) t += v.lane(l);
    return t;
  };
  for (int k = 0; k < P; ++k) g[k] = total(gs[k]);
  for (int k = 0; k < H; ++k) h[k] = total(hs[k]);
  if (rss) *rss = total(sum_sq);
  if (zone_out) *zone_out = zone;
  return total(cost);
}

}  // namespace detail

// HostSolve with the lane pass for the laws that allow it (PointLanes). L is Lanes4 or Lanes4P:
// bit-identical results, the choice is the instruction set's (src/cpu/batch_cpu.hpp).
template <class L>
struct HostLaneSolve : HostSolve {
  using Lane = L;
  template <class Law, typename S, int P>
  static S linearize(const S (&p)[P], const PointsView<S>& d, const S* w,
                     const SolverOptions<S, P>& o, detail::Curvature curvature, S (&g)[P],
                     S (&h)[packed_size<P>()], S* rss, detail::QuadraticZone* zone_out) {
    if constexpr (PointLanes<Law>::value)
      return detail::lane_linearize<Law, L, kLinearizeBlock>(p, d, w, o, curvature, g, h, rss,
                                                             zone_out);
    else
      return detail::linearize<Law, kLinearizeBlock>(p, d, w, o, curvature, g, h, rss, zone_out);
  }
};

}  // namespace shannonfit
