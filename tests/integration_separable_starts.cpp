// `--starts separable` through the CLI: on Epoch AI's Chinchilla data (Hoffmann et al.'s
// Figure 4 as Epoch extracted it, Huber 1e-3 on ln L) the 8-start separable search ends at the
// optimum of the 4500-start Hoffmann grid; a law that is not separable is a usage error naming
// it; bootstrap and predict run the search per resample.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit::testing;
using nlohmann::json;

namespace {

const char* kEpoch = SHANNONFIT_DATA_DIR "/chinchilla_svg_extracted.csv";

json fit_epoch(const std::string& starts) {
  const std::vector<std::string> args = {
      "fit", kEpoch, "--n-col", "Model Size", "--flops-col", "Training FLOP",
      "--drop-highest-loss", "5", "--loss", "huber:1e-3", "--backend", "cpu", "--threads", "1",
      "--starts", starts, "--json"};
  const CliRun r = run_shannonfit(args);
  EXPECT_EQ(r.code, 0) << command_line(args) << "\n" << r.err;
  return json::parse(r.out).at("fits").at(0);
}

std::string synthetic_csv(const TempDir& dir) {
  return dir.write("runs.csv", shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0.02, 3)));
}

}  // namespace

TEST(SeparableStartsCli, EpochDataReachTheHoffmannGridOptimum) {
  ASSERT_TRUE(std::ifstream(kEpoch)) << kEpoch << " is missing from the repository";
  const json ours = fit_epoch("separable");
  const json grid = fit_epoch("grid");
  EXPECT_EQ(ours.at("starts").get<int>(), 8);
  EXPECT_EQ(grid.at("starts").get<int>(), 4500);
  const double best = grid.at("objective_value").get<double>();
  EXPECT_NEAR(ours.at("objective_value").get<double>(), best, 1e-9 * best);
  EXPECT_EQ(ours.at("status").get<std::string>().rfind("converged", 0), 0u);
}

TEST(SeparableStartsCli, ANonSeparableLawIsAUsageErrorNamingIt) {
  TempDir dir;
  const std::string csv = synthetic_csv(dir);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"fit", csv, "--law", "kaplan", "--starts", "separable"},
        {"bootstrap", csv, "--law", "shannon", "--starts", "separable", "--resamples", "2"}}) {
    const CliRun r = run_shannonfit(args, dir);
    EXPECT_EQ(r.code, 1) << command_line(args) << "\n" << r.err;
    EXPECT_NE(r.err.find("'" + args[3] + "' is not separable"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("chinchilla-plain"), std::string::npos) << r.err;
  }
}

TEST(SeparableStartsCli, BootstrapAndPredictSearchEveryResample) {
  TempDir dir;
  const std::string csv = synthetic_csv(dir);
  const CliRun boot = run_shannonfit({"bootstrap", csv, "--starts", "separable", "--resamples",
                                      "4", "--no-jackknife", "--threads", "1", "--json"},
                                     dir);
  ASSERT_EQ(boot.code, 0) << boot.err;
  const json b = json::parse(boot.out);
  // The full-data fit searched too, and the output says so rather than the solver's default.
  EXPECT_EQ(b.at("solver").at("starts"), "separable") << b.dump();
  EXPECT_EQ(b.at("results").at(0).at("bootstrap").at("starts"), "separable") << b.dump();
  const CliRun predict = run_shannonfit({"predict", csv, "--starts", "separable", "--resamples",
                                         "4", "--at", "N=1e9,D=2e10", "--threads", "1",
                                         "--json"},
                                        dir);
  ASSERT_EQ(predict.code, 0) << predict.err;
  const json p = json::parse(predict.out);
  EXPECT_EQ(p.at("source").at("solver").at("starts"), "separable") << predict.out;
  EXPECT_EQ(p.at("results").at(0).at("bootstrap").at("starts"), "separable") << predict.out;
}
