#pragma once
// The per-fit Levenberg–Marquardt solver, written once for host and device.
//
// One fit = one law, one start, one weighting of the shared points. Everything is fixed-size
// (P is a template argument), nothing allocates, nothing throws: the CPU driver runs this in a
// parallel loop and the CUDA kernel runs it one thread per fit. The pass over the points is
// linearize.hpp's, the losses are loss.hpp's; this file holds the options, the loop and the
// policies that fit the loop to each driver.
#include <type_traits>

#include "shannonfit/config.hpp"
#include "shannonfit/jet.hpp"
#include "shannonfit/linearize.hpp"
#include "shannonfit/small_linalg.hpp"

namespace shannonfit {

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

// The objective (space, loss, delta) and how the loop runs and stops, with the box of bounds.
template <typename S, int P>
struct SolverOptions : Objective<S> {
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

// How a fit trades passes over the points for per-fit state. The two drivers are short of
// different things: a host core holds any state in cache and pays for every pass, a device
// thread holds at most 255 registers (tests/unit_cuda_resources.cpp) and moves whatever does not
// fit to local memory, a round trip on every use. fit_one takes the policy as a template
// argument, so the host can run the device's choices too (tests/unit_lm.cpp compares them).
struct HostSolve {
  // A trial step is linearised at once rather than first scored by a value-only pass: most
  // trials are accepted and a Jet pass costs about two value passes, so this does the least
  // work per iteration (bench/README.md). It also compares like with like: the trial's cost
  // comes from the same Jet evaluation as the current cost (a Jet quotient can round
  // differently from a plain one in the last bit).
  static constexpr bool kLinearizeTrial = true;
  // Points per block of linearize. Each point's law evaluation calls libm exp/log, and a call
  // clobbers every vector register: accumulating J^T W J point by point would keep the gradient
  // and normal-matrix sums in memory, reloaded and stored around every call. Evaluating a block
  // of points first and then accumulating the block with no call in between keeps the sums in
  // registers; the summation order, and so every result, is that of one point at a time.
  static constexpr int kLinearizeBlock = 16;
  // The damped normal matrix is factored in a copy, so J^T W J survives a refused step and the
  // quadratic model's predicted reduction reads it directly.
  template <int P>
  static constexpr bool factor_in_place() { return false; }
  // Huber fits switch to the exact curvature where it is safe (Lm::use_exact_curvature).
  static constexpr bool kExactHuberCurvature = true;
};

struct DeviceSolve {
  // A trial is scored by a value pass: its gradient and normal matrix beside the current ones
  // would not fit in registers.
  static constexpr bool kLinearizeTrial = false;
  // No calls to spill around, and no registers to spare for a block.
  static constexpr int kLinearizeBlock = 1;
  // From 8 parameters on, J^T W J and its damped factor never coexist: at P = 9 the two are 90
  // doubles, about as many as a thread's registers hold. The factor overwrites J^T W J, the
  // predicted reduction is read from the factor instead, and the iteration after a refused step
  // linearises the same point again, a pass that smaller laws, whose copy fits, do not pay
  // (ptxas -v: tests/unit_cuda_resources.cpp).
  template <int P>
  static constexpr bool factor_in_place() { return P >= 8; }
  // The switch's state, its test and the extra pass after a bound hit push shannon-x past its
  // spill budget (bench/README.md), so a device thread keeps IRLS.
  static constexpr bool kExactHuberCurvature = false;
};

namespace detail {

// A policy with a Lane type brings its own linearize (HostLaneSolve, lane_linearize.hpp); the
// others run linearize.hpp's pass with their block size.
template <class Policy, class = void>
struct OwnLinearize {
  static constexpr bool value = false;
};
template <class Policy>
struct OwnLinearize<Policy, std::void_t<typename Policy::Lane>> {
  static constexpr bool value = true;
};

template <class Law, class Policy, typename S, int P>
SF_HD SF_INLINE S linearize_with(const Law& law, const S (&p)[P], const PointsView<S>& d,
                                 const S* w, const Objective<S>& o, Curvature curvature,
                                 S (&g)[P], S (&h)[packed_size<P>()], S* rss,
                                 QuadraticZone* zone_out = nullptr) {
  if constexpr (OwnLinearize<Policy>::value)
    return Policy::template linearize<Law>(law, p, d, w, o, curvature, g, h, rss, zone_out);
  else
    return linearize<Law, Policy::kLinearizeBlock>(law, p, d, w, o, curvature, g, h, rss,
                                                   zone_out);
}

// The exact curvature sums one rank-one term per point in the quadratic zone: with fewer points
// than parameters it is singular, and the step is set by the damping alone. One point per
// parameter is enough: with a small delta the optimum keeps only about as many points in the
// zone as there are parameters (the least-absolute-deviations limit), and a higher count kept
// such fits on IRLS, which converges linearly there (bench/README.md, "Exact Huber curvature").
constexpr int kExactZonePointsPerParam = 1;
// The exact curvature also waits for a step whose actual decrease was at least this fraction of
// the predicted one (a trust region's "very successful" step): in a long curved valley the
// quadratic model keeps over-promising, and the exact curvature crawls there more slowly than
// IRLS.
constexpr double kExactMinRho = 0.75;

// One damped step: the free parameters' solution of the damped normal equations, clipped to the
// box. held: parameters on a bound that the gradient pushes outwards, fixed at zero step.
template <typename S, int P>
struct Step {
  S delta[P];
  S trial[P];
  bool held[P];
  S norm, p_norm;
};

// The state of one fit and the steps of its loop; fit_one below reads as the algorithm.
template <class Law, typename S, class Policy>
class Lm {
 public:
  static constexpr int P = Law::kParams;
  static constexpr int H = packed_size<P>();

