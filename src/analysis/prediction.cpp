#include "analysis/prediction.hpp"

#include <cctype>
#include <cmath>

#include "analysis/law_value.hpp"
#include "io/csv.hpp"
#include "io/text_table.hpp"
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

// A size, token count or a law's own column: a number that may carry a K/M/B/T suffix (12B).
double quantity(const std::string& text, const std::string& what, const std::string& option,
                const std::string& spec) {
  double v = 0;
  if (!io::parse_quantity(text, v) || !std::isfinite(v))
    throw InputError(option + " '" + spec + "': " + what + " '" + text +
                     "' is not a number (write 12e9, 12B, 1.4T...)");
  return v;
}

// N and D: sizes and token counts, positive.
double positive(const std::string& text, const std::string& what, const std::string& option,
                const std::string& spec) {
  const double v = quantity(text, what, option, spec);
  if (!(v > 0)) throw InputError(option + " '" + spec + "': " + what + " must be positive");
  return v;
}

}  // namespace

double value_at(const PredictionPoint& p, char place) {
  return place == 'n' ? p.n : place == 'd' ? p.d : p.x;
}
double& value_at(PredictionPoint& p, char place) {
  return place == 'n' ? p.n : place == 'd' ? p.d : p.x;
}
const std::vector<double>& values_at(const Dataset& data, char place) {
  return place == 'n' ? data.n : place == 'd' ? data.d : data.x;
}

std::string PointKeys::table_places() const {
  if (!own_columns()) return "ndx";
  std::string places;
  for (char place : order)
    if (needed(place)) places += place;
  return places;
}

namespace {

// "N=...,D=..." with `sep` between the keys a point of these laws must give.
std::string key_template(const PointKeys& keys, const char* sep) {
  std::string text;
  for (char place : keys.order)
    if (keys.needed(place)) text += (text.empty() ? "" : sep) + keys.name(place) + "=...";
  return text;
}

// The keys these laws read that `given` (places) leaves out.
std::vector<std::string> missing_keys(const PointKeys& keys, const std::string& given) {
  std::vector<std::string> missing;
  for (char place : keys.order)
    if (keys.needed(place) && given.find(place) == std::string::npos)
      missing.push_back(keys.name(place));
  return missing;
}

}  // namespace

std::string describe_keys(const PointKeys& keys) { return key_template(keys, ","); }

std::vector<NamedValue> named_values(const PointKeys& keys, const PredictionPoint& p) {
  std::vector<NamedValue> out;
  for (char place : keys.order)
    if (keys.needed(place) || (place == 'x' && p.x != 0))
      out.push_back({place, keys.name(place), value_at(p, place)});
  return out;
}

std::string describe_point(const PointKeys& keys, const PredictionPoint& p) {
  std::string text;
  for (const NamedValue& v : named_values(keys, p)) {
    // A perturbation strength is no size: it keeps its digits.
    const bool strength = v.place == 'x' && !keys.own_columns();
    text += (text.empty() ? "" : ", ") + v.name + "=" +
            (strength ? io::format_number(v.value, 4) : io::format_quantity(v.value));
  }
  return text;
}

namespace {

// The place a key names (case-insensitive), or 0 for none of the laws' keys.
char place_of(const PointKeys& keys, const std::string& key) {
  const std::string k = lower(key);
  for (char place : keys.order)
    if (k == lower(keys.name(place)) && (keys.needed(place) || place == 'x')) return place;
  return 0;
}

// "N, D and optionally x" or "params, tokens": what a point of these laws names.
std::string key_usage(const PointKeys& keys) {
  std::string usage = io::join_names(missing_keys(keys, ""));
  if (!keys.need_x) usage += (usage.empty() ? "" : " and ") + std::string("optionally ") + keys.x;
  return usage;
}

// A value for `place`: N and D (and a law's own columns read in their place) are positive sizes
// that may carry a K/M/B/T suffix; a law's own column in x's place any finite number, suffix
// allowed; a perturbation strength x a plain number.
double place_value(const PointKeys& keys, char place, const std::string& text,
                   const std::string& option, const std::string& spec) {
  const std::string& key = keys.name(place);
  if (place != 'x') return positive(text, key, option, spec);
  return keys.own_columns() ? quantity(text, key, option, spec) : number(text, key, option, spec);
}

}  // namespace

