#pragma once
// Reading user data: a CSV with a header line becomes a validated Dataset through a column map.
//
// Every error is an InputError naming the file, the line and the column ("runs.csv:17: column
// 'loss': ..."), so the user can go straight to the bad cell. Rows a --filter drops are never
// validated: a filter is how users exclude rows they know to be unusable.
#include <optional>
#include <string>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit::io {

// A CSV file as text cells. RFC 4180 quoting: fields may be "quoted", with "" for a quote and
// commas or line breaks inside; unquoted fields are trimmed of spaces and tabs. Blank lines are
// skipped.
struct Table {
  std::string source;                           // the path, for messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;   // each as long as the header
  std::vector<long> line;                       // 1-based line where each row starts
};

// Throws InputError for a missing or unreadable file, an empty file, a file with no data rows,
// and a row whose field count differs from the header's.
// Reads with io::read_input: bounded, interruptible, "-" for standard input.
Table read_csv(const std::string& path);
Table parse_csv(const std::string& text, const std::string& source);

// Index of `name` in the header. Throws InputError naming `option`, the file and every column
// when it is absent (with the closest header name as "did you mean"), or when it appears more
// than once.
int find_column(const Table& table, const std::string& name, const std::string& option);

// What N, D and the loss are usually called ("params", "tokens", "val_loss"...): the column a
// ColumnMap left empty is the first of these in the header (case-insensitive, except one-letter
// names). Throws InputError naming `option` and the spellings tried when none is there.
enum class Role { N, D, Loss };
std::string guess_column(const std::vector<std::string>& header, Role role,
                         const std::string& option, const std::string& source);
// The header name closest to `name` (case, spaces and underscores aside, or a couple of typos),
// or "" when none is close.
std::string closest_column(const std::vector<std::string>& header, const std::string& name);

// A whole cell as a number (surrounding spaces allowed). NaN and infinities parse as such; the
// caller decides whether they are allowed.
bool parse_number(const std::string& cell, double& out);
// A size, token count or compute budget as people write them: a number (5.76e23) or a number
// with a K, M, B (or G), T or P suffix for 10^3 .. 10^15 ("12B", "307B", "1.4T", "70M").
bool parse_quantity(const std::string& text, double& out);
// The inverse for text people read: 16.18B, 307B, 1.4T; beyond 1000T (compute budgets) in
// scientific notation, 5.76e+23. parse_quantity reads every result back to `digits` digits.
std::string format_quantity(double value, int digits = 4);

std::string join_names(const std::vector<std::string>& names);
// The pieces of `s` between the separators, empty ones kept ("a,,b," is a, "", b, ""); none
// for an empty `s`.
std::vector<std::string> split(const std::string& s, char sep);

// How a perturbation column maps to the strength x the laws use (docs/laws.md §3).
enum class PerturbationKind {
  Noise,         // noise:<col>          x = σ of the Gaussian weight noise
  NoiseSnrDb,    // noise-snr-db:<col>   x = 10^(−SNR/20), the noise given as an SNR in dB
  QuantBits,     // quant-bits:<col>     x = 2^(−bits)
  LearningRate,  // sft:<col>            x = fine-tuning learning rate
};
struct Perturbation {
  PerturbationKind kind;
  std::string column;
};
// "noise:sigma", "quant-bits:bits", ...; throws InputError listing the kinds otherwise.
Perturbation parse_perturbation(const std::string& spec);
const char* to_string(PerturbationKind kind);

// Which CSV columns hold what, and which rows to use.
// n, d (unless flops) and loss, when empty, are guessed from the header (guess_column).
struct ColumnMap {
  std::string n;
  std::string d;      // tokens
  std::string flops;  // training compute C instead of tokens; D = C / (6 N)
  std::string loss;
  std::string group;   // optional: group label per row (leave-one-group-out, grouping in plots)
  std::string weight;  // optional: positive weight per row
  std::string by;      // optional: split into one dataset per distinct value
  std::optional<Perturbation> perturbation;
  std::string filter;          // optional row condition, see filter.hpp
  int drop_highest_loss = 0;   // after filtering, drop this many highest-loss rows
  // For formula laws (formula/formula.hpp's ColumnBinding): N and D are read only when a law
  // uses them (else every row holds 1); n, d may then name a law's own column, read in their
  // place (positive, the solver carries them as logarithms), and x_column one read as x (any
  // finite value).
  bool read_n = true, read_d = true;
  bool n_is_law_column = false, d_is_law_column = false;
  std::string x_column;
  // The response may be any finite number (linear-space fits); else it must be positive.
  bool any_sign_loss = false;
};

// One dataset per --by value (a single one with an empty label without --by).
struct Slice {
  std::string by_value;
  Dataset data;
};

struct LoadedData {
  std::vector<Slice> slices;   // --by values numerically ascending when all are numbers,
                               // else in order of first appearance
  long rows_read = 0;          // data rows in the file
  long rows_filtered_out = 0;  // removed by --filter
  std::vector<long> dropped_lines;  // removed by --drop-highest-loss, highest loss first
  ColumnMap columns;                // the map used, with guessed column names filled in
};

LoadedData load_data(const std::string& path, const ColumnMap& map);
LoadedData load_data(const Table& table, const ColumnMap& map);

// The rows `rows` of `data`, in that order, with groups renumbered to those present.
Dataset subset(const Dataset& data, const std::vector<std::size_t>& rows);

// What each fitted column is called in messages: the CSV header ("params", "D (= C/(6N) from
// compute)", "sigma (perturbation)") or, from Python, the array or DataFrame column.
struct ColumnLabels {
  std::string n = "N", d = "D", x = "x";
};
ColumnLabels column_labels(const ColumnMap& map);

// Throws InputError unless `data` can identify `law`: at least as many rows as the law has
// parameters and as many distinct N, D and x as LawInfo::min_distinct asks, naming the column
// and both counts. `context` says which data it is ("runs.csv, --by lr=3e-4"); `reduced_by`,
// when not empty, names what may have removed rows ("--filter and --by"), as a hint.
void require_fittable(const Dataset& data, const LawInfo& law, const ColumnLabels& columns,
                      const std::string& context, const std::string& reduced_by = "");

}  // namespace shannonfit::io