  SF_HD SF_INLINE Lm(const Law& law, const PointsView<S>& d, const S* w, const S* start,
                     const SolverOptions<S, P>& o)
      : law_(law), d_(d), w_(w), o_(o) {
    for (int k = 0; k < P; ++k) p_[k] = clamp(start[k], k);
    // Marquardt scaling by the largest diagonal seen so far (MINPACK's choice): the damping
    // stays proportional to each parameter's own curvature and never shrinks back to zero.
    for (int k = 0; k < P; ++k) scale_[k] = S(0);
    st_.iterations = 0;
    st_.status = FitStatus::MaxIterations;
    if constexpr (Policy::kLinearizeTrial) {
      cost_ = linearize_with<Law, Policy>(law_, p_, d_, w_, o_, curvature_, g_, h_,
                                          static_cast<S*>(nullptr), &zone_);
      failed_start_ = !finite_linearization();
    }
  }

  // Brings g and h up to date with p where they are not (Policy::kLinearizeTrial off: at the
  // start, after a step, and after h was factored in place for a step that was not taken); one
  // inlined pass serves all three, as each inlined copy is a region where ptxas must fit
  // P(P+3)/2 sums beside the fit's state. False when the fit stops here.
  SF_HD SF_INLINE bool linearized(int iteration) {
    if (failed_start_) return false;
    if (!stale_) return true;
    cost_ = linearize_with<Law, Policy>(law_, p_, d_, w_, o_, curvature_, g_, h_,
                                        static_cast<S*>(nullptr));
    stale_ = false;
    if (!finite_linearization()) {
      if (iteration == 1) failed_start_ = true;
      else stop(FitStatus::NonFinite);  // finite objective, derivatives not (see accept)
      return false;
    }
    if (small_decrease_) {
      stop(FitStatus::ConvergedCost);
      return false;
    }
    return true;
  }

  SF_HD SF_INLINE void begin_iteration(int iteration) {
    st_.iterations = iteration;
    SF_UNROLL
    for (int i = 0; i < P; ++i) {
      const S hii = h_[packed_index<P>(i, i)];
      if (hii > scale_[i]) scale_[i] = hii;
    }
  }

  // The gradient test, on a scale-free measure: every component that could still move the fit
  // (components pushing a parameter through the bound it sits on do not count) satisfies
  // |g_k| <= tol * sqrt(2 cost * scale_k), scale_k the largest curvature diagonal seen.
  // For least squares |g_k| / sqrt(2 cost * (J^T W J)_kk) is the cosine between the residuals
  // and the Jacobian's column k (MINPACK's gtol), at most 1 by Cauchy-Schwarz; for Huber with
  // the IRLS curvature the same bound holds with psi(r) for r. An absolute test would stop a
  // fit whose weights were all 1e-12, or whose Huber delta was 1e-300, at its start: its
  // gradient scales with the weights and with delta, and so do the cost and the curvature here.
  SF_HD SF_INLINE bool gradient_converged() const {
    // No squares of g, cost or scale: with delta = 1e-300 each is about 1e-300, and their
    // squares or products underflow to zero.
    const S residual_norm = sqrt(S(2) * cost_);
    bool small = true;
    for (int k = 0; k < P; ++k) {
      const S a = g_[k] < S(0) ? -g_[k] : g_[k];
      small = small && (blocked(k) || a <= o_.grad_tol * residual_norm * sqrt(scale_[k]));
    }
    return small;
  }

