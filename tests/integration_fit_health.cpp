// Fits that end on a bound, at the iteration cap or in NaN/Inf are counted per law in the
// output of every command that fits (table and JSON), and a best fit in such a state is warned
// about on stderr. Two data sets provoke the states: losses that rise with N (the laws'
// N-terms can only fall, so the best fit pins a parameter to its bound) and a tiny
// --max-iterations (every start stops at the cap).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli.hpp"
#include "support/synthetic.hpp"

using shannonfit::testing::CliRun;
using shannonfit::testing::read_file;
using shannonfit::testing::run_shannonfit;
using shannonfit::testing::TempDir;
using nlohmann::json;

namespace {

// L = 2 + 0.05 ln(N / 1e8) + 400 / D^0.3: a 5 × 4 grid whose loss grows with N.
std::string rising_in_n_csv() {
  std::ostringstream s;
  s << "N,D,loss\n";
  for (double n : {1e8, 3e8, 1e9, 3e9, 1e10})
    for (double d : {1e9, 4e9, 1.6e10, 6.4e10})
      s << n << "," << d << "," << 2 + 0.05 * std::log(n / 1e8) + 400 / std::pow(d, 0.3) << "\n";
  return s.str();
}

// Kaplan keeps runs short (256 starts); the bootstrap commands use few resamples.
const std::vector<std::string> kKaplan = {"--law", "kaplan", "--threads", "2"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void expect_counts_consistent(const json& outcomes, long starts) {
  EXPECT_EQ(outcomes["total"].get<long>(), starts);
  EXPECT_EQ(outcomes["converged"].get<long>() + outcomes["at_bound"].get<long>() +
                outcomes["max_iterations"].get<long>() + outcomes["not_stationary"].get<long>() +
                    outcomes["non_finite"].get<long>(),
            starts);
}

// The per-law fit object of each command's JSON.
json fit_object(const std::string& command, const json& doc) {
  if (command == "fit") return doc["fits"][0];
  if (command == "compare") return doc["slices"][0]["laws"][0]["fit"];
  if (command == "bootstrap") return doc["results"][0]["fit"];
  if (command == "predict") return doc["results"][0]["full_fit"];
  return doc["laws"][0]["fit"];  // analyze: report.json
}

struct Case {
  std::string command;
  std::vector<std::string> extra;
};

std::vector<Case> commands() {
  return {{"fit", {}},
          {"compare", {"--kfold", "0"}},
          {"bootstrap", {"--resamples", "8", "--no-jackknife"}},
          {"predict", {"--resamples", "8", "--no-jackknife", "--at", "N=1e11,D=1e12"}},
          {"analyze", {"--resamples", "8", "--kfold", "0", "--no-figures"}}};
}

// Runs `command` on `data` writing JSON to out.json (analyze: a report folder) and returns the
// law's fit object.
json run_json(const TempDir& dir, const Case& c, const std::string& data,
              const std::vector<std::string>& more, CliRun& r) {
  std::vector<std::string> args = {c.command, data};
  args = concat(concat(concat(args, kKaplan), c.extra), more);
  const std::string out = c.command == "analyze" ? "report" : "out.json";
  args = concat(args, {"--out", out});
  r = run_shannonfit(args, dir);
  if (r.code != 0) return json();
  const std::string path = dir.file(c.command == "analyze" ? "report/report.json" : out);
  return fit_object(c.command, json::parse(read_file(path)));
}

}  // namespace

TEST(FitHealth, BestFitOnABoundIsCountedAndWarnedInEveryCommand) {
  for (const Case& c : commands()) {
    SCOPED_TRACE(c.command);
    TempDir dir;
    const std::string data = dir.write("rising.csv", rising_in_n_csv());
    CliRun r;
    const json fit = run_json(dir, c, data, {}, r);
    ASSERT_EQ(r.code, 0) << r.err;
    expect_counts_consistent(fit["start_outcomes"], 256);
    EXPECT_GT(fit["start_outcomes"]["at_bound"].get<long>(), 0);
    EXPECT_EQ(fit["best_fit"]["outcome"], "at_bound");
    EXPECT_FALSE(fit["best_fit"]["params_at_bound"].empty());
    EXPECT_NE(r.err.find("on its bound"), std::string::npos) << r.err;
    // The human-readable output carries the counts too (analyze: in its diagnostics).
    EXPECT_NE(r.out.find("converged on a bound"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("WARNING"), std::string::npos) << r.out;
  }
}

TEST(FitHealth, IterationCapIsCountedAndWarnedInEveryCommand) {
  for (const Case& c : commands()) {
    SCOPED_TRACE(c.command);
    TempDir dir;
    const std::string data =
        dir.write("runs.csv", shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
    CliRun r;
    const json fit = run_json(dir, c, data, {"--max-iterations", "2"}, r);
    ASSERT_EQ(r.code, 0) << r.err;
    expect_counts_consistent(fit["start_outcomes"], 256);
    EXPECT_GT(fit["start_outcomes"]["max_iterations"].get<long>(), 200);
    EXPECT_EQ(fit["best_fit"]["outcome"], "max_iterations");
    EXPECT_FALSE(fit["best_fit"]["converged"].get<bool>());
    EXPECT_NE(r.err.find("iteration cap"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("at the iteration cap"), std::string::npos) << r.out;
  }
}

TEST(FitHealth, CleanFitsReportEveryStartAndNoWarning) {
  TempDir dir;
  const std::string data =
      dir.write("runs.csv", shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
  CliRun r;
  const json fit = run_json(dir, commands()[0], data, {}, r);
  ASSERT_EQ(r.code, 0) << r.err;
  expect_counts_consistent(fit["start_outcomes"], 256);
  EXPECT_EQ(fit["best_fit"]["outcome"], "converged");
  EXPECT_TRUE(fit["best_fit"]["params_at_bound"].empty());
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("WARNING"), std::string::npos) << r.out;
}
