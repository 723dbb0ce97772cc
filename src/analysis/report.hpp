#pragma once
// The report folder `shannonfit analyze` writes: report.json, CSV tables, figures/ and
// report.html. This file owns the folder itself (creation rules, checksums, writing, running
// the figure and HTML scripts); what goes into the tables is decided by the analysis.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace shannonfit::report {

// A CSV table built row by row; numbers are written with enough digits to round-trip.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  Table& row();                        // starts a new row
  Table& cell(const std::string& text);
  Table& cell(double value);           // NaN/inf written as nan/inf/-inf
  Table& cell(long value);
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  std::string to_csv() const;          // throws std::logic_error when a row is short or long

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

struct Folder {
  nlohmann::json json;                 // written as report.json
  std::map<std::string, Table> tables; // file name -> table
};

// The default folder for a data file: reports/<file name without extension> (reports/stdin for
// standard input).
std::string default_dir(const std::string& data_path);

// Why --force may not replace the non-empty folder `dir`, or "" when it is an earlier report:
// a report.json written by shannonfit, and nothing but the files a report writes (regular files,
// figures/ a real folder of figures; no symbolic links). An io::ReplaceCheck.
std::string replaceable(const std::string& dir);

// Writes report.json and every table into `dir` (a fresh io::StagedFolder). Throws
// io::OutputError naming the file when a write fails.
void write(const Folder& folder, const std::string& dir);

// Lower-case hex SHA-256 of a file's bytes ("-": standard input, as read). Throws InputError
// when it cannot be read.
std::string sha256_file(const std::string& path);

// The command line of this process, shell-quoted so it can be pasted back into a shell.
std::string command_line();

// JSON for a number that may be NaN or infinite (null then: JSON has no NaN).
nlohmann::json number(double v);

// Where the helper scripts live: $SHANNONFIT_TOOLS when set, else the source tree's tools/.
std::string tools_dir();
// The interpreter for the helper scripts: $SHANNONFIT_PYTHON when set, else /usr/bin/python3
// (Debian's, where matplotlib lives), else python3 on PATH.
std::string python();

struct ScriptOutcome {
  bool ran = false;        // false: the interpreter or a module it needs is missing
  int exit_code = 0;
  std::string why_not;     // one line for the user when !ran
};

// Renders figures/ with tools/plot_report.py, then report.html with tools/render_html.py.
// Figures are skipped (one clear line in `why_not`) when matplotlib is not importable; the HTML
// page is written whenever Python is there, with or without figures.
ScriptOutcome render_figures(const std::string& dir, bool quiet);
ScriptOutcome render_html(const std::string& dir, bool quiet);

}  // namespace shannonfit::report
