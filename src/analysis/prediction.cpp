#include "analysis/prediction.hpp"

#include <cctype>
#include <cmath>

#include "analysis/law_value.hpp"
#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

double predicted_loss(const LawEntry& law, const double* params, const PredictionPoint& at) {
  return prediction_in_space(law, params, std::log(at.n), std::log(at.d), at.x, Space::Linear);
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

double number(const std::string& text, const std::string& what, const std::string& option,
              const std::string& spec) {
  double v = 0;
  if (!io::parse_number(text, v) || !std::isfinite(v))
    throw InputError(option + " '" + spec + "': " + what + " '" + text + "' is not a number");
  return v;
}

// N and D: sizes and token counts, which may carry a K/M/B/T suffix (12B, 1.4T).
double positive(const std::string& text, const std::string& what, const std::string& option,
                const std::string& spec) {
  double v = 0;
  if (!io::parse_quantity(text, v) || !std::isfinite(v))
    throw InputError(option + " '" + spec + "': " + what + " '" + text +
                     "' is not a number (write 12e9, 12B, 1.4T...)");
  if (!(v > 0)) throw InputError(option + " '" + spec + "': " + what + " must be positive");
  return v;
}

}  // namespace

PredictionPoint parse_point(const std::string& spec, const PointKeys& keys) {
  PredictionPoint p;
  p.n = keys.need_n ? 0 : 1;
  p.d = keys.need_d ? 0 : 1;
  bool have_n = false, have_d = false, have_x = false;
  std::vector<std::string> needed;
  if (keys.need_n) needed.push_back(keys.n);
  if (keys.need_d) needed.push_back(keys.d);
  if (keys.need_x) needed.push_back(keys.x);
  std::string usage = io::join_names(needed);
  if (!keys.need_x) usage += (usage.empty() ? "" : " and ") + std::string("optionally ") + keys.x;
  for (const std::string& item : io::split(spec, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw InputError("--at '" + spec + "': expected KEY=VALUE items (" + usage + ")");
    const std::string key = lower(item.substr(0, eq)), value = item.substr(eq + 1);
    if (key == lower(keys.n) && keys.need_n) {
      p.n = positive(value, keys.n.c_str(), "--at", spec);
      have_n = true;
    } else if (key == lower(keys.d) && keys.need_d) {
      p.d = positive(value, keys.d.c_str(), "--at", spec);
      have_d = true;
    } else if (key == lower(keys.x)) {
      p.x = number(value, keys.x.c_str(), "--at", spec);
      have_x = true;
    } else {
      throw InputError("--at '" + spec + "': unknown key '" + item.substr(0, eq) + "' (use " +
                       usage + ")");
    }
  }
  std::string missing;
  if (keys.need_n && !have_n) missing += (missing.empty() ? "" : ", ") + keys.n;
  if (keys.need_d && !have_d) missing += (missing.empty() ? "" : ", ") + keys.d;
  if (keys.need_x && !have_x) missing += (missing.empty() ? "" : ", ") + keys.x;
  if (!missing.empty())
    throw InputError("--at '" + spec + "': missing " + missing + " (the laws read " + usage + ")");
  return p;
}

CurveSpec parse_curves(const std::string& spec) {
  const std::string usage = " (expected N=n1,n2,...:D=from..to:points[:x=value])";
  const std::vector<std::string> parts = io::split(spec, ':');
  if (parts.size() < 3 || parts.size() > 4) throw InputError("--curves '" + spec + "'" + usage);
  CurveSpec c;
  if (lower(parts[0].substr(0, 2)) != "n=") throw InputError("--curves '" + spec + "'" + usage);
  for (const std::string& v : io::split(parts[0].substr(2), ','))
    c.n.push_back(positive(v, "N", "--curves", spec));
  const auto dots = parts[1].find("..");
  if (lower(parts[1].substr(0, 2)) != "d=" || dots == std::string::npos)
    throw InputError("--curves '" + spec + "'" + usage);
  c.d_from = positive(parts[1].substr(2, dots - 2), "D", "--curves", spec);
  c.d_to = positive(parts[1].substr(dots + 2), "D", "--curves", spec);
  const double points = number(parts[2], "point count", "--curves", spec);
  if (points < 2 || points != std::floor(points) || points > 1e6)
    throw InputError("--curves '" + spec + "': the point count must be an integer in [2, 1e6]");
  c.points = static_cast<int>(points);
  if (parts.size() == 4) {
    if (lower(parts[3].substr(0, 2)) != "x=") throw InputError("--curves '" + spec + "'" + usage);
    c.x = number(parts[3].substr(2), "x", "--curves", spec);
  }
  return c;
}

std::vector<PredictionPoint> curve_points(const CurveSpec& spec) {
  std::vector<PredictionPoint> out;
  const double a = std::log(spec.d_from), b = std::log(spec.d_to);
  for (double n : spec.n)
    for (int i = 0; i < spec.points; ++i)
      out.push_back({n, std::exp(a + (b - a) * i / (spec.points - 1)), spec.x});
  return out;
}

std::vector<PredictionPoint> read_grid(const std::string& path) {
  const io::Table table = io::read_csv(path);
  const int n_col = io::find_column(table, "N", "--grid");
  const int d_col = io::find_column(table, "D", "--grid");
  int x_col = -1;
  for (std::size_t c = 0; c < table.header.size(); ++c)
    if (table.header[c] == "x") x_col = static_cast<int>(c);
  std::vector<PredictionPoint> out;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto cell = [&](int col, bool must_be_positive) {
      double v = 0;
      const std::string& text = table.rows[r][col];
      const std::string where = path + ":" + std::to_string(table.line[r]) + ": column '" +
                                table.header[col] + "': ";
      if (!io::parse_number(text, v) || !std::isfinite(v))
        throw InputError(where + "'" + text + "' is not a finite number");
      if (must_be_positive && !(v > 0)) throw InputError(where + "must be positive");
      return v;
    };
    out.push_back({cell(n_col, true), cell(d_col, true), x_col >= 0 ? cell(x_col, false) : 0.0});
  }
  return out;
}

}  // namespace shannonfit
