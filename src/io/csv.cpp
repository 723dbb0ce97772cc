#include "io/csv.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "io/filter.hpp"
#include "io/input.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::io {

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string where(const std::string& source, long line) {
  return source + ":" + std::to_string(line);
}

// Splits text into records of fields, each record with the line it starts on.
struct RawRecord {
  std::vector<std::string> fields;
  long line;
};

std::vector<RawRecord> split_records(const std::string& text, const std::string& source) {
  std::vector<RawRecord> records;
  std::size_t i = 0;
  long line = 1;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;  // UTF-8 byte-order mark
  while (i < text.size()) {
    RawRecord rec{{}, line};
    bool blank = true;
    while (true) {
      std::string field;
      std::size_t j = i;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j < text.size() && text[j] == '"') {
        blank = false;
        const long quote_line = line;
        i = j + 1;
        while (true) {
          if (i >= text.size())
            throw InputError(where(source, quote_line) + ": a quoted field is never closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        if (text.compare(i, 2, "\r\n") == 0) ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n')
          throw InputError(where(source, line) + ": unexpected text after a closing quote");
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n') field += text[i++];
        if (!field.empty() && field.back() == '\r') field.pop_back();
        field = trim(field);
        if (!field.empty()) blank = false;
      }
      rec.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        blank = false;
        ++i;
        continue;
      }
      break;
    }
    if (i < text.size() && text[i] == '\n') {
      ++i;
      ++line;
    }
    if (!blank) records.push_back(std::move(rec));
  }
  return records;
}

// A validated number from one cell.
struct CellReader {
  const Table& table;
  std::size_t row;

  std::string at(int col) const {
    return where(table.source, table.line[row]) + ": column '" + table.header[col] + "'";
  }

  double finite(int col) const {
    const std::string& cell = table.rows[row][col];
    double v;
    if (cell.empty()) throw InputError(at(col) + ": the value is empty");
    if (!parse_number(cell, v)) throw InputError(at(col) + ": '" + cell + "' is not a number");
    if (!std::isfinite(v)) throw InputError(at(col) + ": '" + cell + "' is not a finite number");
    return v;
  }

  double positive(int col, const char* what) const {
    const double v = finite(col);
    if (!(v > 0))
      throw InputError(at(col) + ": " + what + " must be > 0, got " + table.rows[row][col]);
    return v;
  }

  double non_negative(int col, const char* what) const {
    const double v = finite(col);
    if (v < 0)
      throw InputError(at(col) + ": " + what + " must be >= 0, got " + table.rows[row][col]);
    return v;
  }
};

double perturbation_x(const CellReader& r, int col, PerturbationKind kind) {
  switch (kind) {
    case PerturbationKind::Noise: return r.non_negative(col, "the noise sigma");
    case PerturbationKind::NoiseSnrDb: {
      const double x = std::pow(10.0, -r.finite(col) / 20.0);
      if (!std::isfinite(x))
        throw InputError(r.at(col) + ": an SNR of " + r.table.rows[r.row][col] +
                         " dB gives a noise strength beyond the range of a double");
      return x;
    }
    case PerturbationKind::QuantBits: return std::exp2(-r.positive(col, "the bit width"));
    case PerturbationKind::LearningRate: return r.non_negative(col, "the learning rate");
  }
  return 0;
}

// The --by values in their reporting order.
std::vector<std::string> ordered_values(const std::vector<std::string>& values) {
  std::vector<std::string> distinct;
  for (const auto& v : values)
    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end()) distinct.push_back(v);
  double unused;
  const bool numeric = std::all_of(distinct.begin(), distinct.end(), [&](const std::string& v) {
    return parse_number(v, unused);
  });
  if (numeric)
    std::stable_sort(distinct.begin(), distinct.end(), [](const std::string& a, const std::string& b) {
      return std::strtod(a.c_str(), nullptr) < std::strtod(b.c_str(), nullptr);
    });
  return distinct;
}

}  // namespace

