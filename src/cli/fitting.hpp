#pragma once
// One law fitted to one dataset from the command line: the multi-start batch on the chosen
// backend, its statistics, and how it is shown (table) and stored (JSON). `fit` prints these;
// other commands reuse them for their point estimates. Its JSON is fit_json (result_json.hpp).
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/fit_outcome.hpp"
#include "analysis/fit_stats.hpp"
#include "analysis/result_json.hpp"
#include "cli/common.hpp"

namespace shannonfit::cli {



// Prints, unless --quiet, a warning when the record's best fit is not a clean interior optimum.
void warn_best_fit(const OutputArgs& output, const FitRecord& r);

// "  starts  4500 starts: ... converged, ..." and, when the best fit is not a clean interior
// optimum, a WARNING line: what every command that reports a fit prints about it.
std::string fit_health_text(const FitRecord& r);

// The table block `fit` prints for one record.
std::string to_text(const FitRecord& r);

}  // namespace shannonfit::cli
