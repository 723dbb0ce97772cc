#include "analysis/law_inputs.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "io/text_table.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit {

namespace {

// What one law reads in each of the solver's three per-row places: N, D, x themselves, a column
// of its own, or nothing ("").
struct PlaceUse {
  std::string n, d, x;
};
PlaceUse place_use(const LawEntry& law) {
  if (!law.formula) return {"N", "D", law.info.needs == Needs::Perturbation ? "x" : ""};
  const formula::ColumnBinding& b = law.formula->columns;
  auto use = [](bool used, const std::string& column, const char* itself) {
    return !used ? std::string() : column.empty() ? std::string(itself) : "column '" + column + "'";
  };
  return {use(b.uses_n, b.n, "N"), use(b.uses_d, b.d, "D"), use(b.uses_x, b.x, "x")};
}

// One reading of each place for all laws: the first law that reads it decides.
PlaceUse common_use(const std::vector<const LawEntry*>& laws) {
  PlaceUse common;
  std::string by_n, by_d, by_x;
  auto settle = [](std::string& place, std::string& by, const std::string& use,
                   const std::string& law) {
    if (use.empty()) return;
    if (place.empty()) {
      place = use, by = law;
    } else if (place != use) {
      throw InputError("laws " + by + " and " + law + " read different data in one place (" +
                       place + " and " + use +
                       "; the engine fits every law of a command to one dataset): fit them in "
                       "separate commands");
    }
  };
  for (const LawEntry* law : laws) {
    const PlaceUse u = place_use(*law);
    settle(common.n, by_n, u.n, law->info.name);
    settle(common.d, by_d, u.d, law->info.name);
    settle(common.x, by_x, u.x, law->info.name);
  }
  return common;
}

// The column a place holds, when a law's own.
std::string law_column_of(const LawEntry& law, char place) {
  if (!law.formula) return "";
  const formula::ColumnBinding& b = law.formula->columns;
  return place == 'n' ? b.n : place == 'd' ? b.d : b.x;
}
std::string column_in(const std::vector<const LawEntry*>& laws, char place) {
  for (const LawEntry* law : laws)
    if (const std::string c = law_column_of(*law, place); !c.empty()) return c;
  return "";
}

// One start in the solver's space, the law's default start where it names no value.
std::vector<double> parse_start(const LawInfo& info, const std::string& spec,
                                const std::string& option_name) {
  const std::string option = option_name + " '" + spec + "'";
  std::vector<double> start = single_start(info);
  std::vector<std::string> names;
  for (const ParamSpec& p : info.params) names.push_back(p.reported_name);
  std::vector<bool> named(names.size(), false);
  const std::vector<std::string> items = io::split(spec, ',');
  for (const std::string& item : items.empty() ? std::vector<std::string>{""} : items) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw InputError(option + ": expected NAME=VALUE items, got '" + item + "'");
    const std::string name = item.substr(0, eq);
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      const std::string close = io::closest_column(names, name);
      throw InputError(option + ": law '" + info.name + "' has no parameter '" + name +
                       "' (parameters: " + io::join_names(names) + ")" +
                       (close.empty() ? "" : "; did you mean '" + close + "'?"));
    }
    const std::size_t k = static_cast<std::size_t>(it - names.begin());
    if (named[k]) throw InputError(option + ": '" + name + "' is given twice");
    named[k] = true;
    double v = 0;
    if (!io::parse_number(item.substr(eq + 1), v) || !std::isfinite(v))
      throw InputError(option + ": '" + item.substr(eq + 1) + "' is not a finite number");
    const ParamSpec& p = info.params[k];
    if (p.reported == Reported::Exp) {
      if (!(v > 0))
        throw InputError(option + ": " + name + " is fitted as its logarithm and must start > 0");
      v = std::log(v);
    }
    if (v < p.lo || v > p.hi)
      throw InputError(option + ": " + name + " starts outside its bounds [" +
                       io::format_number(p.reported == Reported::Exp ? std::exp(p.lo) : p.lo) +
                       ", " +
                       io::format_number(p.reported == Reported::Exp ? std::exp(p.hi) : p.hi) +
                       "]");
    start[k] = v;
  }
  return start;
}

}  // namespace

