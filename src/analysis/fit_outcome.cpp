#include "analysis/fit_outcome.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "analysis/fit_stats.hpp"
#include "analysis/law_value.hpp"
#include "analysis/refine_optimum.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

const char* to_string(FitOutcome o) {
  switch (o) {
    case FitOutcome::Converged: return "converged";
    case FitOutcome::AtBound: return "at_bound";
    case FitOutcome::MaxIterations: return "max_iterations";
    case FitOutcome::NotStationary: return "not_stationary";
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
  if (std::isfinite(fit.optimality) ? !kkt_verified(fit) : !std::isnan(fit.optimality))
    return FitOutcome::NotStationary;
  return params_at_bound(info, fit).empty() ? FitOutcome::Converged : FitOutcome::AtBound;
}

bool kkt_verified(const FitResult& fit) { return fit.optimality <= kOptimalityTolerance; }

double check_optimality(const LawEntry& law, const double* params, const Dataset& data,
                        const FitOptions& options, const std::vector<double>* weights) {
  const int p = law.n_params;
  if (!weights && !data.weight.empty()) weights = &data.weight;
  const bool huber = options.loss == LossKind::Huber;
  std::vector<double> g(p, 0.0), column_sq(p, 0.0), jac(p);
  // ψ cannot be known better than the solver's precision: a fit stopped by a relative cost
  // change of cost_tol has its parameters to about √cost_tol relative (the cost is quadratic
  // near the optimum), which moves a residual by √cost_tol Σ_k |∂ŷ/∂θ_k| |θ_k|; and the targets
  // themselves are rounded. An exact fit's residuals are that noise, and the cosine of its
  // gradient with them means nothing.
  const double precision = std::max(options.step_tol, std::sqrt(options.cost_tol));
  double psi_sq = 0, rounding_sq = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double w = weights ? (*weights)[i] : 1.0;
    if (!(w > 0)) continue;
    const double yhat =
        prediction_in_space(law, params, std::log(data.n[i]), std::log(data.d[i]),
                            data.has_x() ? data.x[i] : 0.0, options.space, jac.data());
    const double y = options.space == Space::Log ? std::log(data.loss[i]) : data.loss[i];
    const double r = yhat - y;
    const double psi = huber ? std::clamp(r, -options.huber_delta, options.huber_delta) : r;
    psi_sq += w * psi * psi;
    double reach = 0;
    for (int k = 0; k < p; ++k) reach += std::abs(jac[k]) * (std::abs(params[k]) + precision);
    const double rounding = std::max(16 * std::numeric_limits<double>::epsilon() * (1 + std::abs(y)),
                                     precision * reach);
    rounding_sq += w * rounding * rounding;
    for (int k = 0; k < p; ++k) {
      g[k] += w * psi * jac[k];
      column_sq[k] += w * jac[k] * jac[k];
    }
  }
  double worst = 0;
  for (int k = 0; k < p; ++k) {
    const ParamSpec& spec = law.info.params[k];
    const bool blocked = (params[k] <= spec.lo && g[k] > 0) || (params[k] >= spec.hi && g[k] < 0);
    if (blocked || g[k] == 0) continue;
    // Derivatives that are not finite leave no verified optimum.
    if (!std::isfinite(g[k])) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, std::abs(g[k]) / std::sqrt(column_sq[k] * std::max(psi_sq, rounding_sq)));
  }
  return std::isnan(worst) ? std::numeric_limits<double>::infinity() : worst;
}

double StartOutcomes::max_iterations_share() const {
  return total() > 0 ? static_cast<double>(max_iterations) / static_cast<double>(total()) : 0.0;
}

void StartOutcomes::add(FitOutcome o) {
  switch (o) {
    case FitOutcome::Converged: ++converged; break;
    case FitOutcome::AtBound: ++at_bound; break;
    case FitOutcome::MaxIterations: ++max_iterations; break;
    case FitOutcome::NotStationary: ++not_stationary; break;
    case FitOutcome::NonFinite: ++non_finite; break;
  }
}

