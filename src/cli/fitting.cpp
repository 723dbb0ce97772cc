#include "cli/fitting.hpp"

#include <cmath>
#include <cstdio>

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

std::string fit_health_text(const FitRecord& r) {
  std::string out = "  starts  " + describe(r.starts) + "\n";
  const std::string warning = best_fit_warning(r.law->info, r.result);
  if (!warning.empty()) out += "  WARNING " + warning + "\n";
  return out;
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
  if (r.projected_starts > 0)
    out += " (" + std::to_string(r.projected_starts) + " from variable projection)";
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


}  // namespace shannonfit::cli
