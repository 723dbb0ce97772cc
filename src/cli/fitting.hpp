#pragma once
// One law fitted to one dataset from the command line: the multi-start batch on the chosen
// backend, its statistics, and how it is shown (table) and stored (JSON). `fit` prints these;
// other commands reuse them for their point estimates.
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/fit_outcome.hpp"
#include "cli/common.hpp"
#include "shannonfit/stats.hpp"

namespace shannonfit::cli {

struct FitRecord {
  const LawEntry* law = nullptr;
  std::string data_label;   // slice_label(): file, and the --by value if any
  std::string by_value;     // empty without --by
  std::string backend;      // the backend that ran ("cpu", "reference", "cuda")
  long n_starts = 0;
  FitOptions options;
  FitResult result;
  StartOutcomes starts;     // how every start ended
  FitSummary summary;
};

// Runs every start of the plan's full-data fit on `data` and keeps the best. Throws FitError
// when no start reaches a finite objective.
FitRecord run_fit(const FitPlan& plan, const Dataset& data, const std::string& data_label);

// Prints, unless --quiet, a warning when the record's best fit is not a clean interior optimum.
void warn_best_fit(const OutputArgs& output, const FitRecord& r);

// "  starts  4500 starts: ... converged, ..." and, when the best fit is not a clean interior
// optimum, a WARNING line: what every command that reports a fit prints about it.
std::string fit_health_text(const FitRecord& r);
// {"start_outcomes": {...}, "best_fit": {...}}, the same in JSON (to_json includes both).
nlohmann::json fit_health_json(const FitRecord& r);

// The table block `fit` prints for one record.
std::string to_text(const FitRecord& r);
// The same as JSON. `by_column` is the --by column (empty without --by).
nlohmann::json to_json(const FitRecord& r, const std::string& by_column);

}  // namespace shannonfit::cli
