// The `shannonfit` binary on bad and good input: every bad-input case names file, line and
// column, exits with its documented code and writes nothing; --out never overwrites without
// --force; `fit` on the shipped synthetic data recovers the stated truths.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"
#include "support/cli.hpp"

using shannonfit::testing::CliRun;
using shannonfit::testing::read_file;
using shannonfit::testing::run_shannonfit;
using shannonfit::testing::TempDir;

namespace {

const char* kGood =
    "N,D,loss\n"
    "1e8,2e9,3.20\n"
    "1e8,8e9,3.05\n"
    "4e8,8e9,2.80\n"
    "4e8,3.2e10,2.62\n"
    "1.6e9,3.2e10,2.41\n"
    "1.6e9,1.28e11,2.30\n";

// Runs `fit` on `csv` (written as bad.csv) with --out, expecting an input error whose message
// contains `message`, and checks that no output and no temporary file were left behind.
void expect_input_error(const std::string& csv, const std::string& message,
                        std::vector<std::string> extra = {}) {
  TempDir dir;
  dir.write("bad.csv", csv);
  std::vector<std::string> args = {"fit", "bad.csv", "--starts", "single", "--out", "fit.json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliRun r = run_shannonfit(args, dir);
  EXPECT_EQ(r.code, shannonfit::kExitInput) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << "stderr was: " << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"bad.csv"});
}

}  // namespace

TEST(CliInput, MissingFile) {
  TempDir dir;
  const CliRun r = run_shannonfit({"fit", "nope.csv", "--out", "fit.json"}, dir);
  EXPECT_EQ(r.code, shannonfit::kExitInput);
  EXPECT_NE(r.err.find("cannot open 'nope.csv': No such file or directory"), std::string::npos)
      << r.err;
  EXPECT_TRUE(dir.entries().empty());
}

TEST(CliInput, EmptyFile) { expect_input_error("", "bad.csv: the file is empty"); }

TEST(CliInput, HeaderOnly) { expect_input_error("N,D,loss\n", "bad.csv: no data rows"); }

TEST(CliInput, MissingColumnListsTheHeader) {
  expect_input_error(kGood, "bad.csv: --loss-col: no column 'val_loss' (columns: N, D, loss)",
                     {"--loss-col", "val_loss"});
}

TEST(CliInput, NonNumericValue) {
  expect_input_error("N,D,loss\n1e8,2e9,3.2\n1e8,lots,3.1\n",
                     "bad.csv:3: column 'D': 'lots' is not a number");
}

TEST(CliInput, EmptyValue) {
  expect_input_error("N,D,loss\n1e8,2e9,3.2\n1e8,4e9,\n", "bad.csv:3: column 'loss': the value is empty");
}

TEST(CliInput, NaNValue) {
  expect_input_error("N,D,loss\n1e8,2e9,nan\n", "bad.csv:2: column 'loss': 'nan' is not a finite number");
}

TEST(CliInput, InfiniteValue) {
  expect_input_error("N,D,loss\n1e8,2e9,3\n1e8,inf,3\n", "bad.csv:3: column 'D': 'inf' is not a finite number");
}

TEST(CliInput, NonPositiveN) {
  expect_input_error("N,D,loss\n1e8,2e9,3.2\n1e8,4e9,3.1\n0,4e9,3.1\n",
                     "bad.csv:4: column 'N': the parameter count N must be > 0, got 0");
}

TEST(CliInput, NonPositiveD) {
  expect_input_error("N,D,loss\n1e8,-5e9,3.2\n",
                     "bad.csv:2: column 'D': the token count D must be > 0, got -5e9");
}

TEST(CliInput, NonPositiveCompute) {
  expect_input_error("params,flops,loss\n1e8,0,3.2\n",
                     "bad.csv:2: column 'flops': the compute C must be > 0, got 0",
                     {"--n-col", "params", "--flops-col", "flops"});
}

TEST(CliInput, NonPositiveLoss) {
  expect_input_error("N,D,loss\n1e8,2e9,3.2\n1e8,4e9,-0.1\n",
                     "bad.csv:3: column 'loss': the loss must be > 0, got -0.1");
}

TEST(CliInput, ZeroWeight) {
  expect_input_error("N,D,loss,w\n1e8,2e9,3.2,1\n1e8,4e9,3.1,0\n",
                     "bad.csv:3: column 'w': the weight must be > 0, got 0", {"--weight-col", "w"});
}

