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

// A formula law's CUDA kernel needs NVRTC at run time. Where the library named by
// SHANNONFIT_NVRTC cannot be loaded, `auto` fits the law on the CPU (with or without a device)
// and `cuda` stops with the reason.
TEST(CliBackend, FormulaLawWithoutNvrtcRunsOnTheCpu) {
  TempDir dir;
  write_csv(dir);
  shannonfit::testing::CliOptions opt;
  opt.cwd = dir.path();
  opt.env = {{"SHANNONFIT_NVRTC", (dir.path() / "no-libnvrtc.so").string()}};
  const std::vector<std::string> fit = {"fit", "runs.csv", "--law", "f: E + A/N^alpha + B/D^beta",
                                        "--starts", "single", "--json", "--backend"};
  std::vector<std::string> args = fit;
  args.push_back("auto");
  const CliRun r = run_shannonfit(args, opt);
  EXPECT_EQ(r.code, shannonfit::kExitOk) << r.err;
  EXPECT_NE(r.out.find("\"backend\": \"cpu\""), std::string::npos) << r.out;
#if SHANNONFIT_HAVE_CUDA
  args = fit;
  args.push_back("cuda");
  const CliRun cuda = run_shannonfit(args, opt);
  EXPECT_EQ(cuda.code, shannonfit::kExitInput) << cuda.err;
  EXPECT_NE(cuda.err.find("SHANNONFIT_NVRTC="), std::string::npos) << cuda.err;
  EXPECT_NE(cuda.err.find("--backend cpu"), std::string::npos) << cuda.err;
#endif
}
