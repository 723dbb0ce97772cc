#include "analysis/report.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "io/input.hpp"
#include "io/output.hpp"
#include "shannonfit/errors.hpp"

namespace fs = std::filesystem;

namespace shannonfit::report {

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

Table& Table::row() {
  rows_.emplace_back();
  return *this;
}

Table& Table::cell(const std::string& text) {
  if (rows_.empty()) throw std::logic_error("report table: cell before row()");
  const bool quote = text.find_first_of(",\"\n\r") != std::string::npos;
  if (!quote) {
    rows_.back().push_back(text);
    return *this;
  }
  std::string q = "\"";
  for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  rows_.back().push_back(q + "\"");
  return *this;
}

Table& Table::cell(double value) {
  if (std::isnan(value)) return cell(std::string("nan"));
  if (std::isinf(value)) return cell(std::string(value > 0 ? "inf" : "-inf"));
  return cell(fmt::format("{}", value));  // shortest representation that round-trips
}

Table& Table::cell(long value) { return cell(std::to_string(value)); }

std::string Table::to_csv() const {
  std::string out;
  for (std::size_t i = 0; i < header_.size(); ++i) out += (i ? "," : "") + header_[i];
  out += '\n';
  for (const auto& r : rows_) {
    if (r.size() != header_.size())
      throw std::logic_error(fmt::format("report table: a row has {} cells for {} columns",
                                         r.size(), header_.size()));
    for (std::size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + r[i];
    out += '\n';
  }
  return out;
}

std::string default_dir(const std::string& data_path) {
  if (data_path == "-") return (fs::path("reports") / "stdin").string();
  return (fs::path("reports") / fs::path(data_path).stem()).string();
}

namespace {

// Every file a report writes. --force replaces exactly these, so `--out . --force` can never
// delete the user's own CSV files; write() refuses a table not listed here.
const char* const kOwnFiles[] = {"report.json", "report.html", "params.csv", "predictions.csv",
                                 "selection.csv", "data.csv", "fitted.csv", "curves.csv",
                                 "bootstrap.csv", "compute_optimal.csv", "timing.json"};
// Name prefixes of the figures tools/plot_report.py draws into figures/.
const char* const kFigurePrefixes[] = {"fit_", "residuals", "predictions", "selection", "pairs_",
                                       "perturbation_"};

bool own_file(const std::string& name) {
  for (const char* own : kOwnFiles)
    if (name == own) return true;
  return false;
}

bool own_figure(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext != ".png" && ext != ".svg") return false;
  const std::string stem = path.stem().string();
  for (const char* prefix : kFigurePrefixes)
    if (stem.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

std::string replaceable(const std::string& dir) {
  const fs::path root(dir);
  std::error_code ec;
  const auto status = fs::symlink_status(root / "report.json", ec);
  if (ec || !fs::is_regular_file(status)) return "'" + dir + "' holds no report.json";
  try {
    const auto json = nlohmann::json::parse(io::read_input((root / "report.json").string(),
                                                           "report.json"));
    if (!json.is_object() || json.value("tool", "") != "shannonfit")
      return "'" + (root / "report.json").string() + "' was not written by shannonfit";
  } catch (const std::exception&) {
    return "'" + (root / "report.json").string() + "' is not a shannonfit report";
  }
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    const auto st = entry.symlink_status();
    if (name == "figures" && fs::is_directory(st)) {
      for (const auto& figure : fs::directory_iterator(entry.path(), ec))
        if (!fs::is_regular_file(figure.symlink_status()) || !own_figure(figure.path()))
          return "'" + figure.path().string() + "' is not a figure a report draws";
      continue;
    }
    if (!fs::is_regular_file(st) || !own_file(name))
      return "'" + entry.path().string() + "' is not a file a report writes";
  }
  if (ec) return "'" + dir + "' cannot be listed: " + ec.message();
  return "";
}

void write(const Folder& folder, const std::string& dir) {
  for (const auto& [name, table] : folder.tables) {
    if (!own_file(name)) throw std::logic_error("report: table " + name + " is not in kOwnFiles");
    io::write_file((fs::path(dir) / name).string(), table.to_csv(), true);
  }
  io::write_file((fs::path(dir) / "report.json").string(), folder.json.dump(2) + "\n", true);
}

std::string sha256_file(const std::string& path) {
  return io::sha256_hex(io::read_input(path, "DATA"));
}

namespace {

std::string shell_quote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789_-+=.,/:@%") == std::string::npos)
    return arg;
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string command_line() {
  // Linux keeps the exact argv here, so no subcommand has to thread it through.
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string out;
  std::size_t start = 0;
  bool first = true;
  while (start < all.size()) {
    const std::size_t end = all.find('\0', start);
    std::string arg = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (first) arg = fs::path(arg).filename().string();
    out += (first ? "" : " ") + shell_quote(arg);
    first = false;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

std::string python() {
  if (const char* env = std::getenv("SHANNONFIT_REPORT_PYTHON"); env && *env) return env;
  if (access("/usr/bin/python3", X_OK) == 0) return "/usr/bin/python3";
  return "python3";
}

std::string scripts_dir() {
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) throw std::runtime_error("cannot locate the shannonfit executable: " + ec.message());
  const fs::path installed = (exe_dir.parent_path() / "share" / "shannonfit").lexically_normal();
  const fs::path in_build = exe_dir / "share" / "shannonfit";
  const auto complete = [](const fs::path& dir) {
    for (const char* script : {"plot_report.py", "render_html.py", "report_units.py"})
      if (!fs::exists(dir / script)) return false;
    return true;
  };
  for (const fs::path& dir : {installed, in_build})
    if (complete(dir)) return dir.string();
  throw std::runtime_error("the report scripts (plot_report.py, render_html.py, report_units.py) "
                           "are missing: looked in " + installed.string() + " and " +
                           in_build.string() +
                           " (install with `cmake --install`, or build the shannonfit target)");
}

namespace {

// Runs argv (no shell, so paths need no quoting) and returns its exit status; -1 when it could
// not be started. With `quiet`, its standard output is discarded.
int run(const std::vector<std::string>& argv, bool quiet, bool silence_errors = false) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (quiet || silence_errors) {
      if (std::FILE* null = std::fopen("/dev/null", "w")) {
        if (quiet) dup2(fileno(null), STDOUT_FILENO);
        if (silence_errors) dup2(fileno(null), STDERR_FILENO);
      }
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  // A Ctrl-C interrupts the wait (the handlers do not restart it); the caller checks the flag
  // once the script has ended.
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

void require_report_tools() {
  scripts_dir();
  const std::string py = python();
  if (run({py, "-c", "import json"}, true, true) != 0)
    throw std::runtime_error("cannot run " + py + " to write report.html (Debian: apt install "
                             "python3; or set SHANNONFIT_REPORT_PYTHON to an interpreter)");
}

ScriptOutcome render_figures(const std::string& dir, bool quiet) {
  ScriptOutcome out;
  const std::string py = python();
  if (run({py, "-c", "import matplotlib"}, true, true) != 0) {
    out.why_not = "skipped: " + py + " cannot import matplotlib (Debian: apt install " +
                  "python3-matplotlib)";
    return out;
  }
  out.ran = true;
  out.exit_code = run({py, (fs::path(scripts_dir()) / "plot_report.py").string(), dir}, quiet);
  return out;
}

void render_html(const std::string& dir) {
  const std::string script = (fs::path(scripts_dir()) / "render_html.py").string();
  const int code = run({python(), script, dir}, true);
  if (code != 0)
    throw std::runtime_error(fmt::format("report.html was not written: {} {} {} exited with "
                                         "status {}", python(), script, dir, code));
}

}  // namespace shannonfit::report
