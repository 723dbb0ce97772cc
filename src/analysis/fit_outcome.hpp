#pragma once
// How each fit of a multi-start batch ended, counted per law so that no output hides fits that
// produced NaN/Inf, stopped on a box bound or ran out of iterations, and so that a best fit in
// one of those states is flagged wherever it is reported.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// Mutually exclusive: a start is NonFinite before anything else, then MaxIterations, then
// NotStationary (the solver stopped on a small step or decrease, but the first-order check
// failed), then AtBound (converged, with some parameter on its box bound), else Converged.
enum class FitOutcome : unsigned char { Converged, AtBound, MaxIterations, NotStationary, NonFinite };
const char* to_string(FitOutcome o);

// A fit whose cost or parameters are NaN/Inf, or whose solver reported non-finite or singular
// curvature, is NonFinite even if it claims convergence. A fit whose optimality was checked
// (check_optimality) and exceeds kOptimalityTolerance is NotStationary.
FitOutcome classify(const LawInfo& info, const FitResult& fit);

// The first-order (KKT) conditions of the fit's objective at `fit.params`, checked on the host
// with the law's exact derivatives. With ψ(r) the residual (least squares) or its Huber clamp,
// g = Σ w ψ(r) ∂ŷ/∂θ is the objective's gradient, and each component is measured as the cosine
// |g_k| / sqrt(Σ w (∂ŷ/∂θ_k)² · Σ w ψ²), which is at most 1 (Cauchy–Schwarz) and does not change
// when the weights, the loss's scale or Huber's δ are multiplied by a constant. A parameter on a
// bound whose gradient points out of the box (the descent direction is blocked) satisfies KKT
// whatever its size; every other component must be small, including one on a bound whose
// descent direction points back into the box. Returns the largest such cosine; Σ w ψ² is taken
// no smaller than the residuals' own precision (the targets' rounding, and what the parameters'
// precision at a stop, √cost_tol relative, moves them by), so that an exact fit is not judged by
// the direction of its rounding errors. `weights` as in fit_quality: null means the data's own.
double check_optimality(const LawEntry& law, const double* params, const Dataset& data,
                        const FitOptions& options, const std::vector<double>* weights = nullptr);
// The largest first-order cosine a verified stop may leave. A fit stopped by the relative cost or
// step test sits where LM's steps no longer pay; measured on every shipped real suite, the best
// fits of every law stay below 1e-4 (docs/results.md, "Fits that finish").
constexpr double kOptimalityTolerance = 1e-4;
// Whether the fit's first-order check was run and passed.
bool kkt_verified(const FitResult& fit);
// Reported names (A, alpha, ...) of the parameters that sit on a bound of their box.
std::vector<std::string> params_at_bound(const LawInfo& info, const FitResult& fit);

struct StartOutcomes {
  long converged = 0, at_bound = 0, max_iterations = 0, not_stationary = 0, non_finite = 0;
  // Starts whose objective came within kSameOptimum of the best one's relative to it, or within
  // 1e-6 kSameOptimum of the targets' sum of squares (an exact fit's objectives are all rounding
  // noise): how
  // often the search finds its answer (1 of 1000 is luck; most of them, a well-posed problem).
  long at_best = 0;
  static constexpr double kSameOptimum = 1e-8;
  long total() const { return converged + at_bound + max_iterations + not_stationary + non_finite; }
  // Share of starts that ran out of iterations (0 with no starts).
  double max_iterations_share() const;
  void add(FitOutcome o);
};

// Runs every start of `request` (one weighting) on `fn`, counts how each ended and returns the
// best one. The best is chosen by better_fit, the order every backend reduces with, and carries
// failed_starts, so the result is the one `fn` returns without keep_all_starts; its optimality
// is checked (check_optimality) before it is classified. Throws
// InterruptedError when request.cancel was set before every start had run.
//
// With `progress`, the starts run in about kStartProgressSteps calls, `progress(done, total)`
// after each, so that a progress bar can show a real count and ETA; the result is the same (the
// starts are independent), at the cost of smaller batches, which is why callers pass it only
// when a bar is drawn.
using StartProgressFn = std::function<void(long done, long total)>;
constexpr long kStartProgressSteps = 20;
FitResult fit_counting_starts(const LawEntry& law, BatchFn fn, BatchRequest request,
                              StartOutcomes& outcomes, const StartProgressFn& progress = {});

// "4500 starts: 4380 converged, 70 converged on a bound, 40 at the iteration cap (0.9%), 10
// NaN/Inf", leaving out the states no start reached.
std::string describe(const StartOutcomes& o);
nlohmann::json to_json(const StartOutcomes& o);
// {"outcome": ..., "status": ..., "params_at_bound": [...], "optimality": ..., "kkt_verified": ...}
// for the chosen fit.
nlohmann::json best_fit_json(const LawInfo& info, const FitResult& best);
// One line warning that the chosen fit is not a clean interior optimum; empty when it is.
std::string best_fit_warning(const LawInfo& info, const FitResult& best);

}  // namespace shannonfit
