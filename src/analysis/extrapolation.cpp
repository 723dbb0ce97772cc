#include "analysis/extrapolation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "analysis/law_value.hpp"
#include "analysis/scan_minimize.hpp"
#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

ExtrapolationSplit parse_split(const std::string& text, const std::string& option,
                               const PointKeys& keys) {
  ExtrapolationSplit s;
  s.keys = keys;
  // N and D for laws of N and D; every variable a law over its own columns reads.
  const std::string places = keys.own_columns() ? keys.table_places() : "nd";
  std::string usage, example = "N<=6.9e9,D<=180B";
  if (keys.own_columns()) example.clear();
  for (char place : places) {
    usage += (usage.empty() ? "" : " and/or ") + keys.name(place) + "<=VALUE";
    if (keys.own_columns()) example += (example.empty() ? "" : ",") + keys.name(place) + "<=1e9";
  }
  std::stringstream in(text);
  std::string part;
  bool any = false;
  while (std::getline(in, part, ',')) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    const auto op = part.find("<=");
    double value = 0;
    const std::string var = op == std::string::npos ? "" : part.substr(0, op);
    const auto place = std::find_if(places.begin(), places.end(),
                                    [&](char p) { return keys.name(p) == var; });
    if (place == places.end() || !io::parse_quantity(part.substr(op + 2), value) || !(value > 0))
      throw InputError(option + " '" + text + "': expected " + usage +
                       " separated by a comma, with positive values (e.g. " + example + ")");
    (*place == 'n' ? s.n_max : *place == 'd' ? s.d_max : s.x_max) = value;
    any = true;
  }
  if (!any) throw InputError(option + " is empty; give e.g. " + example);
  return s;
}

std::string describe(const ExtrapolationSplit& split) {
  std::ostringstream o;
  if (!split.keys.own_columns()) {
    o << "train on N <= " << split.n_max << " and D <= " << split.d_max << ", predict the rest";
    return o.str();
  }
  o << "train on";
  const char* joint = " ";
  for (char place : split.keys.table_places()) {
    const double limit = place == 'n' ? split.n_max : place == 'd' ? split.d_max : split.x_max;
    if (std::isinf(limit)) continue;
    o << joint << split.keys.name(place) << " <= " << limit;
    joint = " and ";
  }
  o << ", predict the rest";
  return o.str();
}

std::vector<char> beyond(const Dataset& data, const ExtrapolationSplit& split) {
  std::vector<char> out(data.size());
  for (std::size_t i = 0; i < data.size(); ++i)
    out[i] = data.n[i] > split.n_max || data.d[i] > split.d_max ||
             (data.has_x() && data.x[i] > split.x_max);
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