  // Solves the damped normal equations for a step. Blocked parameters are held fixed and the
  // step solves for the others only: merely clipping the full step would give the free
  // parameters a step computed as if the blocked one moved, and LM would crawl along the bound.
  // False when the damped matrix is not positive definite.
  SF_HD SF_INLINE bool solve(Step<S, P>& s) {
    S copy[kInPlace ? 1 : H];
    S (&a)[H] = factor_storage<kInPlace>(h_, copy);
    SF_UNROLL
    for (int i = 0; i < P; ++i) {
      s.held[i] = blocked(i);
      SF_UNROLL
      for (int j = i; j < P; ++j)
        a[packed_index<P>(i, j)] =
            s.held[i] || blocked(j) ? S(0) : h_[packed_index<P>(i, j)];
      a[packed_index<P>(i, i)] += damping(s.held[i], i);
      s.delta[i] = s.held[i] ? S(0) : -g_[i];
    }
    stale_ = kInPlace;
    if (!cholesky_packed<S, P>(a)) return false;
    cholesky_solve_packed<S, P>(a, s.delta);
    s.norm = S(0);
    s.p_norm = S(0);
    SF_UNROLL
    for (int k = 0; k < P; ++k) {
      s.trial[k] = clamp(p_[k] + s.delta[k], k);
      s.delta[k] = s.trial[k] - p_[k];
      s.norm += s.delta[k] * s.delta[k];
      s.p_norm += p_[k] * p_[k];
    }
    s.norm = sqrt(s.norm);
    return true;
  }

  // The exact curvature gives way to IRLS, from the same point, when a step would reach a
  // bound: on a plateau where a law term has vanished at a bound, the exact curvature settles in
  // a few steps and stops, while IRLS keeps moving until the damping lets a step leave it.
  // True when it did (the step is then not taken).
  SF_HD SF_INLINE bool leave_exact_curvature(const Step<S, P>& s) {
    if constexpr (Policy::kExactHuberCurvature) {
      if (curvature_ != Curvature::Exact) return false;
      bool on_bound = false;
      for (int k = 0; k < P; ++k)
        on_bound = on_bound || s.trial[k] <= o_.lo[k] || s.trial[k] >= o_.hi[k];
      if (!on_bound) return false;
      curvature_ = Curvature::Irls;
      cost_ = linearize_with<Law, Policy>(law_, p_, d_, w_, o_, curvature_, g_, h_,
                                          static_cast<S*>(nullptr));
      return true;
    } else {
      return false;
    }
  }

  SF_HD SF_INLINE bool negligible(const Step<S, P>& s) const {
    return s.norm <= o_.step_tol * (sqrt(s.p_norm) + o_.step_tol);
  }

  // Scores the trial point and takes the step if it lowers the cost. False when it did not.
  SF_HD SF_INLINE bool try_step(const Step<S, P>& s) {
    const S predicted = predicted_reduction(s);
    S trial_g[Policy::kLinearizeTrial ? P : 1], trial_h[Policy::kLinearizeTrial ? H : 1];
    QuadraticZone trial_zone{0, 0};
    S trial_cost;
    if constexpr (Policy::kLinearizeTrial)
      trial_cost = linearize_with<Law, Policy>(law_, s.trial, d_, w_, o_, curvature_, trial_g, trial_h,
                                               static_cast<S*>(nullptr), &trial_zone);
    else
      trial_cost = cost_at<Law>(law_, s.trial, d_, w_, o_);
    if (!(finite(trial_cost) && trial_cost < cost_)) return false;
    const S rho = predicted > S(0) ? (cost_ - trial_cost) / predicted : S(0);
    const S relative_decrease = (cost_ - trial_cost) / (cost_ > S(0) ? cost_ : S(1));
    for (int k = 0; k < P; ++k) p_[k] = s.trial[k];
    cost_ = trial_cost;
    if constexpr (Policy::kLinearizeTrial) {
      for (int k = 0; k < P; ++k) g_[k] = trial_g[k];
      for (int k = 0; k < H; ++k) h_[k] = trial_h[k];
      if (!finite_linearization()) {
        // The objective is finite here but its derivatives are not (e.g. a power law at a
        // bound of zero): no further step can be computed.
        stop(FitStatus::NonFinite);
        return true;
      }
      if (Policy::kExactHuberCurvature && o_.loss == LossKind::Huber) {
        curvature_ = use_exact_curvature(trial_zone, rho) ? Curvature::Exact : Curvature::Irls;
        zone_ = trial_zone;
      }
    } else {
      stale_ = true;
    }
    // Nielsen's update: shrink the damping by up to 3 as the model proved good.
    const S t = S(2) * rho - S(1);
    const S shrink = S(1) - t * t * t;
    lambda_ *= shrink > S(1) / S(3) ? shrink : S(1) / S(3);
    nu_ = S(2);
    small_decrease_ = relative_decrease <= o_.cost_tol;
    // Without Policy::kLinearizeTrial the fit stops on a small decrease once the new point's
    // gradient has been checked (linearized), as it is here.
    if (Policy::kLinearizeTrial && small_decrease_) stop(FitStatus::ConvergedCost);
    return true;
  }

