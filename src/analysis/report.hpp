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

// The interpreter for the report scripts: $SHANNONFIT_REPORT_PYTHON when set, else
// /usr/bin/python3 (Debian's, where matplotlib lives), else python3 on PATH.
std::string python();

// The folder holding the report scripts (plot_report.py, render_html.py and the report_units.py
// they share), found from the running executable: <prefix>/share/shannonfit beside an installed
// <prefix>/bin/shannonfit, or share/shannonfit in the build folder, where the build copies them.
// Throws std::runtime_error naming the places looked at when neither holds them.
std::string scripts_dir();

// Throws std::runtime_error unless the report scripts are installed and the interpreter runs.
// Commands that write report.html call it before any fitting, so that a broken installation
// costs nothing.
void require_report_tools();

struct ScriptOutcome {
  bool ran = false;        // false: matplotlib is not importable
  int exit_code = 0;
  std::string why_not;     // one line for the user when !ran
};

// Renders figures/ with plot_report.py. Figures are skipped (one clear line in `why_not`) when
// matplotlib is not importable; the page is then written without them.
ScriptOutcome render_figures(const std::string& dir, bool quiet);
// Writes report.html with render_html.py; throws std::runtime_error when it cannot.
void render_html(const std::string& dir);

}  // namespace shannonfit::report