PredictionPoint parse_point(const std::string& spec, const PointKeys& keys) {
  PredictionPoint p;
  p.n = keys.need_n ? 0 : 1;
  p.d = keys.need_d ? 0 : 1;
  std::string given;
  const std::string usage = key_usage(keys);
  for (const std::string& item : io::split(spec, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw InputError("--at '" + spec + "': expected KEY=VALUE items (" + usage + ")");
    const char place = place_of(keys, item.substr(0, eq));
    if (place == 0)
      throw InputError("--at '" + spec + "': unknown key '" + item.substr(0, eq) + "' (use " +
                       usage + ")");
    value_at(p, place) = place_value(keys, place, item.substr(eq + 1), "--at", spec);
    given += place;
  }
  const std::vector<std::string> missing = missing_keys(keys, given);
  if (!missing.empty())
    throw InputError("--at '" + spec + "': missing " + io::join_names(missing) +
                     " (the laws read " + usage + ")");
  return p;
}

CurveSpec parse_curves(const std::string& spec, const PointKeys& keys) {
  const std::string example = keys.own_columns()
                                  ? key_template(keys, ":") + " with one range and a count"
                                  : "N=1e9,1e10:D=1e9..1e12:40[:x=0.1]";
  const std::string usage = " (expected KEY=from..to for the swept variable, KEY=v1,v2,... for "
                            "the others the laws read, and a point count, separated by ':', "
                            "e.g. " + example + ")";
  CurveSpec c;
  std::string given;
  bool have_sweep = false;
  for (const std::string& part : io::split(spec, ':')) {
    const auto eq = part.find('=');
    if (eq == std::string::npos) {
      if (c.points != 0) throw InputError("--curves '" + spec + "': two point counts" + usage);
      const double points = number(part, "point count", "--curves", spec);
      if (points < 2 || points != std::floor(points) || points > 1e6)
        throw InputError("--curves '" + spec + "': the point count must be an integer in [2, 1e6]");
      c.points = static_cast<int>(points);
      continue;
    }
    const std::string key = part.substr(0, eq), values = part.substr(eq + 1);
    const char place = place_of(keys, key);
    if (place == 0)
      throw InputError("--curves '" + spec + "': unknown key '" + key + "'" + usage);
    if (given.find(place) != std::string::npos)
      throw InputError("--curves '" + spec + "': " + keys.name(place) + " is given twice");
    given += place;
    if (const auto dots = values.find(".."); dots != std::string::npos) {
      if (have_sweep)
        throw InputError("--curves '" + spec + "': two ranges; sweep one variable" + usage);
      have_sweep = true;
      c.sweep = place;
      c.from = place_value(keys, place, values.substr(0, dots), "--curves", spec);
      c.to = place_value(keys, place, values.substr(dots + 2), "--curves", spec);
      c.log_spaced = place != 'x' || (keys.own_columns() && c.from > 0 && c.to > 0);
    } else {
      std::vector<double> list;
      for (const std::string& v : io::split(values, ','))
        list.push_back(place_value(keys, place, v, "--curves", spec));
      if (list.empty())
        throw InputError("--curves '" + spec + "': no value for " + keys.name(place));
      c.fixed.emplace_back(place, std::move(list));
    }
  }
  if (!have_sweep || c.points == 0) throw InputError("--curves '" + spec + "'" + usage);
  const std::vector<std::string> missing = missing_keys(keys, given);
  if (!missing.empty())
    throw InputError("--curves '" + spec + "': missing " + io::join_names(missing) + usage);
  return c;
}

std::vector<PredictionPoint> curve_points(const CurveSpec& spec) {
  // Every combination of the fixed values, the first place varying slowest.
  std::vector<PredictionPoint> bases(1, PredictionPoint{1, 1, 0});
  for (const auto& [place, values] : spec.fixed) {
    std::vector<PredictionPoint> next;
    for (const PredictionPoint& b : bases)
      for (double v : values) {
        PredictionPoint p = b;
        value_at(p, place) = v;
        next.push_back(p);
      }
    bases = std::move(next);
  }
  const double a = spec.log_spaced ? std::log(spec.from) : spec.from;
  const double b = spec.log_spaced ? std::log(spec.to) : spec.to;
  std::vector<PredictionPoint> out;
  for (const PredictionPoint& base : bases)
    for (int i = 0; i < spec.points; ++i) {
      PredictionPoint p = base;
      const double t = a + (b - a) * i / (spec.points - 1);
      // The ends exactly as given, not as exp(ln) rounds them (1e9 would print as 1000M).
      value_at(p, spec.sweep) = i == 0                 ? spec.from
                                : i == spec.points - 1 ? spec.to
                                : spec.log_spaced      ? std::exp(t)
                                                       : t;
      out.push_back(p);
    }
  return out;
}

std::vector<PredictionPoint> read_grid(const std::string& path, const PointKeys& keys) {
  const io::Table table = io::read_csv(path);
  std::vector<std::pair<char, int>> columns;
  for (char place : keys.order) {
    if (keys.needed(place)) {
      columns.emplace_back(place, io::find_column(table, keys.name(place), "--grid"));
    } else if (place == 'x') {
      for (std::size_t c = 0; c < table.header.size(); ++c)
        if (table.header[c] == keys.x) columns.emplace_back(place, static_cast<int>(c));
    }
  }
  std::vector<PredictionPoint> out;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    PredictionPoint p{1, 1, 0};
    for (const auto& [place, col] : columns) {
      double v = 0;
      const std::string& text = table.rows[r][col];
      const std::string where = path + ":" + std::to_string(table.line[r]) + ": column '" +
                                table.header[col] + "': ";
      if (!io::parse_number(text, v) || !std::isfinite(v))
        throw InputError(where + "'" + text + "' is not a finite number");
      if (place != 'x' && !(v > 0)) throw InputError(where + "must be positive");
      value_at(p, place) = v;
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace shannonfit
