#pragma once
// One law fitted to one dataset under its FitPlan: the best of the plan's full-data starts, how
// every start ended, and the fit's statistics. What `fit` reports, and the point estimate every
// other command (and Python) starts from; result_json.hpp serializes it.
#include <atomic>
#include <string>

#include "analysis/fit_outcome.hpp"
#include "analysis/fit_plan.hpp"
#include "analysis/fit_stats.hpp"

namespace shannonfit {

// One law fitted to one dataset: the plan's best full-data fit and what is known about it.
struct FitRecord {
  const LawEntry* law = nullptr;
  std::string data_label;  // the data as messages name it: file, and the --by value if any
  std::string by_value;    // empty without --by
  std::string backend;     // the backend that ran ("cpu", "reference", "cuda")
  long n_starts = 0;
  long projected_starts = 0;  // of n_starts, those from variable projection (FitPlan)
  FitOptions options;
  FitResult result;
  StartOutcomes starts;  // how every start ended
  FitSummary summary;
};

// The record of a fit that has already run under `plan` (summarized here).
FitRecord fit_record(const FitPlan& plan, const Dataset& data, const std::string& data_label,
                     const FitResult& result, const StartOutcomes& starts);

// Runs every start of the plan's full-data fit on `data` and keeps the best. `cancel`, when set
// during the batch, ends it (InterruptedError). Throws FitError when no start reaches a finite
// objective.
// `progress` as fit_counting_starts takes it.
FitRecord run_fit(const FitPlan& plan, const Dataset& data, const std::string& data_label,
                  const std::atomic<bool>* cancel = nullptr, const StartProgressFn& progress = {});

}  // namespace shannonfit