  // Raises the damping after a failed factorisation or a refused step; false when it has grown
  // past any use.
  SF_HD SF_INLINE bool increase_damping() {
    lambda_ *= nu_;
    nu_ *= S(2);
    return !(lambda_ > kMaxDamping);
  }

  SF_HD SF_INLINE void stop(FitStatus status) {
    st_.status = status;
    stopped_ = true;
  }
  SF_HD SF_INLINE bool stopped() const { return stopped_; }

  // The fit's result: the optimum's cost, RSS and plain J^T W J from one last pass. A start
  // where the objective or its gradient is not finite is returned as it is.
  SF_HD SF_INLINE FitState<S, P> finish() {
    for (int k = 0; k < P; ++k) st_.params[k] = p_[k];
    if (failed_start_) {
      st_.cost = st_.rss = cost_;
      for (int k = 0; k < H; ++k) st_.normal[k] = S(0);
      st_.iterations = 0;
      st_.status = FitStatus::NonFinite;
      return st_;
    }
    S final_g[P];
    st_.cost = linearize_with<Law, Policy>(law_, p_, d_, w_, o_, Curvature::Plain, final_g, st_.normal,
                                           &st_.rss);
    // A finite cost can hide an infinite RSS (Huber grows linearly, squares overflow first).
    if (!finite(st_.cost) || !finite(st_.rss)) st_.status = FitStatus::NonFinite;
    return st_;
  }

 private:
  static constexpr bool kInPlace = Policy::template factor_in_place<P>();
  static constexpr S kMaxDamping = S(1e32);

  SF_HD SF_INLINE S clamp(S v, int k) const {
    return v < o_.lo[k] ? o_.lo[k] : (v > o_.hi[k] ? o_.hi[k] : v);
  }

  // A parameter on a bound whose descent direction (-g) points out of the box cannot move.
  SF_HD SF_INLINE bool blocked(int k) const {
    return (p_[k] <= o_.lo[k] && g_[k] > S(0)) || (p_[k] >= o_.hi[k] && g_[k] < S(0));
  }

  SF_HD SF_INLINE S damping(bool held, int i) const {
    return held ? S(1) : lambda_ * (scale_[i] > S(0) ? scale_[i] : S(1e-30));
  }

  // The objective and its gradient are usable: a NaN gradient would otherwise pass the gradient
  // stop test (NaN compares false) and be reported as convergence.
  SF_HD SF_INLINE bool finite_linearization() const {
    bool ok = finite(cost_);
    for (int k = 0; k < P; ++k) ok = ok && finite(g_[k]);
    return ok;
  }

  // Reduction the local quadratic model promises for the (projected) step:
  // -step . (g + H step / 2).
  SF_HD SF_INLINE S predicted_reduction(const Step<S, P>& s) const {
    S predicted = S(0);
    if constexpr (kInPlace) {
      // h holds the factor L of H + D on the free parameters, D the damping just added:
      // step^T H step is |L^T step|^2 - step^T D step (a held parameter's step is zero). Both
      // terms are positive and at most about -step . g, so their difference costs no more
      // digits than the sum it enters.
      S quadratic = S(0);
      SF_UNROLL
      for (int i = 0; i < P; ++i) {
        S lts = S(0);
        SF_UNROLL
        for (int k = i; k < P; ++k) lts += h_[packed_index<P>(i, k)] * s.delta[k];
        quadratic += lts * lts - damping(s.held[i], i) * s.delta[i] * s.delta[i];
        predicted -= s.delta[i] * g_[i];
      }
      predicted -= S(0.5) * quadratic;
    } else {
      for (int i = 0; i < P; ++i) {
        S hs = S(0);
        for (int j = 0; j < P; ++j) hs += h_[packed_index<P>(i, j)] * s.delta[j];
        predicted -= s.delta[i] * (g_[i] + S(0.5) * hs);
      }
    }
    return predicted;
  }

