#pragma once
// Runs the built `shannonfit` binary through the shell and captures its exit code and output.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace shannonfit::synth {

struct CliResult {
  int code = -1;
  std::string out;  // stdout and stderr, interleaved
};

inline CliResult run_cli(const std::string& args) {
  CliResult r;
  const std::string cmd = std::string(SHANNONFIT_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The synthetic data as a CSV with columns N, D, loss, model.
inline void write_csv(const Dataset& d, const std::string& path) {
  std::ofstream out(path);
  out.precision(17);
  out << "N,D,loss,model\n";
  for (std::size_t i = 0; i < d.size(); ++i)
    out << d.n[i] << "," << d.d[i] << "," << d.loss[i] << "," << d.group_names[d.group[i]] << "\n";
}

}  // namespace shannonfit::synth
