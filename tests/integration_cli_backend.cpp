// `shannonfit fit --backend cuda|auto` end to end through the built binary. On a machine
// without a CUDA device (or a build without CUDA) `cuda` must stop with exit code 2 and a
// message naming the option; `auto` must fit on the CPU. With a device, both must fit on CUDA.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"

namespace {

struct CliRun {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CliRun run_cli(const std::string& args) {
  const std::string cmd = std::string(SHANNONFIT_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  CliRun r{0, ""};
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A small Chinchilla-shaped CSV in a fresh temporary directory.
std::filesystem::path write_csv() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("shannonfit_cli_backend_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "runs.csv";
  std::ofstream out(path);
  out << "N,D,loss\n";
  for (double n : {1e7, 1e8, 1e9, 1e10})
    for (double tpp : {5.0, 20.0, 80.0}) {
      const double d = n * tpp;
      out << n << "," << d << "," << 1.69 + 406.4 / std::pow(n, 0.34) + 410.7 / std::pow(d, 0.28)
          << "\n";
    }
  return path;
}

}  // namespace

TEST(CliBackend, CudaWithoutDeviceExitsWithInputError) {
  if (shannonfit::cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  const auto csv = write_csv();
  const CliRun r =
      run_cli("fit " + csv.string() + " --law chinchilla --starts single --backend cuda");
  EXPECT_EQ(r.exit_code, shannonfit::kExitInput) << r.output;
  EXPECT_NE(r.output.find("--backend cuda"), std::string::npos) << r.output;
  std::filesystem::remove_all(csv.parent_path());
}

TEST(CliBackend, AutoFitsOnWhatIsThere) {
  const auto csv = write_csv();
  const CliRun r =
      run_cli("fit " + csv.string() + " --law chinchilla --starts single --backend auto --json");
  EXPECT_EQ(r.exit_code, shannonfit::kExitOk) << r.output;
  const std::string expected =
      std::string("\"backend\": \"") + (shannonfit::cuda_available() ? "cuda" : "cpu") + "\"";
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  std::filesystem::remove_all(csv.parent_path());
}