  // IRLS converges linearly near a Huber optimum where most residuals stay in the linear zone,
  // the exact curvature quadratically. IRLS is the right model while residuals are still on
  // their way into the quadratic zone (its weight delta/|r| aims each one at zero), the exact
  // one once they have settled: it is then the Newton model of the piecewise quadratic
  // objective. So a step uses the exact curvature only after an accepted step left the set of
  // points in the quadratic zone unchanged, with enough points in it, decreased the cost about
  // as predicted, and left every parameter interior with live curvature (no diagonal below
  // 1e-12 of the largest seen, as when a term of the law has vanished). Without the zone tests,
  // on noiseless data (residuals all heading to zero) the exact curvature slows fits down
  // (tests/unit_recovery.cpp).
  SF_HD SF_INLINE bool use_exact_curvature(const QuadraticZone& trial_zone, S rho) const {
    bool ok = trial_zone.points >= kExactZonePointsPerParam * P && same_zone(trial_zone, zone_) &&
              rho >= S(kExactMinRho);
    for (int k = 0; k < P; ++k)
      ok = ok && p_[k] > o_.lo[k] && p_[k] < o_.hi[k] &&
           !(h_[packed_index<P>(k, k)] < S(1e-12) * scale_[k]);
    return ok;
  }

  // Where the damped normal matrix is factored: in a copy, or over J^T W J itself.
  template <bool InPlace, int N>
  SF_HD SF_INLINE static S (&factor_storage(S (&h)[H], S (&copy)[N]))[H] {
    if constexpr (InPlace) return h; else return copy;
  }

  const Law& law_;
  const PointsView<S>& d_;
  const S* w_;
  const SolverOptions<S, P>& o_;
  FitState<S, P> st_;
  S p_[P], g_[P], h_[H], scale_[P];
  S cost_ = S(0);
  S lambda_ = o_.initial_damping, nu_ = S(2);
  Curvature curvature_ = Curvature::Irls;
  QuadraticZone zone_{-1, 0};
  bool stale_ = !Policy::kLinearizeTrial;
  bool small_decrease_ = false;  // the last step's relative decrease met cost_tol
  bool failed_start_ = false;
  bool stopped_ = false;
};

}  // namespace detail

// Fits one law from one start with per-point weights w (null = all ones). The law is an
// instance: a built-in law is an empty struct, a formula law (formula/evaluate.hpp) points to
// its tape.
template <class Law, typename S, class Policy = HostSolve>
SF_HD FitState<S, Law::kParams> fit_one(const Law& law, const PointsView<S>& d, const S* w,
                                        const S* start, const SolverOptions<S, Law::kParams>& o) {
  detail::Lm<Law, S, Policy> lm(law, d, w, start, o);
  for (int it = 1; lm.linearized(it) && it <= o.max_iterations; ++it) {
    lm.begin_iteration(it);
    if (lm.gradient_converged()) {
      lm.stop(FitStatus::ConvergedGradient);
      break;
    }
    detail::Step<S, Law::kParams> step;
    if (!lm.solve(step)) {
      if (lm.increase_damping()) continue;
      lm.stop(FitStatus::Singular);
      break;
    }
    if (lm.leave_exact_curvature(step)) continue;
    if (lm.negligible(step)) {
      lm.stop(FitStatus::ConvergedStep);
      break;
    }
    if (!lm.try_step(step) && !lm.increase_damping()) {
      // No step of any length lowers the cost: this is a minimum to working precision.
      lm.stop(FitStatus::ConvergedStep);
      break;
    }
    if (lm.stopped()) break;
  }
  return lm.finish();
}

// A built-in law, whose instance carries nothing.
template <class Law, typename S, class Policy = HostSolve>
SF_HD FitState<S, Law::kParams> fit_one(const PointsView<S>& d, const S* w, const S* start,
                                        const SolverOptions<S, Law::kParams>& o) {
  return fit_one<Law, S, Policy>(Law{}, d, w, start, o);
}

}  // namespace shannonfit
