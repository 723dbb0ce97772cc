#pragma once
// How each fit of a multi-start batch ended, counted per law so that no output hides fits that
// produced NaN/Inf, stopped on a box bound or ran out of iterations, and so that a best fit in
// one of those states is flagged wherever it is reported.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// Mutually exclusive: a start is NonFinite before anything else, then MaxIterations, then
// AtBound (converged, with some parameter on its box bound), else Converged.
enum class FitOutcome : unsigned char { Converged, AtBound, MaxIterations, NonFinite };
const char* to_string(FitOutcome o);

// A fit whose cost or parameters are NaN/Inf, or whose solver reported non-finite or singular
// curvature, is NonFinite even if it claims convergence.
FitOutcome classify(const LawInfo& info, const FitResult& fit);
// Reported names (A, alpha, ...) of the parameters that sit on a bound of their box.
std::vector<std::string> params_at_bound(const LawInfo& info, const FitResult& fit);

struct StartOutcomes {
  long converged = 0, at_bound = 0, max_iterations = 0, non_finite = 0;
  long total() const { return converged + at_bound + max_iterations + non_finite; }
  void add(FitOutcome o);
};

// Runs every start of `request` (one weighting) on `fn`, counts how each ended and returns the
// best one. The best is chosen by better_fit, the order every backend reduces with, and carries
// failed_starts, so the result is the one `fn` returns without keep_all_starts. Throws
// InterruptedError when request.cancel was set before every start had run.
FitResult fit_counting_starts(const LawEntry& law, BatchFn fn, BatchRequest request,
                              StartOutcomes& outcomes);

// "4500 starts: 4380 converged, 70 converged on a bound, 40 at the iteration cap, 10 NaN/Inf",
// leaving out the states no start reached.
std::string describe(const StartOutcomes& o);
nlohmann::json to_json(const StartOutcomes& o);
// {"outcome": ..., "status": ..., "params_at_bound": [...]} for the chosen fit.
nlohmann::json best_fit_json(const LawInfo& info, const FitResult& best);
// One line warning that the chosen fit is not a clean interior optimum; empty when it is.
std::string best_fit_warning(const LawInfo& info, const FitResult& best);

}  // namespace shannonfit