io::ColumnMap bind_law_columns(io::ColumnMap map, const std::vector<const LawEntry*>& laws,
                               Space space) {
  const PlaceUse use = common_use(laws);
  map.read_n = !use.n.empty();
  map.read_d = !use.d.empty();
  if (const std::string c = column_in(laws, 'n'); !c.empty()) map.n = c, map.n_is_law_column = true;
  if (const std::string c = column_in(laws, 'd'); !c.empty()) {
    map.d = c, map.d_is_law_column = true;
    map.flops.clear();
  }
  map.x_column = column_in(laws, 'x');
  map.any_sign_loss = space == Space::Linear;
  return map;
}

PointKeys point_keys(const std::vector<const LawEntry*>& laws) {
  const PlaceUse use = common_use(laws);
  PointKeys k;
  k.need_n = !use.n.empty();
  k.need_d = !use.d.empty();
  if (const std::string c = column_in(laws, 'n'); !c.empty()) k.n = c;
  if (const std::string c = column_in(laws, 'd'); !c.empty()) k.d = c;
  if (const std::string c = column_in(laws, 'x'); !c.empty()) k.x = c, k.need_x = true;
  if (!k.own_columns()) return k;
  // N and D themselves first, then the law's own columns as it declares them.
  k.order.clear();
  for (char place : {'n', 'd'})
    if (k.needed(place) && k.name(place) == (place == 'n' ? "N" : "D")) k.order += place;
  for (const LawEntry* law : laws)
    if (law->formula)
      for (const std::string& column : law->formula->expression.columns)
        for (char place : {'x', 'n', 'd'})
          if (k.needed(place) && k.name(place) == column &&
              k.order.find(place) == std::string::npos)
            k.order += place;
  return k;
}

std::string response_name(const std::vector<const LawEntry*>& laws, const std::string& column) {
  const bool all_built_in =
      std::all_of(laws.begin(), laws.end(), [](const LawEntry* law) { return !law->formula; });
  std::string lower = column;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (all_built_in || column.empty() || lower == "l" || lower.find("loss") != std::string::npos)
    return "loss";
  return column;
}

Space fit_space(const std::vector<const LawEntry*>& laws, const std::string& requested,
                const std::string& option) {
  if (requested == "linear") return Space::Linear;
  if (requested == "log") return Space::Log;
  if (!requested.empty())
    throw InputError(option + ": unknown space '" + requested + "' (choose log or linear)");
  std::optional<Space> common;
  const LawEntry* first = nullptr;
  for (const LawEntry* law : laws) {
    const Space own = law->formula ? law->formula->space : Space::Log;
    if (common && *common != own)
      throw InputError("laws " + first->info.name + " and " + law->info.name +
                       " are fitted in different spaces (" + to_string(*common) + " and " +
                       to_string(own) + "); choose one with " + option);
    if (!common) common = own, first = law;
  }
  return common.value_or(Space::Log);
}

std::vector<double> parse_starts(const std::vector<const LawEntry*>& laws,
                                 const std::vector<std::string>& specs, const std::string& option) {
  std::vector<double> out;
  if (specs.empty()) return out;
  if (laws.size() != 1)
    throw InputError(option + " gives the starts of one law's parameters; fit " +
                     std::to_string(laws.size()) + " laws in separate commands to start each");
  for (const std::string& spec : specs) {
    const std::vector<double> start = parse_start(laws.front()->info, spec, option);
    out.insert(out.end(), start.begin(), start.end());
  }
  return out;
}

void set_tolerance(FitOptions& options, double tolerance, const std::string& option) {
  if (!(tolerance >= 0 && tolerance <= kMaxTolerance))
    throw InputError(option + ": " + io::format_number(tolerance) + " is not in (0, " +
                     io::format_number(kMaxTolerance) + "]");
  if (tolerance > 0) options.step_tol = options.cost_tol = options.grad_tol = tolerance;
}

}  // namespace shannonfit
