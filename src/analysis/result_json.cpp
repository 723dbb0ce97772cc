#include "analysis/result_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/prediction_interval.hpp"

namespace shannonfit {

namespace {

nlohmann::json pair(const Interval& i) { return nlohmann::json::array({i.lo, i.hi}); }

nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

}  // namespace

nlohmann::json result_document(const std::string& command, const nlohmann::json& fields) {
  nlohmann::json doc = {{"schema", "shannonfit-results"},
                        {"schema_version", kSchemaVersion},
                        {"command", command},
                        {"version", SHANNONFIT_VERSION}};
  doc.update(fields);
  return doc;
}

std::string describe_objective(const FitOptions& o) {
  const char* target = o.space == Space::Log ? "ln L" : "L";
  if (o.loss == LossKind::L2) return std::string("least squares on ") + target;
  char delta[32];
  std::snprintf(delta, sizeof delta, "%g", o.huber_delta);
  return std::string("Huber(delta=") + delta + ") on " + target;
}

nlohmann::json fit_health_json(const FitRecord& r) {
  return {{"start_outcomes", to_json(r.starts)}, {"best_fit", best_fit_json(r.law->info, r.result)}};
}

nlohmann::json fit_json(const FitRecord& r, const std::string& by_column) {
  const FitSummary& s = r.summary;
  const FitQuality& q = s.quality;
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : s.params)
    params.push_back({{"name", p.name},
                      {"value", p.value},
                      {"se", p.se},
                      {"reported_name", p.reported_name},
                      {"reported_as", p.reported == Reported::Exp ? "exp" : "value"},
                      {"reported_value", p.reported_value},
                      {"reported_se", p.reported_se},
                      {"identified", p.identified},
                      {"at_bound", p.at_bound}});
  nlohmann::json flat = nlohmann::json::array();
  for (const auto& f : s.identifiability.flat) {
    nlohmann::json comps = nlohmann::json::object();
    for (const auto& [name, coef] : f.components) comps[name] = coef;
    flat.push_back({{"relative_eigenvalue", f.relative_eigenvalue}, {"direction", comps}});
  }
  const int p = r.law->n_params;
  nlohmann::json cov = nlohmann::json::array();
  for (int i = 0; i < p; ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (int j = 0; j < p; ++j) row.push_back(s.covariance[i * p + j]);
    cov.push_back(row);
  }
  nlohmann::json j = {
      {"law", r.law->info.name},
      {"formula", r.law->info.formula},
      {"source", r.law->info.source},
      {"data", r.data_label},
      {"by", by_column.empty() ? nlohmann::json()
                               : nlohmann::json{{"column", by_column}, {"value", r.by_value}}},
      {"backend", r.backend},
      {"objective", describe_objective(r.options)},
      {"starts", r.n_starts},
      {"projected_starts", r.projected_starts},
      {"failed_starts", r.result.failed_starts},
      {"start_outcomes", to_json(r.starts)},
      {"best_fit", best_fit_json(r.law->info, r.result)},
      {"best_start", r.result.best_start},
      {"status", to_string(r.result.status)},
      {"converged", converged(r.result.status)},
      {"iterations", r.result.iterations},
      {"objective_value", r.result.cost},
      {"parameters", params},
      {"statistics",
       {{"space", to_string(q.space)},
        {"n", q.n},
        {"k", q.k},
        {"rss", q.rss},
        {"r2", q.r2},
        {"likelihood", q.likelihood},
        {"log_likelihood", q.criteria.log_likelihood},
        {"aic", q.criteria.aic},
        {"aicc", q.criteria.aicc},
        {"bic", q.criteria.bic},
        {"sigma2", s.sigma2}}},
      {"identifiability",
       {{"full_rank", s.identifiability.full_rank()},
        {"condition_number", s.identifiability.condition_number()},
        {"relative_eigenvalues", s.identifiability.relative_eigenvalues},
        {"flat_directions", flat}}},
      {"covariance", cov},
      {"covariance_kind", s.covariance_kind}};
  if (!r.law->info.note.empty()) j["note"] = r.law->info.note;
  return j;
}

