#include "cli/fitting.hpp"

#include <cmath>
#include <cstdio>

#include "cli/interrupt.hpp"
#include "io/text_table.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {

namespace {

const char* space_target(Space s) { return s == Space::Log ? "ln L" : "L"; }

std::string flat_combination(const FlatDirection& f) {
  std::string s;
  for (const auto& [name, coef] : f.components) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%.3g*%s", s.empty() ? "" : (coef < 0 ? " - " : " + "),
                  s.empty() ? coef : std::abs(coef), name.c_str());
    s += buf;
  }
  return s;
}

}  // namespace

FitRecord run_fit(const FitPlan& plan, const Dataset& data, const std::string& data_label) {
  const LawEntry& law = *plan.law;
  FitRecord r;
  r.law = &law;
  r.data_label = data_label;
  r.options = plan.options;
  r.backend = plan.backend.name;
  r.n_starts = plan.n_full_starts();
  // Set only while a command holds an InterruptGuard; a Ctrl-C then ends the batch early.
  r.result = fit_counting_starts(law, plan.backend.entry,
                                 plan.full_request(data, InterruptGuard::flag()), r.starts);
  if (r.result.best_start < 0 || !std::isfinite(r.result.cost))
    throw FitError(data_label + ": law '" + law.info.name + "': none of the " +
                   std::to_string(r.n_starts) +
                   " starts reached a finite objective (the law cannot describe these losses; "
                   "check the columns and units)");
  r.summary = summarize_fit(law, r.result, data, r.options);
  return r;
}

std::string fit_health_text(const FitRecord& r) {
  std::string out = "  starts  " + describe(r.starts) + "\n";
  const std::string warning = best_fit_warning(r.law->info, r.result);
  if (!warning.empty()) out += "  WARNING " + warning + "\n";
  return out;
}

nlohmann::json fit_health_json(const FitRecord& r) {
  return {{"start_outcomes", to_json(r.starts)}, {"best_fit", best_fit_json(r.law->info, r.result)}};
}

void warn_best_fit(const OutputArgs& output, const FitRecord& r) {
  const std::string warning = best_fit_warning(r.law->info, r.result);
  if (!warning.empty() && !output.quiet)
    std::fprintf(stderr, "warning: %s: law '%s': %s\n", r.data_label.c_str(),
                 r.law->info.name.c_str(), warning.c_str());
}

std::string to_text(const FitRecord& r) {
  const LawInfo& info = r.law->info;
  const FitSummary& s = r.summary;
  const FitQuality& q = s.quality;
  std::string out = info.name + "  " + info.formula + "\n";
  out += "  data    " + r.data_label + " (" + io::format_number(q.n) + " rows)\n";
  out += "  fit     " + describe_objective(r.options) + ", backend " + r.backend + ", " +
         std::to_string(r.n_starts) + (r.n_starts == 1 ? " start" : " starts");
  out += ", best start #" + std::to_string(r.result.best_start) + "\n";
  out += "  status  " + std::string(to_string(r.result.status)) + " after " +
         std::to_string(r.result.iterations) + " iterations\n";
  out += fit_health_text(r);
  if (!info.note.empty()) out += "  note    " + info.note + "\n";
  out += "\n";

  io::TextTable table({"parameter", "estimate", "std.error", ""},
                      {io::TextTable::Align::Left, io::TextTable::Align::Right,
                       io::TextTable::Align::Right, io::TextTable::Align::Left});
  for (const auto& p : s.params) {
    std::string remark;
    if (p.reported == Reported::Exp) remark = "= exp(" + p.name + ")";
    if (!p.identified) remark += std::string(remark.empty() ? "" : ", ") + "not identified";
    if (p.at_bound) remark += std::string(remark.empty() ? "" : ", ") + "at a bound";
    table.add_row({p.reported_name, io::format_number(p.reported_value),
                   io::format_number(p.reported_se, 3), remark});
  }
  out += table.render();
  out += "\n";
  for (const auto& f : s.identifiability.flat)
    out += "  flat direction (relative eigenvalue " + io::format_number(f.relative_eigenvalue, 2) +
           "): " + flat_combination(f) + " is not identified by the data\n";
  if (!s.identifiability.flat.empty()) out += "\n";

  io::TextTable stats({"RSS", "R^2", "AIC", "AICc", "BIC", "n", "k"},
                      std::vector<io::TextTable::Align>(7, io::TextTable::Align::Right));
  stats.add_row({io::format_number(q.rss, 4), io::format_number(q.r2, 5),
                 io::format_number(q.criteria.aic, 6), io::format_number(q.criteria.aicc, 6),
                 io::format_number(q.criteria.bic, 6), io::format_number(q.n),
                 std::to_string(q.k)});
  out += stats.render();
  out += std::string("  (residuals, RSS and R^2 on ") + space_target(q.space) +
         "; AIC/AICc/BIC from the " + q.likelihood + " likelihood of those residuals, the one "
         "this fit maximises; standard errors: " + s.covariance_kind + " covariance)\n";
  return out;
}

nlohmann::json to_json(const FitRecord& r, const std::string& by_column) {
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

}  // namespace shannonfit::cli
