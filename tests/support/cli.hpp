#pragma once
// Running the built `shannonfit` binary from tests, in a scratch directory of its own.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace shannonfit::testing {

struct CliRun {
  int code;         // exit status
  std::string out;  // stdout
  std::string err;  // stderr
};

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "shannonfit-test-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to `name` inside the directory and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  bool exists(const std::string& name) const { return std::filesystem::exists(path_ / name); }
  // Every entry in the directory, for asserting that nothing (not even a temp file) was left.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs SHANNONFIT_BINARY with `args` in directory `cwd`.
inline CliRun run_shannonfit(const std::vector<std::string>& args, const TempDir& cwd) {
  std::string cmd = "cd " + shell_quote(cwd.path().string()) + " && " +
                    shell_quote(SHANNONFIT_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  const std::string out = (cwd.path() / ".stdout").string();
  const std::string err = (cwd.path() / ".stderr").string();
  cmd += " >" + shell_quote(out) + " 2>" + shell_quote(err);
  const int status = std::system(cmd.c_str());
  CliRun r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace shannonfit::testing
