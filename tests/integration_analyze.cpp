// `shannonfit analyze` end to end: the report folder's files, what they say on data with a
// known truth, the folder-protection rules and the exit codes.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/compute_optimal.hpp"
#include "analysis/report.hpp"
#include "io/csv.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::testing::read_file;
using shannonfit::testing::run_shannonfit;
namespace fs = std::filesystem;

namespace {

class Analyze : public ::testing::Test {
 protected:
  // Two laws, single starts and few resamples keep the run to seconds; --no-figures leaves the
  // figures to the browser test.
  std::vector<std::string> args(const std::string& out, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"analyze", data_, "--law", "chinchilla,kaplan", "--starts",
                                  "single", "--resamples", "30", "--seed", "3", "--at",
                                  "N=1e11,D=2e12", "--no-figures", "--out", out};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  shannonfit::testing::CliRun run(const std::vector<std::string>& a) const {
    return run_shannonfit(a, dir_);
  }

  shannonfit::testing::TempDir dir_;
  const fs::path root_ = dir_.path();
  const std::string data_ = dir_.write("runs.csv", synth::to_csv(synth::chinchilla_data(0.0, 1)));
};

double csv_value(const io::Table& t, const std::string& law, const std::string& key_col,
                 const std::string& key, const std::string& col) {
  const int l = io::find_column(t, "law", "test"), k = io::find_column(t, key_col, "test"),
            c = io::find_column(t, col, "test");
  for (const auto& row : t.rows)
    if (row[l] == law && row[k] == key) {
      double v = NAN;
      io::parse_number(row[c], v);
      return v;
    }
  ADD_FAILURE() << "no row " << law << "/" << key << " in " << t.source;
  return NAN;
}

}  // namespace