TEST(CliInput, NegativeWeight) {
  expect_input_error("N,D,loss,w\n1e8,2e9,3.2,-2\n",
                     "bad.csv:2: column 'w': the weight must be > 0, got -2", {"--weight-col", "w"});
}

TEST(CliInput, WrongFieldCount) {
  expect_input_error("N,D,loss\n1e8,2e9,3.2\n1e8,4e9\n",
                     "bad.csv:3: expected 3 fields like the header, found 2");
}

TEST(CliInput, LineNumbersCountQuotedLineBreaks) {
  expect_input_error("N,D,loss,note\n1e8,2e9,3.2,\"two\nlines\"\n1e8,x,3.1,ok\n",
                     "bad.csv:4: column 'D': 'x' is not a number");
}

TEST(CliInput, FewerRowsThanParameters) {
  expect_input_error("N,D,loss\n1e8,2e9,3.2\n1e8,4e9,3.1\n4e8,8e9,2.9\n4e8,1.6e10,2.8\n",
                     "bad.csv: law 'chinchilla' has 5 parameters but only 4 rows remain");
}

TEST(CliInput, FewerRowsThanParametersAfterFilter) {
  expect_input_error(kGood, "law 'chinchilla' has 5 parameters but only 2 rows remain",
                     {"--filter", "N > 1e9"});
}

TEST(CliInput, FilterKeepingNothing) {
  expect_input_error(kGood, "bad.csv: --filter 'N > 1e12' keeps none of the 6 rows",
                     {"--filter", "N > 1e12"});
}

TEST(CliInput, FilterSyntaxErrorPointsAtTheCharacter) {
  expect_input_error(kGood, "--filter: no column 'tokens' (columns: N, D, loss) at character 12:\n"
                            "  N > 1e8 && tokens > 3\n"
                            "             ^",
                     {"--filter", "N > 1e8 && tokens > 3"});
}

TEST(CliInput, FilterOnlyValidatesKeptRows) {
  TempDir dir;
  dir.write("runs.csv", std::string(kGood) + "1e8,0,9.9\n");
  const CliRun r = run_shannonfit(
      {"fit", "runs.csv", "--starts", "single", "--filter", "D > 0", "--json"}, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["data"]["rows_used"], 6);
}

TEST(CliInput, BadPerturbationValue) {
  expect_input_error("N,D,loss,bits\n1e8,2e9,3.2,4\n1e8,4e9,3.1,0\n",
                     "bad.csv:3: column 'bits': the bit width must be > 0, got 0",
                     {"--perturbation", "quant-bits:bits"});
}

TEST(CliInput, LawNeedingPerturbationWithoutIt) {
  const shannonfit::LawEntry* needs_x = nullptr;
  for (const auto& law : shannonfit::all_laws())
    if (law.info.needs == shannonfit::Needs::Perturbation) needs_x = &law;
  if (!needs_x) GTEST_SKIP() << "no shipped law needs a perturbation column yet";
  expect_input_error(kGood, "--law " + needs_x->info.name + ": this law needs a perturbation",
                     {"--law", needs_x->info.name});
}

TEST(CliUsage, UnknownLawIsAUsageError) {
  TempDir dir;
  dir.write("runs.csv", kGood);
  const CliRun r = run_shannonfit({"fit", "runs.csv", "--law", "chinchilla,nope"}, dir);
  EXPECT_EQ(r.code, shannonfit::kExitUsage);
  EXPECT_NE(r.err.find("unknown law 'nope'"), std::string::npos) << r.err;
}

TEST(CliUsage, MalformedLossIsAUsageError) {
  TempDir dir;
  dir.write("runs.csv", kGood);
  const CliRun r = run_shannonfit({"fit", "runs.csv", "--loss", "huber:-1"}, dir);
  EXPECT_EQ(r.code, shannonfit::kExitUsage);
  EXPECT_NE(r.err.find("--loss"), std::string::npos) << r.err;
}

TEST(CliOutput, RefusesToOverwriteWithoutForce) {
  TempDir dir;
  dir.write("runs.csv", kGood);
  dir.write("fit.json", "precious");
  const CliRun r = run_shannonfit({"fit", "runs.csv", "--starts", "single", "--out", "fit.json"}, dir);
  EXPECT_EQ(r.code, shannonfit::kExitOutputExists);
  EXPECT_NE(r.err.find("'fit.json' already exists; pass --force"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir.file("fit.json")), "precious");
  EXPECT_EQ(dir.entries().size(), 2u);
}

