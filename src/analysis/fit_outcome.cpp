#include "analysis/fit_outcome.hpp"

#include <cmath>

#include "shannonfit/errors.hpp"
#include "shannonfit/stats.hpp"

namespace shannonfit {

const char* to_string(FitOutcome o) {
  switch (o) {
    case FitOutcome::Converged: return "converged";
    case FitOutcome::AtBound: return "at_bound";
    case FitOutcome::MaxIterations: return "max_iterations";
    case FitOutcome::NonFinite: return "non_finite";
  }
  return "unknown";
}

std::vector<std::string> params_at_bound(const LawInfo& info, const FitResult& fit) {
  std::vector<std::string> names;
  for (std::size_t k = 0; k < info.params.size(); ++k)
    if (at_bound(info.params[k], fit.params[k])) names.push_back(info.params[k].reported_name);
  return names;
}

FitOutcome classify(const LawInfo& info, const FitResult& fit) {
  bool finite = std::isfinite(fit.cost) && fit.status != FitStatus::NonFinite &&
                fit.status != FitStatus::Singular;
  for (std::size_t k = 0; k < info.params.size(); ++k) finite = finite && std::isfinite(fit.params[k]);
  if (!finite) return FitOutcome::NonFinite;
  if (!converged(fit.status)) return FitOutcome::MaxIterations;
  return params_at_bound(info, fit).empty() ? FitOutcome::Converged : FitOutcome::AtBound;
}

void StartOutcomes::add(FitOutcome o) {
  switch (o) {
    case FitOutcome::Converged: ++converged; break;
    case FitOutcome::AtBound: ++at_bound; break;
    case FitOutcome::MaxIterations: ++max_iterations; break;
    case FitOutcome::NonFinite: ++non_finite; break;
  }
}

FitResult fit_counting_starts(const LawEntry& law, BatchFn fn, BatchRequest request,
                              StartOutcomes& outcomes) {
  request.keep_all_starts = true;
  request.weights = nullptr;
  request.n_weightings = 1;
  const std::vector<FitResult> all = fn(law, request);
  if (request.cancel && request.cancel->load()) {
    // The backend skipped the starts it had not begun: a best of the others is no answer.
    long done = 0;
    for (const FitResult& r : all) done += r.best_start >= 0;
    if (done < static_cast<long>(all.size()))
      throw InterruptedError("stopped during the fit of law '" + law.info.name + "' (" +
                             std::to_string(done) + " of " + std::to_string(all.size()) +
                             " starts done)");
  }
  FitResult best;
  best.n_params = law.n_params;
  int failed = 0;
  for (const FitResult& r : all) {
    outcomes.add(classify(law.info, r));
    failed += !converged(r.status);
    if (best.best_start < 0 || better_fit(r, best)) best = r;
  }
  best.failed_starts = failed;
  return best;
}

std::string describe(const StartOutcomes& o) {
  std::string s = std::to_string(o.total()) + (o.total() == 1 ? " start: " : " starts: ");
  bool first = true;
  const auto part = [&](long count, const char* what) {
    if (count == 0) return;
    s += (first ? "" : ", ") + std::to_string(count) + " " + what;
    first = false;
  };
  part(o.converged, "converged");
  part(o.at_bound, "converged on a bound");
  part(o.max_iterations, "at the iteration cap");
  part(o.non_finite, "NaN/Inf");
  return s;
}

nlohmann::json to_json(const StartOutcomes& o) {
  return {{"total", o.total()},
          {"converged", o.converged},
          {"at_bound", o.at_bound},
          {"max_iterations", o.max_iterations},
          {"non_finite", o.non_finite}};
}

nlohmann::json best_fit_json(const LawInfo& info, const FitResult& best) {
  return {{"outcome", to_string(classify(info, best))},
          {"status", to_string(best.status)},
          {"converged", converged(best.status)},
          {"params_at_bound", params_at_bound(info, best)}};
}

std::string best_fit_warning(const LawInfo& info, const FitResult& best) {
  switch (classify(info, best)) {
    case FitOutcome::Converged: return "";
    case FitOutcome::NonFinite:
      return "the best fit is not finite (" + std::string(to_string(best.status)) +
             "): its estimates mean nothing";
    case FitOutcome::MaxIterations:
      return "the best fit stopped at the iteration cap (" + std::string(to_string(best.status)) +
             "), not at a verified optimum; raise --max-iterations";
    case FitOutcome::AtBound: {
      std::string names;
      for (const auto& n : params_at_bound(info, best)) names += (names.empty() ? "" : ", ") + n;
      return "the best fit has " + names + " on its bound: the optimum may lie outside the "
             "law's box, and standard errors ignore the constraint";
    }
  }
  return "";
}

}  // namespace shannonfit