namespace {

// Every start of `request` (keep_all_starts, one weighting), in chunks when `progress` asks.
std::vector<FitResult> fit_every_start(const LawEntry& law, BatchFn fn, BatchRequest request,
                                       const StartProgressFn& progress) {
  if (!progress) return fn(law, request);
  const int p = law.n_params;
  const long total = static_cast<long>(request.starts.size()) / p;
  const long chunk = std::max<long>(1, (total + kStartProgressSteps - 1) / kStartProgressSteps);
  const std::vector<double> starts = std::move(request.starts);
  std::vector<FitResult> all;
  progress(0, total);
  for (long first = 0; first < total; first += chunk) {
    const long count = std::min(chunk, total - first);
    request.starts.assign(starts.begin() + first * p, starts.begin() + (first + count) * p);
    for (FitResult r : fn(law, request)) {
      if (r.best_start >= 0) r.best_start += static_cast<int>(first);
      all.push_back(r);
    }
    progress(first + count, total);
    if (request.cancel && request.cancel->load()) {
      all.resize(total);  // the starts not run stay unbegun (best_start = -1)
      break;
    }
  }
  return all;
}

}  // namespace

FitResult fit_counting_starts(const LawEntry& law, BatchFn fn, BatchRequest request,
                              StartOutcomes& outcomes, const StartProgressFn& progress) {
  request.keep_all_starts = true;
  request.weights = nullptr;
  request.n_weightings = 1;
  const std::vector<FitResult> all = fit_every_start(law, fn, request, progress);
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
  if (best.best_start >= 0 && std::isfinite(best.cost) && best.status != FitStatus::NonFinite) {
    const Dataset& data = *request.data;
    double targets_squared = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
      const double t = request.options.space == Space::Log ? std::log(data.loss[i]) : data.loss[i];
      targets_squared += (data.weight.empty() ? 1.0 : data.weight[i]) * t * t;
    }
    const double same = StartOutcomes::kSameOptimum *
                        std::max(std::fabs(best.cost), 1e-6 * targets_squared);
    for (const FitResult& r : all)
      outcomes.at_best += r.best_start >= 0 && r.status != FitStatus::NonFinite &&
                          std::fabs(r.cost - best.cost) <= same;
  }
  if (best.best_start >= 0 && std::isfinite(best.cost)) {
    refine_least_squares_optimum(law, *request.data, request.options, best);
    best.optimality = check_optimality(law, best.params.data(), *request.data, request.options);
  }
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
  if (o.max_iterations > 0) {
    char share[32];
    std::snprintf(share, sizeof share, " (%.1f%%)", 100 * o.max_iterations_share());
    part(o.max_iterations, ("at the iteration cap" + std::string(share)).c_str());
  }
  part(o.not_stationary, "stopped short of a stationary point");
  part(o.non_finite, "NaN/Inf");
  if (o.total() > 1) s += "; " + std::to_string(o.at_best) + " reached the best optimum";
  return s;
}

nlohmann::json to_json(const StartOutcomes& o) {
  return {{"total", o.total()},
          {"converged", o.converged},
          {"at_bound", o.at_bound},
          {"max_iterations", o.max_iterations},
          {"max_iterations_share", o.max_iterations_share()},
          {"not_stationary", o.not_stationary},
          {"non_finite", o.non_finite},
          {"at_best", o.at_best}};
}

nlohmann::json best_fit_json(const LawInfo& info, const FitResult& best) {
  const bool checked = !std::isnan(best.optimality);
  return {{"outcome", to_string(classify(info, best))},
          {"status", to_string(best.status)},
          {"converged", converged(best.status)},
          {"params_at_bound", params_at_bound(info, best)},
          {"optimality", checked && std::isfinite(best.optimality) ? nlohmann::json(best.optimality)
                                                                   : nlohmann::json()},
          {"kkt_verified", checked ? nlohmann::json(kkt_verified(best)) : nlohmann::json()}};
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
    case FitOutcome::NotStationary:
      return "the best fit stopped (" + std::string(to_string(best.status)) +
             ") where the gradient is not small (first-order cosine " +
             std::to_string(best.optimality) + "): not a verified optimum";
    case FitOutcome::AtBound: {
      std::string names;
      for (const auto& n : params_at_bound(info, best)) names += (names.empty() ? "" : ", ") + n;
      return "the best fit has " + names + " on its bound: the optimum may lie outside the "
             "law's box, and standard errors ignore the constraint" +
             std::string(kkt_verified(best) ? " (the KKT conditions hold there)" : "");
    }
  }
  return "";
}

}  // namespace shannonfit
