#pragma once
// The per-fit Levenberg–Marquardt solver, written once for host and device.
//
// One fit = one law, one start, one weighting of the shared points. Everything is fixed-size
// (P is a template argument), nothing allocates, nothing throws: the CPU driver runs this in a
// parallel loop and the CUDA kernel runs it one thread per fit.
//
// Robust loss: Huber is minimised by iteratively reweighted LM. The gradient is the exact
// gradient of the Huber objective; only the curvature uses the IRLS weights psi(r)/r, and every
// step is accepted or rejected on the true Huber cost, so the fixed point is the Huber optimum.
// On the host, the curvature switches to Huber's exact Gauss-Newton one where that is safe
// (fit_one says when).
#include <type_traits>

#include "shannonfit/config.hpp"
#include "shannonfit/jet.hpp"
#include "shannonfit/small_linalg.hpp"

namespace shannonfit {

enum class Space : unsigned char { Log, Linear };
enum class LossKind : unsigned char { L2, Huber };

// Why a fit stopped. The first three are convergence; the rest are failures.
enum class FitStatus : unsigned char {
  ConvergedStep,      // relative step below step_tol
  ConvergedCost,      // relative cost decrease below cost_tol
  ConvergedGradient,  // projected gradient below grad_tol, relative (gradient_converged)
  MaxIterations,
  NonFinite,          // objective or gradient NaN/Inf at the start or at an accepted point
  Singular,           // damped normal equations never became positive definite: with finite
                      // J^T W J the Marquardt damping always restores definiteness, so this
                      // means the curvature itself overflowed (Inf/NaN) while the gradient did not
};

SF_HD SF_INLINE bool converged(FitStatus s) {
  return s == FitStatus::ConvergedStep || s == FitStatus::ConvergedCost ||
         s == FitStatus::ConvergedGradient;
}

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

template <typename S, int P>
struct SolverOptions {
  Space space = Space::Log;
  LossKind loss = LossKind::L2;
  S huber_delta = S(1e-3);
  int max_iterations = 500;
  S step_tol = S(1e-10);
  S cost_tol = S(1e-12);
  S grad_tol = S(1e-12);
  S initial_damping = S(1e-3);
  S lo[P];
  S hi[P];
};

template <typename S, int P>
struct FitState {
  S params[P];
  S cost;                       // the minimised objective: sum of w * rho(r)
  S rss;                        // sum of w * r^2 at the optimum
  S normal[packed_size<P>()];   // J^T W J at the optimum (point weights, no IRLS weights)
  int iterations;
  FitStatus status;
};

namespace detail {

// Which J^T W J linearize accumulates. Irls: Huber's IRLS weights psi(r)/r. Exact: Huber's
// Gauss-Newton curvature, weight 1 in the quadratic zone and 0 in the linear one. Plain: the
// point weights alone (the normal matrix a fit reports).
enum class Curvature : unsigned char { Irls, Exact, Plain };

template <typename S>
SF_HD SF_INLINE S point_weight(const S* w, int i) { return w ? w[i] : S(1); }

template <typename S>
SF_HD SF_INLINE S point_x(const PointsView<S>& d, int i) { return d.x ? d.x[i] : S(0); }

template <typename S>
SF_HD SF_INLINE S huber_rho(S r, S delta) {
  const S a = r < S(0) ? -r : r;
  return a <= delta ? S(0.5) * r * r : delta * (a - S(0.5) * delta);
}

template <typename S>
SF_HD SF_INLINE bool finite(S v) { return v - v == S(0); }

// The objective and its gradient are usable: a NaN gradient would otherwise pass the gradient
// stop test (NaN compares false) and be reported as convergence.
template <typename S, int P>
SF_HD SF_INLINE bool finite_linearization(S cost, const S (&g)[P]) {
  bool ok = finite(cost);
  for (int k = 0; k < P; ++k) ok = ok && finite(g[k]);
  return ok;
}

// The model's prediction in the solver's space; works on plain numbers and on Jets.
template <class Law, typename T, typename S>
SF_HD SF_INLINE T predict(const T* p, const PointsView<S>& d, int i, Space space) {
  const T f = Law::template log_loss<T>(p, d.ln_n[i], d.ln_d[i], point_x(d, i));
  return space == Space::Log ? f : exp(f);
}

// Objective only: how a device thread scores a trial step (see DeviceSolve).
template <class Law, typename S, int P>
SF_HD S cost_at(const S (&p)[P], const PointsView<S>& d, const S* w, const SolverOptions<S, P>& o) {
  S cost = S(0);
  for (int i = 0; i < d.n; ++i) {
    const S wi = point_weight(w, i);
    if (wi == S(0)) continue;
    const S r = predict<Law, S, S>(p, d, i, o.space) - d.target[i];
    cost += wi * (o.loss == LossKind::Huber ? huber_rho(r, o.huber_delta) : S(0.5) * r * r);
  }
  return cost;
}

}  // namespace detail

// How a fit trades passes over the points for per-fit state. The two drivers are short of
// different things: a host core holds any state in cache and pays for every pass, a device
// thread holds at most 255 registers (tests/unit_cuda_resources.cpp) and moves whatever does not
// fit to local memory, a round trip on every use. fit_one takes the policy as a template
// argument, so the host can run the device's choices too (tests/unit_lm.cpp compares them).
struct HostSolve {
  // A trial step is linearised at once rather than first scored by a value-only pass: most
  // trials are accepted (83% over the Epoch grid) and a Jet pass costs about two value passes,
  // so this does the least work per iteration (callgrind: -25% instructions). It also compares
  // like with like: the trial's cost comes from the same Jet evaluation as the current cost (a
  // Jet quotient can round differently from a plain one in the last bit).
  static constexpr bool kLinearizeTrial = true;
  // Points per block of linearize. Each point's law evaluation calls libm exp/log, and a call
  // clobbers every vector register: accumulating J^T W J point by point kept the 20 gradient
  // and normal-matrix sums in memory, reloaded and stored around every call. Evaluating a block
  // of points first and then accumulating the block with no call in between keeps the sums in
  // registers; the summation order, and so every result, is unchanged.
  static constexpr int kLinearizeBlock = 16;
  // The damped normal matrix is factored in a copy, so J^T W J survives a refused step and the
  // quadratic model's predicted reduction reads it directly.
  template <int P>
  static constexpr bool factor_in_place() { return false; }
  // Huber fits switch to the exact curvature where it is safe (fit_one).
  static constexpr bool kExactHuberCurvature = true;
};

struct DeviceSolve {
  // A trial is scored by a value pass: its gradient and normal matrix beside the current ones
  // would not fit in registers.
  static constexpr bool kLinearizeTrial = false;
  // No calls to spill around, and no registers to spare for a block.
  static constexpr int kLinearizeBlock = 1;
  // From 8 parameters on, J^T W J and its damped factor never coexist: at P = 9 the two are 90
  // doubles, and a thread has registers for about 120 in all. The factor overwrites J^T W J,
  // the predicted reduction is read from the factor instead (in fit_one), and the iteration
  // after a refused step linearises the same point again, a pass that smaller laws, whose copy
  // fits, do not pay (ptxas -v: tests/unit_cuda_resources.cpp).
  template <int P>
  static constexpr bool factor_in_place() { return P >= 8; }
  // The switch's state, its test and the extra pass after a bound hit pushed shannon-x past its
  // spill budget (unit_cuda_resources: 308 B against 256), so a device thread keeps IRLS.
  static constexpr bool kExactHuberCurvature = false;
};

namespace detail {

// Which points a linearisation found in Huber's quadratic zone (|r| <= delta): how many, and a
// fingerprint of the set (a sum of per-point hashes, so independent of the order of summation;
// a collision could only change which curvature a step uses, never the objective).
struct QuadraticZone {
  int points;
  unsigned long long members;
};
SF_HD SF_INLINE bool same_zone(const QuadraticZone& a, const QuadraticZone& b) {
  return a.points == b.points && a.members == b.members;
}

// One fused pass with Jets: objective, gradient and J^T W J (weighted as `curvature` says),
// never storing J.
// Points are evaluated Block at a time before they are accumulated (HostSolve::kLinearizeBlock).
template <class Law, int Block, typename S, int P>
SF_HD S linearize(const S (&p)[P], const PointsView<S>& d, const S* w,
                  const SolverOptions<S, P>& o, Curvature curvature, S (&g)[P],
                  S (&h)[packed_size<P>()], S* rss, QuadraticZone* zone_out = nullptr) {
  using J = Jet<S, P>;
  constexpr int H = packed_size<P>();
  J pj[P];
  for (int k = 0; k < P; ++k) pj[k] = J::variable(p[k], k);
  // Local sums: g and h could alias the points as far as the compiler knows.
  S gs[P], hs[H];
  for (int k = 0; k < P; ++k) gs[k] = S(0);
  for (int k = 0; k < H; ++k) hs[k] = S(0);
  S cost = S(0), sum_sq = S(0);
  QuadraticZone zone{0, 0};
  J f[Block];
  int fi[Block];
  S wf[Block], yf[Block];
  for (int i = 0; i < d.n;) {
    int m = 0;
    for (; i < d.n && m < Block; ++i) {
      const S wi = point_weight(w, i);
      if (wi == S(0)) continue;
      f[m] = predict<Law, J, S>(pj, d, i, o.space);
      wf[m] = wi;
      yf[m] = d.target[i];
      fi[m] = i;
      ++m;
    }
    for (int j = 0; j < m; ++j) {
      const S wi = wf[j];
      const S r = f[j].a - yf[j];
      S irls = S(1), curv = S(1);
      if (o.loss == LossKind::Huber) {
        const S a = r < S(0) ? -r : r;
        cost += wi * huber_rho(r, o.huber_delta);
        if (a <= o.huber_delta) {
          ++zone.points;
          zone.members += (static_cast<unsigned long long>(fi[j]) + 1) * 0x9E3779B97F4A7C15ull;
        } else {
          irls = o.huber_delta / a;
          curv = curvature == Curvature::Exact ? S(0) : irls;
        }
      } else {
        cost += wi * S(0.5) * r * r;
      }
      sum_sq += wi * r * r;
      const S wr = wi * (curvature == Curvature::Plain ? S(1) : curv);
      const S gw = wi * irls * r;  // exact gradient weight: w * psi(r)
      for (int a = 0; a < P; ++a) {
        gs[a] += gw * f[j].v[a];
        const S wa = wr * f[j].v[a];
        for (int b = a; b < P; ++b) hs[packed_index<P>(a, b)] += wa * f[j].v[b];
      }
    }
  }
  for (int k = 0; k < P; ++k) g[k] = gs[k];
  for (int k = 0; k < H; ++k) h[k] = hs[k];
  if (rss) *rss = sum_sq;
  if (zone_out) *zone_out = zone;
  return cost;
}

template <typename S, int P>
SF_HD S clamp_to(S v, const SolverOptions<S, P>& o, int k) {
  return v < o.lo[k] ? o.lo[k] : (v > o.hi[k] ? o.hi[k] : v);
}

// A parameter on a bound whose descent direction (-g) points out of the box cannot move.
template <typename S, int P>
SF_HD SF_INLINE bool blocked(const S (&p)[P], const S (&g)[P], const SolverOptions<S, P>& o, int k) {
  return (p[k] <= o.lo[k] && g[k] > S(0)) || (p[k] >= o.hi[k] && g[k] < S(0));
}

// The exact curvature sums one rank-one term per point in the quadratic zone: with fewer
// points than parameters it is singular, and the step is set by the damping alone. One point per
// parameter is enough once the zone test in fit_one holds. With a small delta (the default
// 1e-3 against residuals of 0.01-0.1 on real curves) the optimum keeps only about as many points
// in the zone as there are parameters (the least-absolute-deviations limit), so a higher count
// kept such fits on IRLS, which converges linearly there: on Pythia LAMBADA (step > 512), 4 per
// parameter left 2225 of 4500 chinchilla starts, 162 of 243 chinchilla-plain starts (the best
// among them) and 45 of 128 shannon starts at the 500-iteration cap; 1 per parameter leaves 8,
// 17 and 20, with the mean iterations per chinchilla start down from 283 to 97, and changes
// nothing on the Epoch data (bench/README.md, "Exact Huber curvature").
constexpr int kExactZonePointsPerParam = 1;
// The exact curvature also waits for a step whose actual decrease was at least this fraction of
// the predicted one (a trust region's "very successful" step). In a long curved valley
// (shannon on the Epoch data) the quadratic model keeps over-promising, and the exact
// curvature crawled more slowly there than IRLS (64 starts: 389 iterations per fit against
// 383; 376 with this test).
constexpr double kExactMinRho = 0.75;

// Whether the exact Huber curvature may replace the IRLS one at p: every parameter strictly
// inside its bounds and none whose curvature has collapsed (diagonal below 1e-12 of the largest
// seen, as when a term of the law has vanished).
template <typename S, int P>
SF_HD bool exact_curvature_safe(const S (&p)[P], const S (&h)[packed_size<P>()],
                                const S (&scale)[P], const SolverOptions<S, P>& o) {
  bool ok = true;
  for (int k = 0; k < P; ++k)
    ok = ok && p[k] > o.lo[k] && p[k] < o.hi[k] &&
         !(h[packed_index<P>(k, k)] < S(1e-12) * scale[k]);
  return ok;
}

// The gradient test, on a scale-free measure: every component that could still move the fit
// (components pushing a parameter through the bound it sits on do not count) satisfies
// |g_k| <= tol * sqrt(2 cost * scale_k), scale_k the largest curvature diagonal seen.
// For least squares |g_k| / sqrt(2 cost * (J^T W J)_kk) is the cosine between the residuals and
// the Jacobian's column k (MINPACK's gtol), at most 1 by Cauchy-Schwarz; for Huber with the
// IRLS curvature the same bound holds with psi(r) for r. An absolute test stopped a fit whose
// weights were all 1e-12, or whose Huber delta was 1e-300, at its start: its gradient scales
// with the weights and with delta, and so do the cost and the curvature here.
template <typename S, int P>
SF_HD bool gradient_converged(const S (&p)[P], const S (&g)[P], const S (&scale)[P], S cost,
                              const SolverOptions<S, P>& o) {
  // No squares of g, cost or scale: with delta = 1e-300 each is about 1e-300, and their squares
  // or products underflow to zero.
  const S residual_norm = sqrt(S(2) * cost);
  bool small = true;
  for (int k = 0; k < P; ++k) {
    const S a = g[k] < S(0) ? -g[k] : g[k];
    small = small && (blocked(p, g, o, k) || a <= o.grad_tol * residual_norm * sqrt(scale[k]));
  }
  return small;
}

// Where the damped normal matrix is factored: in a copy, or over J^T W J itself.
template <bool InPlace, typename S, int H, int N>
SF_HD SF_INLINE S (&factor_storage(S (&h)[H], S (&copy)[N]))[H] {
  if constexpr (InPlace) return h; else return copy;
}

}  // namespace detail

namespace detail {

// A policy with a Lane type brings its own linearize (HostLaneSolve, lane_linearize.hpp); the
// others run the Jet pass above with their block size.
template <class Policy, class = void>
struct OwnLinearize {
  static constexpr bool value = false;
};
template <class Policy>
struct OwnLinearize<Policy, std::void_t<typename Policy::Lane>> {
  static constexpr bool value = true;
};

template <class Law, class Policy, typename S, int P>
SF_HD SF_INLINE S linearize_with(const S (&p)[P], const PointsView<S>& d, const S* w,
                                 const SolverOptions<S, P>& o, Curvature curvature, S (&g)[P],
                                 S (&h)[packed_size<P>()], S* rss,
                                 QuadraticZone* zone_out = nullptr) {
  if constexpr (OwnLinearize<Policy>::value)
    return Policy::template linearize<Law>(p, d, w, o, curvature, g, h, rss, zone_out);
  else
    return linearize<Law, Policy::kLinearizeBlock>(p, d, w, o, curvature, g, h, rss, zone_out);
}

}  // namespace detail

// Fits one law from one start with per-point weights w (null = all ones).
template <class Law, typename S, class Policy = HostSolve>
SF_HD FitState<S, Law::kParams> fit_one(const PointsView<S>& d, const S* w, const S* start,
                                        const SolverOptions<S, Law::kParams>& o) {
  constexpr int P = Law::kParams;
  constexpr int H = packed_size<P>();
  constexpr bool kInPlace = Policy::template factor_in_place<P>();
  FitState<S, P> st;
  S p[P], g[P], h[H], scale[P];
  for (int k = 0; k < P; ++k) p[k] = detail::clamp_to(start[k], o, k);
  st.iterations = 0;
  st.status = FitStatus::MaxIterations;

  // A start where the objective or its gradient is not finite is returned as it is.
  auto failed_start = [&](S start_cost) {
    for (int k = 0; k < P; ++k) st.params[k] = p[k];
    st.cost = st.rss = start_cost;
    for (int k = 0; k < H; ++k) st.normal[k] = S(0);
    st.iterations = 0;
    st.status = FitStatus::NonFinite;
    return st;
  };
  // Without Policy::kLinearizeTrial, g and h are linearised at the top of an iteration whenever
  // they are not those of p: at the start, after a step, and after h was factored in place for
  // a step that was not taken. One inlined Jet pass serves all three: each inlined copy of a
  // pass is a region where ptxas must fit P(P+3)/2 sums (54 at P = 9) beside the fit's state.
  bool stale = !Policy::kLinearizeTrial;
  // Policy::kExactHuberCurvature: IRLS converges linearly near a Huber optimum where most
  // residuals stay in the linear zone (rate 0.86 at the Epoch optimum, against 0.07 for the
  // exact curvature). IRLS is the right model while residuals are still on their way into the
  // quadratic zone (its weight delta/|r| aims each one at zero), the exact one once they have
  // settled: it is then the Newton model of the piecewise quadratic objective. So a step uses
  // the exact curvature only after an accepted step left the set of points in the quadratic zone
  // unchanged, with enough points in it (kExactZonePointsPerParam), decreased the cost about as
  // predicted (kExactMinRho), and left every parameter interior with live curvature; and IRLS
  // again, from the same point, when a step would reach a bound: on a plateau where a law term
  // has vanished at a bound, the exact curvature settles in a few steps and stops, while IRLS
  // keeps moving until the damping lets a step leave it.
  // Without the zone tests, on noiseless data (residuals all heading to zero) shannon took up to
  // 2.3 times the iterations and some fits ran out of them (tests/unit_recovery.cpp).
  detail::Curvature curvature = detail::Curvature::Irls;
  detail::QuadraticZone zone{-1, 0};
  S cost = S(0);
  if constexpr (Policy::kLinearizeTrial) {
    cost = detail::linearize_with<Law, Policy>(p, d, w, o, curvature, g, h,
                                               static_cast<S*>(nullptr), &zone);
    if (!detail::finite_linearization(cost, g)) return failed_start(cost);
  }
  // Marquardt scaling by the largest diagonal seen so far (MINPACK's choice): the damping
  // stays proportional to each parameter's own curvature and never shrinks back to zero.
  for (int k = 0; k < P; ++k) scale[k] = S(0);
  S lambda = o.initial_damping, nu = S(2);
  const S lambda_max = S(1e32);

  // A step was taken whose relative decrease met cost_tol; without Policy::kLinearizeTrial the
  // fit stops on it once the new point's gradient has been checked, as HostSolve does.
  bool small_decrease = false;

  for (int it = 1;; ++it) {
    if constexpr (!Policy::kLinearizeTrial) {
      if (stale) {
        cost = detail::linearize_with<Law, Policy>(p, d, w, o, curvature, g, h,
                                                   static_cast<S*>(nullptr));
        stale = false;
        if (!detail::finite_linearization(cost, g)) {
          if (it == 1) return failed_start(cost);
          // As below: finite objective, derivatives not.
          st.status = FitStatus::NonFinite;
          break;
        }
        if (small_decrease) {
          st.status = FitStatus::ConvergedCost;
          break;
        }
      }
    }
    if (it > o.max_iterations) break;
    st.iterations = it;
    SF_UNROLL
    for (int i = 0; i < P; ++i) {
      const S hii = h[packed_index<P>(i, i)];
      if (hii > scale[i]) scale[i] = hii;
    }
    if (detail::gradient_converged(p, g, scale, cost, o)) {
      st.status = FitStatus::ConvergedGradient;
      break;
    }
    // Blocked parameters are held fixed and the step solves for the others only. Merely
    // clipping the full step would give the free parameters a step computed as if the blocked
    // one moved: on an active bound that step is poor, and LM crawls along the bound.
    bool held[P];
    SF_UNROLL
    for (int i = 0; i < P; ++i) held[i] = detail::blocked(p, g, o, i);
    // The damped normal matrix, then its factor (packed); step holds the right-hand side, then
    // the solution.
    S a_copy[kInPlace ? 1 : H], step[P], trial[P];
    S (&a)[H] = detail::factor_storage<kInPlace>(h, a_copy);
    SF_UNROLL
    for (int i = 0; i < P; ++i) {
      SF_UNROLL
      for (int j = i; j < P; ++j)
        a[packed_index<P>(i, j)] = held[i] || held[j] ? S(0) : h[packed_index<P>(i, j)];
      a[packed_index<P>(i, i)] += held[i] ? S(1) : lambda * (scale[i] > S(0) ? scale[i] : S(1e-30));
      step[i] = held[i] ? S(0) : -g[i];
    }
    stale = kInPlace;
    if (!cholesky_packed<S, P>(a)) {
      lambda *= nu;
      nu *= S(2);
      if (lambda > lambda_max) {
        st.status = FitStatus::Singular;
        break;
      }
      continue;
    }
    cholesky_solve_packed<S, P>(a, step);
    S step_norm = S(0), p_norm = S(0);
    SF_UNROLL
    for (int k = 0; k < P; ++k) {
      trial[k] = detail::clamp_to(p[k] + step[k], o, k);
      step[k] = trial[k] - p[k];
      step_norm += step[k] * step[k];
      p_norm += p[k] * p[k];
    }
    step_norm = sqrt(step_norm);
    if constexpr (Policy::kExactHuberCurvature) {
      bool on_bound = false;
      for (int k = 0; k < P; ++k)
        on_bound = on_bound || trial[k] <= o.lo[k] || trial[k] >= o.hi[k];
      if (curvature == detail::Curvature::Exact && on_bound) {
        curvature = detail::Curvature::Irls;
        cost = detail::linearize_with<Law, Policy>(p, d, w, o, curvature, g, h,
                                                   static_cast<S*>(nullptr));
        continue;
      }
    }
    if (step_norm <= o.step_tol * (sqrt(p_norm) + o.step_tol)) {
      st.status = FitStatus::ConvergedStep;
      break;
    }
    // Reduction the local quadratic model promises for the (projected) step:
    // -step . (g + H step / 2).
    S predicted = S(0);
    if constexpr (kInPlace) {
      // H = L L^T - D on the free parameters, D the damping just added: step^T H step is
      // |L^T step|^2 - step^T D step (a held parameter's step is zero). Both terms are
      // positive and at most about -step . g, so their difference costs no more digits than
      // the sum it enters.
      S quadratic = S(0);
      SF_UNROLL
      for (int i = 0; i < P; ++i) {
        S lts = S(0);
        SF_UNROLL
        for (int k = i; k < P; ++k) lts += a[packed_index<P>(i, k)] * step[k];
        const S damping = held[i] ? S(1) : lambda * (scale[i] > S(0) ? scale[i] : S(1e-30));
        quadratic += lts * lts - damping * step[i] * step[i];
        predicted -= step[i] * g[i];
      }
      predicted -= S(0.5) * quadratic;
    } else {
      for (int i = 0; i < P; ++i) {
        S hs = S(0);
        for (int j = 0; j < P; ++j) hs += h[packed_index<P>(i, j)] * step[j];
        predicted -= step[i] * (g[i] + S(0.5) * hs);
      }
    }
    S trial_g[Policy::kLinearizeTrial ? P : 1], trial_h[Policy::kLinearizeTrial ? H : 1];
    S trial_cost;
    detail::QuadraticZone trial_zone{0, 0};
    if constexpr (Policy::kLinearizeTrial)
      trial_cost = detail::linearize_with<Law, Policy>(trial, d, w, o, curvature, trial_g,
                                                       trial_h, static_cast<S*>(nullptr),
                                                       &trial_zone);
    else
      trial_cost = detail::cost_at<Law>(trial, d, w, o);
    if (detail::finite(trial_cost) && trial_cost < cost) {
      const S rho = predicted > S(0) ? (cost - trial_cost) / predicted : S(0);
      const S relative_decrease = (cost - trial_cost) / (cost > S(0) ? cost : S(1));
      for (int k = 0; k < P; ++k) p[k] = trial[k];
      cost = trial_cost;
      if constexpr (Policy::kLinearizeTrial) {
        for (int k = 0; k < P; ++k) g[k] = trial_g[k];
        for (int k = 0; k < H; ++k) h[k] = trial_h[k];
        if (!detail::finite_linearization(cost, g)) {
          // The objective is finite here but its derivatives are not (e.g. a power law at a
          // bound of zero): no further step can be computed.
          st.status = FitStatus::NonFinite;
          break;
        }
        if (Policy::kExactHuberCurvature && o.loss == LossKind::Huber) {
          const bool exact = trial_zone.points >= detail::kExactZonePointsPerParam * P &&
                             detail::same_zone(trial_zone, zone) &&
                             rho >= S(detail::kExactMinRho) &&
                             detail::exact_curvature_safe(p, h, scale, o);
          curvature = exact ? detail::Curvature::Exact : detail::Curvature::Irls;
          zone = trial_zone;
        }
      } else {
        stale = true;
      }
      const S t = S(2) * rho - S(1);
      const S shrink = S(1) - t * t * t;
      lambda *= shrink > S(1) / S(3) ? shrink : S(1) / S(3);
      nu = S(2);
      small_decrease = relative_decrease <= o.cost_tol;
      if (Policy::kLinearizeTrial && small_decrease) {
        st.status = FitStatus::ConvergedCost;
        break;
      }
    } else {
      lambda *= nu;
      nu *= S(2);
      if (lambda > lambda_max) {
        // No step of any length lowers the cost: this is a minimum to working precision.
        st.status = FitStatus::ConvergedStep;
        break;
      }
    }
  }
  for (int k = 0; k < P; ++k) st.params[k] = p[k];
  S final_g[P];
  st.cost = detail::linearize_with<Law, Policy>(p, d, w, o, detail::Curvature::Plain, final_g,
                                                st.normal, &st.rss);
  // A finite cost can hide an infinite RSS (Huber grows linearly, squares overflow first).
  if (!detail::finite(st.cost) || !detail::finite(st.rss)) st.status = FitStatus::NonFinite;
  return st;
}

}  // namespace shannonfit
