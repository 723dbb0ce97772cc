#pragma once
// Running the shannonfit binary from a test: exit code and captured output, plus a scratch
// folder per test and CSV writing for generated data.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "shannonfit/batch.hpp"

namespace shannonfit::testing {

struct CliResult {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Runs `shell_args` (already shell-quoted) after the binary through /bin/sh, in `scratch` as
// the working directory; stdout and stderr go to files there so neither can block the other.
inline CliResult run_cli(const std::string& shell_args, const std::filesystem::path& scratch) {
  const auto out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  const std::string cmd = "cd '" + scratch.string() + "' && '" + SHANNONFIT_BINARY + "' " +
                          shell_args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

// A fresh, empty folder under the system temp dir, named after the test and this process so
// that parallel runs never share one.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("shannonfit_test_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Writes a dataset as N,D,loss[,x] with full precision.
inline void write_csv(const Dataset& d, const std::filesystem::path& path) {
  std::ofstream f(path);
  f.precision(17);
  f << "N,D,loss" << (d.has_x() ? ",x" : "") << "\n";
  for (std::size_t i = 0; i < d.size(); ++i) {
    f << d.n[i] << "," << d.d[i] << "," << d.loss[i];
    if (d.has_x()) f << "," << d.x[i];
    f << "\n";
  }
}

}  // namespace shannonfit::testing