nlohmann::json interval_json(const QuantityInterval& q, const IntervalMethod& method) {
  const ShownInterval chosen = shown(q, method);
  nlohmann::json j = {{"name", q.name},
                      {"kind", to_string(IntervalKind::Confidence)},
                      {"estimate", q.estimate},
                      {"level", q.level},
                      {"method", chosen.method->name},
                      {"interval", pair(chosen.interval)},
                      {"bootstrap_se", q.se},
                      {"bootstrap_mean", q.mean},
                      {"bias", q.bias},
                      {"bca_z0", q.z0},
                      {"bca_acceleration", q.acceleration},
                      {"jackknife_values", q.jackknife_n},
                      {"asymptotic_se", q.asymptotic_se},
                      {"resamples_used", q.n},
                      {"resamples_invalid", q.invalid}};
  for (const IntervalMethod& m : interval_methods()) j[std::string(m.name)] = pair(q.interval(m.name));
  return j;
}

nlohmann::json percentile_interval_json(const QuantityInterval& q) {
  const Interval& percentile = q.interval(fallback_interval_method().name);
  return {{"level", q.level}, {"lo", percentile.lo}, {"hi", percentile.hi},
          {"resamples_used", q.n}};
}

nlohmann::json point_json(const PointKeys& keys, const PredictionPoint& point) {
  nlohmann::json at = nlohmann::json::object();
  for (const NamedValue& v : named_values(keys, point)) at[v.name] = v.value;
  return at;
}

nlohmann::json predictions_json(const std::vector<PredictionPoint>& points,
                                const std::vector<QuantityInterval>& confidence,
                                const std::vector<QuantityInterval>& new_run,
                                const IntervalMethod& method, const PointKeys& keys) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < points.size(); ++i) {
    nlohmann::json j = interval_json(confidence[i], method);
    j["N"] = points[i].n;
    j["D"] = points[i].d;
    j["x"] = points[i].x;
    j["at"] = point_json(keys, points[i]);
    if (i < new_run.size())
      j["prediction"] = {{"kind", to_string(IntervalKind::Prediction)},
                         {"level", new_run[i].level},
                         {"interval", pair(shown(new_run[i], method).interval)},
                         {"method", kPredictionMethod},
                         {"resamples_used", new_run[i].n}};
    out.push_back(j);
  }
  return out;
}

nlohmann::json selection_json(const SelectionSummary& s) {
  double best_aic = std::numeric_limits<double>::infinity(), best_bic = best_aic;
  for (const SelectionEntry& e : s.laws) {
    if (std::isfinite(e.quality.criteria.aic)) best_aic = std::min(best_aic, e.quality.criteria.aic);
    if (std::isfinite(e.quality.criteria.bic)) best_bic = std::min(best_bic, e.quality.criteria.bic);
  }
  double weight_sum = 0;
  for (const SelectionEntry& e : s.laws) weight_sum += std::exp(-0.5 * (e.quality.criteria.aic - best_aic));
  nlohmann::json laws = nlohmann::json::array();
  for (const SelectionEntry& e : s.laws) {
    const InformationCriteria& c = e.quality.criteria;
    laws.push_back({{"law", e.law->info.name},
                    {"rank", e.rank},
                    {"candidate", e.candidate},
                    {"k", e.law->n_params},
                    {"n", finite_or_null(e.quality.n)},
                    {"rss", finite_or_null(e.quality.rss)},
                    {"r2", finite_or_null(e.quality.r2)},
                    {"aic", finite_or_null(c.aic)},
                    {"aicc", finite_or_null(c.aicc)},
                    {"bic", finite_or_null(c.bic)},
                    {"delta_aic", finite_or_null(c.aic - best_aic)},
                    {"delta_bic", finite_or_null(c.bic - best_bic)},
                    {"akaike_weight", finite_or_null(std::exp(-0.5 * (c.aic - best_aic)) / weight_sum)},
                    {"cv_mse", finite_or_null(e.cv_mse)},
                    {"logo_mse", finite_or_null(e.logo_mse)},
                    {"holdout_mse", finite_or_null(e.holdout_mse)},
                    {"holdout_r2", finite_or_null(e.holdout_r2)},
                    {"win_rate", finite_or_null(e.win_rate)}});
  }
  nlohmann::json j = {{"ranked_by", s.ranked_by},
                      {"win_rate_resamples_used", s.win_rate_resamples_used},
                      {"laws", laws}};
  if (!s.win_rate_scheme.empty()) j["win_rate_scheme"] = s.win_rate_scheme;
  return j;
}

}  // namespace shannonfit
