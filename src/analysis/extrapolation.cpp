#include "analysis/extrapolation.hpp"

#include <cmath>
#include <sstream>

#include "analysis/law_value.hpp"
#include "analysis/scan_minimize.hpp"
#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

ExtrapolationSplit parse_split(const std::string& text, const std::string& option) {
  ExtrapolationSplit s;
  std::stringstream in(text);
  std::string part;
  bool any = false;
  while (std::getline(in, part, ',')) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    const auto op = part.find("<=");
    double value = 0;
    const std::string var = op == std::string::npos ? "" : part.substr(0, op);
    if ((var != "N" && var != "D") || !io::parse_quantity(part.substr(op + 2), value) ||
        !(value > 0))
      throw InputError(option + " '" + text + "': expected N<=VALUE and/or D<=VALUE separated "
                       "by a comma, with positive values (e.g. N<=6.9e9,D<=180B)");
    (var == "N" ? s.n_max : s.d_max) = value;
    any = true;
  }
  if (!any) throw InputError(option + " is empty; give e.g. N<=6.9e9,D<=180e9");
  return s;
}

std::string describe(const ExtrapolationSplit& split) {
  std::ostringstream o;
  o << "train on N <= " << split.n_max << " and D <= " << split.d_max << ", predict the rest";
  return o.str();
}

std::vector<char> beyond(const Dataset& data, const ExtrapolationSplit& split) {
  std::vector<char> out(data.size());
  for (std::size_t i = 0; i < data.size(); ++i)
    out[i] = data.n[i] > split.n_max || data.d[i] > split.d_max;
  return out;
}

std::vector<CurvePoint> predicted_curve(const LawEntry& law, const double* params,
                                        const Dataset& data, const std::vector<char>& rows) {
  std::vector<CurvePoint> out;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!rows[i]) continue;
    const double x = data.has_x() ? data.x[i] : 0.0;
    out.push_back({data.group.empty() ? std::string() : data.group_names[data.group[i]], data.n[i],
                   data.d[i], x, data.loss[i],
                   prediction_in_space(law, params, std::log(data.n[i]), std::log(data.d[i]), x,
                                       Space::Linear)});
  }
  return out;
}

TokenOptimum token_optimum(const LawEntry& law, const double* params, double n, double x,
                           double d_min, double d_max) {
  TokenOptimum t;
  const double ln_n = std::log(n);
  const ScanMinimum m = scan_minimize(
      [&](double ln_d) { return law.log_loss(params, ln_n, ln_d, x); }, std::log(d_min),
      std::log(d_max));
  if (!m.ok) return t;
  t.d = std::exp(m.arg);
  t.loss = std::exp(m.value);
  t.on_bound = m.on_bound;
  t.ok = true;
  return t;
}

}  // namespace shannonfit
