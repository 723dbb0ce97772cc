#include "analysis/fit_record.hpp"

#include <cmath>

#include "shannonfit/errors.hpp"

namespace shannonfit {

FitRecord fit_record(const FitPlan& plan, const Dataset& data, const std::string& data_label,
                     const FitResult& result, const StartOutcomes& starts) {
  FitRecord r;
  r.law = plan.law;
  r.data_label = data_label;
  r.backend = plan.backend.name;
  r.n_starts = plan.n_full_starts();
  r.projected_starts = plan.n_projected_starts;
  r.options = plan.options;
  r.result = result;
  r.starts = starts;
  r.summary = summarize_fit(*plan.law, result, data, plan.options);
  return r;
}

FitRecord run_fit(const FitPlan& plan, const Dataset& data, const std::string& data_label,
                  const std::atomic<bool>* cancel, const StartProgressFn& progress) {
  StartOutcomes outcomes;
  const FitResult best = fit_counting_starts(*plan.law, plan.backend.entry,
                                             plan.full_request(data, cancel), outcomes, progress);
  if (best.best_start < 0 || !std::isfinite(best.cost))
    throw FitError(data_label + ": law '" + plan.law->info.name + "': none of the " +
                   std::to_string(plan.n_full_starts()) +
                   " starts reached a finite objective (the law cannot describe these losses; "
                   "check the columns and units)");
  return fit_record(plan, data, data_label, best, outcomes);
}

}  // namespace shannonfit
