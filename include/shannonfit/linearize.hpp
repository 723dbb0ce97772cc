#pragma once
// One pass over the points: the objective, its gradient and J^T W J at a parameter vector, from
// the law evaluated on Jets (exact Jacobian rows), never storing J. The per-point body
// (accumulate) is shared with the host's lane pass (lane_linearize.hpp), and the losses with
// the device's value-only pass (cost_at), so all three minimise one objective.
#include <type_traits>

#include "shannonfit/config.hpp"
#include "shannonfit/jet.hpp"
#include "shannonfit/loss.hpp"
#include "shannonfit/small_linalg.hpp"

namespace shannonfit {

enum class Space : unsigned char { Log, Linear };

// The shared data of a batch, already in the solver's space: ln N, ln D, perturbation x, and
// the target (ln L for Space::Log, L for Space::Linear). x may be null when no law uses it.
template <typename S>
struct PointsView {
  const S* ln_n;
  const S* ln_d;
  const S* x;
  const S* target;
  int n;
};

// What a pass evaluates: residuals in `space`, summed through `loss`.
template <typename S>
struct Objective {
  Space space = Space::Log;
  LossKind loss = LossKind::L2;
  S huber_delta = S(1e-3);
};

namespace detail {

template <typename S>
SF_HD SF_INLINE S point_weight(const S* w, int i) { return w ? w[i] : S(1); }

template <typename S>
SF_HD SF_INLINE S point_x(const PointsView<S>& d, int i) { return d.x ? d.x[i] : S(0); }

template <typename S>
SF_HD SF_INLINE bool finite(S v) { return v - v == S(0); }

// The model's prediction in the solver's space; works on plain numbers, Jets and lanes.
template <class T>
SF_HD SF_INLINE T in_space(const T& log_prediction, Space space) {
  return space == Space::Log ? log_prediction : exp(log_prediction);
}
template <class Law, typename T, typename S>
SF_HD SF_INLINE T predict(const Law& law, const T* p, const PointsView<S>& d, int i, Space space) {
  return in_space(law.template log_loss<T>(p, d.ln_n[i], d.ln_d[i], point_x(d, i)), space);
}

// Objective only: how a device thread scores a trial step (DeviceSolve, lm.hpp).
template <class Law, typename S, int P>
SF_HD S cost_at(const Law& law, const S (&p)[P], const PointsView<S>& d, const S* w,
                const Objective<S>& o) {
  S cost = S(0);
  for (int i = 0; i < d.n; ++i) {
    const S wi = point_weight(w, i);
    if (wi == S(0)) continue;
    const S r = predict<Law, S, S>(law, p, d, i, o.space) - d.target[i];
    cost += o.loss == LossKind::Huber ? HuberLoss::cost(wi, r, o.huber_delta)
                                      : L2Loss::cost(wi, r, o.huber_delta);
  }
  return cost;
}

// Which points a linearisation found in Huber's quadratic zone (|r| <= delta): how many, and a
// fingerprint of the set (a sum of per-point hashes, so independent of the order of summation;
// a collision could only change which curvature a step uses, never the objective).
struct QuadraticZone {
  int points;
  unsigned long long members;
  SF_HD SF_INLINE void add(int point) {
    ++points;
    members += (static_cast<unsigned long long>(point) + 1) * 0x9E3779B97F4A7C15ull;
  }
  // The points in the zone (`in`) that carry weight (`live`: not a lane that pads a group);
  // point[l] is lane l's point.
  template <class Mask>
  SF_HD SF_INLINE void add(const Mask& in, const Mask& live, const int* point, int lanes) {
    if constexpr (std::is_same<Mask, bool>::value) {
      if (in && live) add(point[0]);
    } else {
      const Mask both = in & live;
      for (int l = 0; l < lanes; ++l)
        if (LaneMask<Mask>::set(both, l)) add(point[l]);
    }
  }
};
SF_HD SF_INLINE bool same_zone(const QuadraticZone& a, const QuadraticZone& b) {
  return a.points == b.points && a.members == b.members;
}

// The running sums of one pass, in the number type it sums in (one set per lane on lanes).
template <class T, int P>
struct PassSums {
  T g[P];
  T h[packed_size<P>()];
  T cost, sum_sq;
  QuadraticZone zone;

  SF_HD SF_INLINE PassSums() : cost(0.0), sum_sq(0.0), zone{0, 0} {
    for (int k = 0; k < P; ++k) g[k] = T(0.0);
    for (int k = 0; k < packed_size<P>(); ++k) h[k] = T(0.0);
  }

  // One prediction f (a Jet of P derivatives) against its target y with weight w; point[l] is
  // the index of lane l's point, for the quadratic zone's fingerprint. Lanes of weight zero pad
  // a group: they add nothing, to the sums (w = 0) or to the zone.
  template <typename S>
  SF_HD SF_INLINE void accumulate(const Jet<T, P>& f, const T& y, const T& w,
                                  const Objective<S>& o, Curvature curvature, const int* point,
                                  int lanes) {
    const T r = f.a - y;
    if (o.loss == LossKind::Huber) {
      const auto t = HuberLoss::term(w, r, T(o.huber_delta), curvature);
      zone.add(t.quadratic, positive(w), point, lanes);
      add(f, r, w, t);
    } else {
      add(f, r, w, L2Loss::term(w, r, T(o.huber_delta), curvature));
    }
  }

 private:
  template <class Term>
  SF_HD SF_INLINE void add(const Jet<T, P>& f, const T& r, const T& w, const Term& t) {
    cost += t.cost;
    sum_sq += w * r * r;
    for (int a = 0; a < P; ++a) {
      g[a] += t.gradient * f.v[a];
      const T wa = t.curvature * f.v[a];
      for (int b = a; b < P; ++b) h[packed_index<P>(a, b)] += wa * f.v[b];
    }
  }
};

// The pass on one point at a time, Block points evaluated before they are accumulated
// (HostSolve::kLinearizeBlock says why). Returns the objective; g and h get the gradient and
// J^T W J as `curvature` weights it, rss (when not null) the weighted sum of squared residuals,
// zone_out (when not null) the quadratic zone.
template <class Law, int Block, typename S, int P>
SF_HD S linearize(const Law& law, const S (&p)[P], const PointsView<S>& d, const S* w,
                  const Objective<S>& o, Curvature curvature, S (&g)[P],
                  S (&h)[packed_size<P>()], S* rss, QuadraticZone* zone_out = nullptr) {
  using J = Jet<S, P>;
  J pj[P];
  for (int k = 0; k < P; ++k) pj[k] = J::variable(p[k], k);
  // Local sums: g and h could alias the points as far as the compiler knows.
  PassSums<S, P> sums;
  J f[Block];
  int fi[Block];
  S wf[Block], yf[Block];
  for (int i = 0; i < d.n;) {
    int m = 0;
    for (; i < d.n && m < Block; ++i) {
      const S wi = point_weight(w, i);
      if (wi == S(0)) continue;
      f[m] = predict<Law, J, S>(law, pj, d, i, o.space);
      wf[m] = wi;
      yf[m] = d.target[i];
      fi[m] = i;
      ++m;
    }
    for (int j = 0; j < m; ++j) sums.accumulate(f[j], yf[j], wf[j], o, curvature, fi + j, 1);
  }
  for (int k = 0; k < P; ++k) g[k] = sums.g[k];
  for (int k = 0; k < packed_size<P>(); ++k) h[k] = sums.h[k];
  if (rss) *rss = sums.sum_sq;
  if (zone_out) *zone_out = sums.zone;
  return sums.cost;
}

}  // namespace detail
}  // namespace shannonfit