TEST_F(Analyze, WritesTheReportFolderAndRecoversTheTruth) {
  const fs::path out = root_ / "report";
  const auto r = run(args(out.string(), {"--quiet"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << "--quiet printed: " << r.out;
  for (const char* f : {"report.json", "report.html", "params.csv", "predictions.csv", "selection.csv",
                        "data.csv", "fitted.csv", "curves.csv", "bootstrap.csv"})
    EXPECT_TRUE(fs::exists(out / f)) << f;

  const auto rep = nlohmann::json::parse(read_file(out / "report.json"));
  EXPECT_NE(rep["command"].get<std::string>().find("analyze"), std::string::npos);
  EXPECT_EQ(rep["seed"], 3);
  EXPECT_EQ(rep["version"], SHANNONFIT_VERSION);
  EXPECT_EQ(rep["data"]["sha256"], report::sha256_file(data_));
  EXPECT_EQ(rep["selection"]["winner"], "chinchilla");
  // The headline is the law-averaged prediction interval; on noiseless chinchilla data every
  // resample picks chinchilla, so the average is chinchilla's prediction.
  EXPECT_EQ(rep["headline"]["law"], "law-averaged");
  EXPECT_EQ(rep["headline"]["kind"], "prediction");
  EXPECT_EQ(rep["headline"]["picked"]["chinchilla"], 1.0);
  EXPECT_EQ(rep["bootstrap"]["scheme"], "cluster");
  EXPECT_EQ(rep["bootstrap"]["grouping"], "one group per model size N");

  // Noiseless data: the winning law's estimates and its prediction are the truth.
  const synth::ChinchillaTruth truth;
  const io::Table params = io::read_csv((out / "params.csv").string());
  EXPECT_NEAR(csv_value(params, "chinchilla", "param", "alpha", "value"), truth.alpha, 1e-6);
  EXPECT_NEAR(csv_value(params, "chinchilla", "param", "beta", "value"), truth.beta, 1e-6);
  const io::Table pred = io::read_csv((out / "predictions.csv").string());
  const double predicted = csv_value(pred, "chinchilla", "label", "N=1e11,D=2e12", "loss");
  EXPECT_NEAR(predicted, truth.loss(1e11, 2e12), 1e-6 * predicted);
  EXPECT_NEAR(rep["headline"]["estimate"].get<double>(), predicted, 1e-9 * predicted);
  // Every resample of noiseless data refits the truth, so the interval has no width.
  EXPECT_NEAR(csv_value(pred, "chinchilla", "label", "N=1e11,D=2e12", "lo"), predicted,
              1e-6 * predicted);
  EXPECT_NEAR(csv_value(pred, "chinchilla", "label", "N=1e11,D=2e12", "hi"), predicted,
              1e-6 * predicted);

  const io::Table sel = io::read_csv((out / "selection.csv").string());
  EXPECT_EQ(csv_value(sel, "chinchilla", "law", "chinchilla", "delta_aic"), 0.0);
  EXPECT_GT(csv_value(sel, "kaplan", "law", "kaplan", "delta_aic"), 10.0);
  // Noiseless truth: chinchilla predicts every held-out model (almost) exactly, kaplan cannot.
  // Rows of one N are one model, so cross-validation leaves whole models out; the target lies
  // beyond the largest model, so the ranking is the extrapolation protocol's.
  EXPECT_LT(csv_value(sel, "chinchilla", "law", "chinchilla", "logo_mse"),
            1e-3 * csv_value(sel, "kaplan", "law", "kaplan", "logo_mse"));
  EXPECT_EQ(csv_value(sel, "chinchilla", "law", "chinchilla", "win_rate"), 1.0);
  const std::string ranked_by = rep["selection"]["ranked_by"];
  EXPECT_EQ(ranked_by.rfind("held-out MSE on the largest model", 0), 0u) << ranked_by;
  EXPECT_NE(ranked_by.find("extrapolation protocol"), std::string::npos) << ranked_by;
}

TEST_F(Analyze, ExtrapolationSplitRanksByHeldOutError) {
  const fs::path out = root_ / "report";
  const auto r = run(args(out.string(), {"--extrapolate", "N<=1e9", "--quiet"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rep = nlohmann::json::parse(read_file(out / "report.json"));
  EXPECT_EQ(rep["selection"]["ranked_by"], "held-out MSE");
  EXPECT_EQ(rep["selection"]["winner"], "chinchilla");
  const io::Table sel = io::read_csv((out / "selection.csv").string());
  EXPECT_GT(csv_value(sel, "chinchilla", "law", "chinchilla", "holdout_r2"), 0.999999);
}

TEST_F(Analyze, JsonOnStdoutIsTheReport) {
  const fs::path out = root_ / "report";
  const auto r = run(args(out.string(), {"--json", "--quiet"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::parse(read_file(out / "report.json")));
}

TEST_F(Analyze, BudgetAddsTheComputeOptimalSplitWithIntervals) {
  const fs::path out = root_ / "report";
  const auto r = run(args(out.string(), {"--law", "chinchilla", "--budget", "1e23", "--quiet"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rep = nlohmann::json::parse(read_file(out / "report.json"));
  const auto& opt = rep["compute_optimal"].at(0);
  const double n = opt["N"]["value"], d = opt["D"]["value"];
  EXPECT_NEAR(6 * n * d, 1e23, 1e-6 * 1e23);
  // Noiseless data: the split is the truth's, Hoffmann's closed form, and so is every resample's.
  const auto truth = synth::ChinchillaTruth().solver();
  const double closed = chinchilla_optimal_n(truth.data(), 1e23, 6);
  EXPECT_NEAR(n, closed, 1e-5 * closed);
  EXPECT_NEAR(opt["N"]["lo"].get<double>(), closed, 1e-5 * closed);
  EXPECT_NEAR(opt["N"]["hi"].get<double>(), closed, 1e-5 * closed);
  EXPECT_TRUE(fs::exists(out / "compute_optimal.csv"));
}

// --force replaces an earlier report only (adversarial_analyze has the other cases).
TEST_F(Analyze, RefusesANonEmptyFolderAndForceRefusesForeignFiles) {
  const fs::path out = root_ / "report";
  fs::create_directories(out);
  { std::ofstream(out / "notes.txt") << "mine"; }
  { std::ofstream(out / "mine.csv") << "a\n1\n"; }
  auto r = run(args(out.string()));
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "report.json"));

  r = run(args(out.string(), {"--force", "--quiet"}));
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_FALSE(fs::exists(out / "report.json"));
  EXPECT_EQ(read_file(out / "notes.txt"), "mine");
  EXPECT_EQ(read_file(out / "mine.csv"), "a\n1\n");
}

TEST_F(Analyze, DefaultFolderIsReportsSlashDataStem) {
  const auto r = run({"analyze", data_, "--law", "chinchilla", "--starts", "single", "--resamples",
                      "5", "--no-figures", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(root_ / "reports" / "runs" / "report.json"));
}

TEST_F(Analyze, BadTargetIsAnInputErrorNamingTheOption) {
  const auto r = run(args((root_ / "r").string(), {"--at", "N=1e9,Q=4"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--at"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(root_ / "r" / "report.json"));
}

TEST_F(Analyze, MissingDataFileIsAnInputError) {
  const auto r = run({"analyze", (root_ / "nope.csv").string(), "--out", (root_ / "r").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nope.csv"), std::string::npos) << r.err;
}