bool parse_number(const std::string& cell, double& out) {
  const std::string s = trim(cell);
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

bool parse_quantity(const std::string& text, double& out) {
  if (parse_number(text, out)) return true;
  const std::string s = trim(text);
  if (s.size() < 2) return false;
  double scale = 0;
  switch (std::toupper(static_cast<unsigned char>(s.back()))) {
    case 'K': scale = 1e3; break;
    case 'M': scale = 1e6; break;
    case 'B': case 'G': scale = 1e9; break;
    case 'T': scale = 1e12; break;
    case 'P': scale = 1e15; break;
    default: return false;
  }
  if (!parse_number(s.substr(0, s.size() - 1), out)) return false;
  out *= scale;
  return true;
}

std::string format_quantity(double value, int digits) {
  static constexpr std::pair<char, double> kSuffixes[] = {{'T', 1e12}, {'B', 1e9}, {'M', 1e6},
                                                          {'K', 1e3}};
  const double magnitude = std::fabs(value);
  if (std::isfinite(value) && magnitude < 1e15)
    for (const auto& [suffix, scale] : kSuffixes)
      if (magnitude >= scale) return fmt::format("{:.{}g}{}", value / scale, digits, suffix);
  return fmt::format("{:.{}g}", value, digits);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Table parse_csv(const std::string& text, const std::string& source) {
  auto records = split_records(text, source);
  if (records.empty()) throw InputError(source + ": the file is empty (expected a header line)");
  Table t;
  t.source = source;
  t.header = std::move(records.front().fields);
  for (std::size_t r = 1; r < records.size(); ++r) {
    auto& rec = records[r];
    if (rec.fields.size() != t.header.size())
      throw InputError(where(source, rec.line) + ": expected " + std::to_string(t.header.size()) +
                       " fields like the header, found " + std::to_string(rec.fields.size()));
    t.rows.push_back(std::move(rec.fields));
    t.line.push_back(rec.line);
  }
  if (t.rows.empty()) throw InputError(source + ": no data rows after the header");
  return t;
}

Table read_csv(const std::string& path) {
  return parse_csv(read_input(path, ""), path == "-" ? "<stdin>" : path);
}

namespace {

// Lower case without spaces, underscores and dashes: "Model Size" and "model_size" compare equal.
std::string folded(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '_' && c != '-')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const std::vector<std::string>& usual_names(Role role) {
  static const std::vector<std::string> n = {"N", "params", "parameters", "n_params",
                                             "num_params", "nparams", "model_size", "size"};
  static const std::vector<std::string> d = {"D", "tokens", "n_tokens", "num_tokens",
                                             "train_tokens", "training_tokens", "data",
                                             "data_size", "dataset_size"};
  static const std::vector<std::string> loss = {"loss", "val_loss", "eval_loss",
                                                "validation_loss", "valid_loss", "test_loss",
                                                "L", "train_loss"};
  return role == Role::N ? n : role == Role::D ? d : loss;
}

}  // namespace

std::string closest_column(const std::vector<std::string>& header, const std::string& name) {
  std::string best;
  std::size_t best_distance = 3;  // more than two edits is a different name
  for (const std::string& column : header) {
    const std::size_t distance =
        folded(column) == folded(name) ? 0 : edit_distance(folded(column), folded(name));
    if (distance < best_distance && distance < std::max<std::size_t>(folded(name).size(), 2)) {
      best = column;
      best_distance = distance;
    }
  }
  return best;
}

std::string guess_column(const std::vector<std::string>& header, Role role,
                         const std::string& option, const std::string& source) {
  for (const std::string& usual : usual_names(role))
    for (const std::string& column : header)
      if (usual.size() == 1 ? column == usual : folded(column) == folded(usual)) return column;
  const char* what = role == Role::N ? "the parameter count N"
                     : role == Role::D ? "the training tokens D"
                                       : "the loss";
  std::string close;
  for (const std::string& usual : usual_names(role))
    if (close.empty()) close = closest_column(header, usual);
  throw InputError(source + ": no column for " + what + " (looked for " +
                   join_names(usual_names(role)) + "; columns: " + join_names(header) +
                   "): name it with " + option +
                   (close.empty() ? "" : "; did you mean '" + close + "'?"));
}

int find_column(const Table& table, const std::string& name, const std::string& option) {
  const auto first = std::find(table.header.begin(), table.header.end(), name);
  if (first == table.header.end()) {
    const std::string close = closest_column(table.header, name);
    throw InputError(table.source + ": " + option + ": no column '" + name +
                     "' (columns: " + join_names(table.header) + ")" +
                     (close.empty() ? "" : "; did you mean '" + close + "'?"));
  }
  if (std::find(first + 1, table.header.end(), name) != table.header.end())
    throw InputError(table.source + ": " + option + ": column '" + name +
                     "' appears more than once in the header");
  return static_cast<int>(first - table.header.begin());
}

Perturbation parse_perturbation(const std::string& spec) {
  static const std::pair<const char*, PerturbationKind> kinds[] = {
      {"noise", PerturbationKind::Noise},
      {"noise-snr-db", PerturbationKind::NoiseSnrDb},
      {"quant-bits", PerturbationKind::QuantBits},
      {"sft", PerturbationKind::LearningRate}};
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  for (const auto& k : kinds)
    if (kind == k.first) {
      if (colon == std::string::npos || colon + 1 == spec.size())
        throw InputError("perturbation '" + spec + "' names no column (write " + kind + ":COLUMN)");
      return {k.second, spec.substr(colon + 1)};
    }
  throw InputError("unknown perturbation kind in '" + spec +
                   "' (use noise:COL, noise-snr-db:COL, quant-bits:COL or sft:COL)");
}

const char* to_string(PerturbationKind kind) {
  switch (kind) {
    case PerturbationKind::Noise: return "noise";
    case PerturbationKind::NoiseSnrDb: return "noise-snr-db";
    case PerturbationKind::QuantBits: return "quant-bits";
    case PerturbationKind::LearningRate: return "sft";
  }
  return "unknown";
}

LoadedData load_data(const std::string& path, const ColumnMap& map) {
  return load_data(read_csv(path), map);
}

LoadedData load_data(const Table& table, const ColumnMap& given) {
  LoadedData out;
  out.rows_read = static_cast<long>(table.rows.size());
  ColumnMap map = given;
  if (!map.read_n) map.n.clear();
  if (!map.read_d) map.d.clear(), map.flops.clear();
  if (map.read_n && map.n.empty())
    map.n = guess_column(table.header, Role::N, "--n-col", table.source);
  if (map.read_d && map.d.empty() && map.flops.empty())
    map.d = guess_column(table.header, Role::D, "--d-col (or --flops-col)", table.source);
  if (map.loss.empty())
    map.loss = guess_column(table.header, Role::Loss, "--loss-col", table.source);
  out.columns = map;

  // A law's own columns are named by the law, not by an option.
  const auto law_column = [&](const std::string& name) {
    return find_column(table, name, "the law's formula");
  };
  const int n_col = !map.read_n ? -1
                    : map.n_is_law_column ? law_column(map.n)
                                          : find_column(table, map.n, "--n-col");
  const bool from_flops = !map.flops.empty();
  const int d_col = !map.read_d       ? -1
                    : map.d_is_law_column ? law_column(map.d)
                    : from_flops      ? find_column(table, map.flops, "--flops-col")
                                      : find_column(table, map.d, "--d-col");
  const int loss_col = find_column(table, map.loss, "--loss-col");
  const int group_col = map.group.empty() ? -1 : find_column(table, map.group, "--group-col");
  const int weight_col = map.weight.empty() ? -1 : find_column(table, map.weight, "--weight-col");
  const int by_col = map.by.empty() ? -1 : find_column(table, map.by, "--by");
  const int x_col = !map.x_column.empty() ? law_column(map.x_column)
                    : map.perturbation
                        ? find_column(table, map.perturbation->column, "--perturbation")
                        : -1;

  std::vector<std::size_t> kept;
  if (map.filter.empty()) {
    kept.resize(table.rows.size());
    std::iota(kept.begin(), kept.end(), 0);
  } else {
    const Filter filter(map.filter, table.header);
    for (std::size_t r = 0; r < table.rows.size(); ++r)
      if (filter.matches(table.rows[r], where(table.source, table.line[r]))) kept.push_back(r);
    out.rows_filtered_out = static_cast<long>(table.rows.size() - kept.size());
    if (kept.empty())
      throw InputError(table.source + ": --filter '" + map.filter + "' keeps none of the " +
                       std::to_string(table.rows.size()) + " rows");
  }

  Dataset all;
  all.source = table.source;
  std::vector<std::string> by_values;
  std::map<std::string, int> group_index;
  for (const std::size_t r : kept) {
    const CellReader cell{table, r};
    const char* const carried =
        "a law's second and third data columns are carried as logarithms and so";
    const double n = n_col < 0 ? 1.0
                     : cell.positive(n_col, map.n_is_law_column ? carried : "the parameter count N");
    const double d = d_col < 0            ? 1.0
                     : map.d_is_law_column ? cell.positive(d_col, carried)
                     : from_flops ? cell.positive(d_col, "the compute C") / (6.0 * n)
                                  : cell.positive(d_col, "the token count D");
    // C / (6 N) can underflow to 0 or overflow to infinity even when C and N are fine.
    if (!(std::isfinite(d) && d > 0))
      throw InputError(cell.at(d_col) + ": D = C / (6 N) = " + table.rows[r][d_col] + " / (6 * " +
                       table.rows[r][n_col] + ") is beyond the range of a double");
    all.n.push_back(n);
    all.d.push_back(d);
    all.loss.push_back(map.any_sign_loss ? cell.finite(loss_col)
                                         : cell.positive(loss_col, "the loss"));
    all.line.push_back(table.line[r]);
    if (weight_col >= 0) all.weight.push_back(cell.positive(weight_col, "the weight"));
    if (x_col >= 0)
      all.x.push_back(!map.x_column.empty() ? cell.finite(x_col)
                                            : perturbation_x(cell, x_col, map.perturbation->kind));
    if (group_col >= 0) {
      const std::string& g = table.rows[r][group_col];
      const auto it = group_index.emplace(g, static_cast<int>(all.group_names.size())).first;
      if (it->second == static_cast<int>(all.group_names.size())) all.group_names.push_back(g);
      all.group.push_back(it->second);
    }
    if (by_col >= 0) by_values.push_back(table.rows[r][by_col]);
  }

  std::vector<std::size_t> rows(all.size());
  std::iota(rows.begin(), rows.end(), 0);
  if (map.drop_highest_loss < 0) throw InputError("--drop-highest-loss must be >= 0");
  if (map.drop_highest_loss > 0) {
    const auto k = static_cast<std::size_t>(map.drop_highest_loss);
    if (k >= rows.size())
      throw InputError(table.source + ": --drop-highest-loss " + std::to_string(k) +
                       " would drop every one of the " + std::to_string(rows.size()) + " rows");
    std::stable_sort(rows.begin(), rows.end(),
                     [&](std::size_t a, std::size_t b) { return all.loss[a] > all.loss[b]; });
    for (std::size_t i = 0; i < k; ++i) out.dropped_lines.push_back(all.line[rows[i]]);
    rows.erase(rows.begin(), rows.begin() + static_cast<long>(k));
    std::sort(rows.begin(), rows.end());
  }

  if (by_col < 0) {
    out.slices.push_back({"", subset(all, rows)});
    return out;
  }
  std::vector<std::string> present;
  for (const std::size_t r : rows) present.push_back(by_values[r]);
  for (const auto& value : ordered_values(present)) {
    std::vector<std::size_t> members;
    for (const std::size_t r : rows)
      if (by_values[r] == value) members.push_back(r);
    out.slices.push_back({value, subset(all, members)});
  }
  return out;
}

Dataset subset(const Dataset& data, const std::vector<std::size_t>& rows) {
  Dataset s;
  s.source = data.source;
  std::map<int, int> renumber;
  for (const std::size_t r : rows) {
    s.n.push_back(data.n[r]);
    s.d.push_back(data.d[r]);
    s.loss.push_back(data.loss[r]);
    s.line.push_back(data.line[r]);
    if (data.has_x()) s.x.push_back(data.x[r]);
    if (!data.weight.empty()) s.weight.push_back(data.weight[r]);
    if (!data.group.empty()) {
      const int g = data.group[r];
      const auto it = renumber.emplace(g, static_cast<int>(s.group_names.size())).first;
      if (it->second == static_cast<int>(s.group_names.size()))
        s.group_names.push_back(data.group_names[g]);
      s.group.push_back(it->second);
    }
  }
  return s;
}

ColumnLabels column_labels(const ColumnMap& map) {
  ColumnLabels c;
  if (!map.n.empty()) c.n = map.n;
  if (!map.flops.empty())
    c.d = "D (= C/(6N) from " + map.flops + ")";
  else if (!map.d.empty())
    c.d = map.d;
  if (!map.x_column.empty())
    c.x = map.x_column;
  else if (map.perturbation)
    c.x = map.perturbation->column + " (perturbation)";
  return c;
}

void require_fittable(const Dataset& data, const LawInfo& law, const ColumnLabels& columns,
                      const std::string& context, const std::string& reduced_by) {
  const std::string hint = reduced_by.empty() ? "" : " (after " + reduced_by + ")";
  if (data.size() < law.params.size())
    throw InputError(context + ": law '" + law.name + "' has " + std::to_string(law.params.size()) +
                     " parameters but only " + std::to_string(data.size()) +
                     " rows remain to fit it" + hint);
  const auto check = [&](const std::vector<double>& values, int needed, const std::string& column) {
    const std::size_t distinct = std::set<double>(values.begin(), values.end()).size();
    if (needed > 0 && distinct < static_cast<std::size_t>(needed))
      throw InputError(context + ": column " + column + " has " + std::to_string(distinct) +
                       " distinct value" + (distinct == 1 ? "" : "s") + "; law '" + law.name +
                       "' needs at least " + std::to_string(needed) +
                       " to identify its parameters" + hint);
  };
  const MinDistinct& need = law.min_distinct;
  check(data.n, need.n, columns.n);
  check(data.d, need.d, columns.d);
  if (data.has_x()) check(data.x, need.x, columns.x);
}

}  // namespace shannonfit::io
