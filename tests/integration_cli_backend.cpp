// `shannonfit fit --backend cuda|auto` end to end through the built binary. On a machine
// without a CUDA device (or a build without CUDA) `cuda` must stop with exit code 2 and a
// message naming the option; `auto` must fit on the CPU. With a device, both must fit on CUDA.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"
#include "support/cli.hpp"

using shannonfit::testing::CliRun;
using shannonfit::testing::run_shannonfit;
using shannonfit::testing::TempDir;

namespace {

// A small Chinchilla-shaped CSV, written as runs.csv in `dir`.
void write_csv(const TempDir& dir) {
  std::ostringstream out;
  out << "N,D,loss\n";
  for (double n : {1e7, 1e8, 1e9, 1e10})
    for (double tpp : {5.0, 20.0, 80.0}) {
      const double d = n * tpp;
      out << n << "," << d << "," << 1.69 + 406.4 / std::pow(n, 0.34) + 410.7 / std::pow(d, 0.28)
          << "\n";
    }
  dir.write("runs.csv", out.str());
}

}  // namespace

TEST(CliBackend, CudaWithoutDeviceExitsWithInputError) {
  if (shannonfit::cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  TempDir dir;
  write_csv(dir);
  const CliRun r = run_shannonfit(
      {"fit", "runs.csv", "--law", "chinchilla", "--starts", "single", "--backend", "cuda"}, dir);
  EXPECT_EQ(r.code, shannonfit::kExitInput) << r.err;
  EXPECT_NE(r.err.find("--backend cuda"), std::string::npos) << r.err;
}

TEST(CliBackend, AutoFitsOnWhatIsThere) {
  TempDir dir;
  write_csv(dir);
  const CliRun r = run_shannonfit({"fit", "runs.csv", "--law", "chinchilla", "--starts", "single",
                                   "--backend", "auto", "--json"},
                                  dir);
  EXPECT_EQ(r.code, shannonfit::kExitOk) << r.err;
  const std::string expected =
      std::string("\"backend\": \"") + (shannonfit::cuda_available() ? "cuda" : "cpu") + "\"";
  EXPECT_NE(r.out.find(expected), std::string::npos) << r.out;
}