TEST(CliOutput, ForceOverwrites) {
  TempDir dir;
  dir.write("runs.csv", kGood);
  dir.write("fit.json", "old");
  const CliRun r = run_shannonfit(
      {"fit", "runs.csv", "--starts", "single", "--out", "fit.json", "--force", "--quiet"}, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const auto doc = nlohmann::json::parse(read_file(dir.file("fit.json")));
  EXPECT_EQ(doc["command"], "fit");
  EXPECT_EQ(doc["fits"][0]["law"], "chinchilla");
  EXPECT_EQ(dir.entries().size(), 2u);
}

TEST(CliOutput, JsonToStdoutAndTableOtherwise) {
  TempDir dir;
  dir.write("runs.csv", kGood);
  const CliRun table = run_shannonfit({"fit", "runs.csv", "--starts", "single"}, dir);
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("parameter"), std::string::npos);
  EXPECT_NE(table.out.find("AICc"), std::string::npos);
  const CliRun json = run_shannonfit({"fit", "runs.csv", "--starts", "single", "--json"}, dir);
  ASSERT_EQ(json.code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["fits"][0]["parameters"].size(), 5u);
  EXPECT_EQ(doc["fits"][0]["statistics"]["n"], 6);
}

TEST(CliFit, ByFitsOneLawPerValue) {
  TempDir dir;
  std::string csv = "N,D,loss,run\n";
  for (const char* run : {"b", "a"})
    for (const char* row : {"1e8,2e9,3.20", "1e8,8e9,3.05", "4e8,8e9,2.80", "4e8,3.2e10,2.62",
                            "1.6e9,3.2e10,2.41", "1.6e9,1.28e11,2.30"})
      csv += std::string(row) + "," + run + "\n";
  dir.write("runs.csv", csv);
  const CliRun r = run_shannonfit(
      {"fit", "runs.csv", "--starts", "single", "--by", "run", "--law", "kaplan", "--json"}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto fits = nlohmann::json::parse(r.out)["fits"];
  ASSERT_EQ(fits.size(), 2u);
  EXPECT_EQ(fits[0]["by"]["value"], "b");  // text values keep their order of appearance
  EXPECT_EQ(fits[1]["by"]["value"], "a");
  EXPECT_EQ(fits[0]["statistics"]["n"], 6);
}

// One model size leaves A, alpha and E without a direction the data can see; that is
// refused before fitting (integration_identifiability covers every command), and flat
// directions that survive the count are named after the fit (unit_fit_stats).
TEST(CliFit, SingleModelSizeIsRefusedBeforeFitting) {
  TempDir dir;
  std::string csv = "N,D,loss\n";
  for (double d : {1e9, 2e9, 4e9, 8e9, 1.6e10, 3.2e10, 6.4e10, 1.28e11}) {
    const double loss = 1.69 + 406.4 / std::pow(4e8, 0.34) + 410.7 / std::pow(d, 0.28);
    csv += "4e8," + std::to_string(d) + "," + std::to_string(loss) + "\n";
  }
  dir.write("one_size.csv", csv);
  const CliRun r = run_shannonfit(
      {"fit", "one_size.csv", "--starts", "single", "--loss", "l2", "--json"}, dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("one_size.csv: column N has 1 distinct value; law 'chinchilla' needs at "
                       "least 3"),
            std::string::npos)
      << r.err;
}

TEST(CliFit, RecoversTheShippedSyntheticTruth) {
  const std::string root = SHANNONFIT_SOURCE_DIR;
  const auto truth =
      nlohmann::json::parse(read_file(root + "/data/synthetic_chinchilla.truth.json"))["parameters"];
  TempDir dir;
  // The demo's command: Hoffmann's grid, Huber(1e-3) on ln L.
  const CliRun r = run_shannonfit({"fit", root + "/data/synthetic_chinchilla.csv", "--json"}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto fit = nlohmann::json::parse(r.out)["fits"][0];
  EXPECT_TRUE(fit["converged"].get<bool>());
  EXPECT_GT(fit["statistics"]["r2"].get<double>(), 0.99);
  for (const auto& p : fit["parameters"]) {
    const std::string name = p["reported_name"];
    const double est = p["value"], se = p["se"];
    const bool logged = p["reported_as"] == "exp";
    const double want = logged ? std::log(truth[name].get<double>()) : truth[name].get<double>();
    // Within 3.5 standard errors (on the solver's scale, where the estimate is near-normal).
    EXPECT_LT(std::abs(est - want), 3.5 * se) << name << " = " << est << " ± " << se;
    EXPECT_LT(se, logged ? 0.5 : 0.05) << name;
  }
}
