// The two ways a user writes a formula law: "name: formula" on the command line, and a JSON law
// file with bounds, grids and a citation.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/input.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit::formula {
namespace {

using Json = nlohmann::ordered_json;

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

bool valid_law_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& why) const {
    throw InputError(source_ + ": " + (field.empty() ? "" : "field '" + field + "': ") + why);
  }
  std::string string(const Json& j, const std::string& field) const {
    if (!j.is_string()) fail(field, "must be a string");
    return j.get<std::string>();
  }
  double number(const Json& j, const std::string& field) const {
    if (!j.is_number()) fail(field, "must be a number");
    return j.get<double>();
  }
  int count(const Json& j, const std::string& field) const {
    if (!j.is_number_integer() || j.get<long long>() < 0 || j.get<long long>() > 1000)
      fail(field, "must be a whole number from 0 to 1000");
    return static_cast<int>(j.get<long long>());
  }

  ParameterSpec parameter(const Json& j, const std::string& name, const std::string& field) const {
    if (!j.is_object()) fail(field, "must be an object ({\"min\": ..., \"max\": ...})");
    ParameterSpec p;
    p.name = name;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string f = field + "." + it.key();
      if (it.key() == "name") continue;
      if (it.key() == "min") p.min = number(*it, f);
      else if (it.key() == "max") p.max = number(*it, f);
      else if (it.key() == "start") p.start = number(*it, f);
      else if (it.key() == "log") {
        if (!it->is_boolean()) fail(f, "must be true or false");
        p.log = it->get<bool>();
      } else if (it.key() == "grid") {
        if (!it->is_array() || it->empty() || it->size() > 64)
          fail(f, "must be a list of 1 to 64 numbers");
        for (const Json& v : *it) p.grid.push_back(number(v, f));
      } else {
        fail(f, "unknown field (known: name, min, max, log, grid, start)");
      }
    }
    return p;
  }

 private:
  std::string source_;
};

}  // namespace

LawSpec parse_law_argument(const std::string& argument, const std::string& option) {
  const std::size_t colon = argument.find(':');
  if (colon == std::string::npos)
    throw InputError(option + ": '" + argument + "' is neither a law name nor 'name: formula'");
  LawSpec spec;
  spec.name = trim(argument.substr(0, colon));
  // name(col1, col2): the data columns the formula reads, as a function's arguments.
  if (const std::size_t open = spec.name.find('('); open != std::string::npos) {
    const std::size_t close = spec.name.rfind(')');
    if (close != spec.name.size() - 1 || close < open)
      throw InputError(option + ": '" + spec.name + "' should be 'name(column, ...)'");
    std::string list = spec.name.substr(open + 1, close - open - 1);
    spec.name = trim(spec.name.substr(0, open));
    for (std::size_t start = 0; start <= list.size();) {
      std::size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      const std::string column = trim(list.substr(start, comma - start));
      if (column.empty())
        throw InputError(option + " '" + spec.name + "': an empty column name in (" + list + ")");
      if (std::find(spec.columns.begin(), spec.columns.end(), column) != spec.columns.end())
        throw InputError(option + " '" + spec.name + "': column '" + column + "' is listed twice");
      spec.columns.push_back(column);
      start = comma + 1;
    }
  }
  if (!valid_law_name(spec.name))
    throw InputError(option + ": '" + spec.name + "' is not a law name (letters, digits, '-', "
                     "'_' and '.', at most 64): write 'name: formula' or 'name(column, ...): "
                     "formula'");
  spec.formula = trim(argument.substr(colon + 1));
  spec.source = spec.where = option + " '" + spec.name + "'";
  return spec;
}

LawSpec parse_law_json(const std::string& text, const std::string& source) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {  // syntax, and numbers beyond a double (out_of_range)
    throw InputError(source + ": not valid JSON (" + e.what() + ")");
  }
  const Reader r(source);
  if (!j.is_object()) r.fail("", "a law file is a JSON object with \"name\" and \"formula\"");
  LawSpec spec;
  spec.source = source;
  bool has_name = false, has_formula = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "name") {
      spec.name = r.string(*it, key);
      if (!valid_law_name(spec.name))
        r.fail(key, "'" + spec.name + "' is not a law name (letters, digits, '-', '_', '.')");
      has_name = true;
    } else if (key == "formula") {
      spec.formula = r.string(*it, key);
      has_formula = true;
    } else if (key == "citation") {
      spec.citation = r.string(*it, key);
    } else if (key == "space") {
      const std::string s = r.string(*it, key);
      if (s == "log") spec.space = Space::Log;
      else if (s == "linear") spec.space = Space::Linear;
      else r.fail(key, "must be \"log\" or \"linear\"");
    } else if (key == "columns") {
      if (!it->is_array()) r.fail(key, "must be a list of column names");
      for (const Json& c : *it) spec.columns.push_back(r.string(c, key));
    } else if (key == "min_distinct") {
      if (!it->is_object()) r.fail(key, "must be an object {\"N\": n, \"D\": d, \"x\": k}");
      MinDistinct m;
      for (auto f = it->begin(); f != it->end(); ++f) {
        const std::string field = key + "." + f.key();
        if (f.key() == "N") m.n = r.count(*f, field);
        else if (f.key() == "D") m.d = r.count(*f, field);
        else if (f.key() == "x") m.x = r.count(*f, field);
        else r.fail(field, "unknown field (known: N, D, x)");
      }
      spec.min_distinct = m;
    } else if (key == "parameters") {
      if (it->is_array()) {
        for (std::size_t k = 0; k < it->size(); ++k) {
          const Json& p = (*it)[k];
          const std::string field = key + "[" + std::to_string(k) + "]";
          if (!p.is_object() || !p.contains("name"))
            r.fail(field, "must be an object with a \"name\"");
          spec.parameters.push_back(r.parameter(p, r.string(p["name"], field + ".name"), field));
        }
      } else if (it->is_object()) {
        for (auto p = it->begin(); p != it->end(); ++p)
          spec.parameters.push_back(r.parameter(*p, p.key(), key + "." + p.key()));
      } else {
        r.fail(key, "must be a list of parameters or an object of them by name");
      }
    } else {
      r.fail(key, "unknown field (known: name, formula, citation, parameters, columns, space, "
                  "min_distinct)");
    }
  }
  if (!has_name) r.fail("name", "is missing");
  if (!has_formula) r.fail("formula", "is missing");
  spec.where = source + ": field 'formula'";
  return spec;
}

LawSpec load_law_file(const std::string& path) {
  return parse_law_json(io::read_input(path, "law file"), path);
}

}  // namespace shannonfit::formula
