// A law the data cannot identify (too few distinct N, D or perturbation strengths, from each
// law's kMinDistinct) is refused before any fit by every command that fits: exit 2, a message
// naming the file, the column and both counts, and nothing written.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "shannonfit/batch.hpp"
#include "support/cli.hpp"

using shannonfit::testing::CliRun;
using shannonfit::testing::run_shannonfit;
using shannonfit::testing::TempDir;

namespace {

// Chinchilla-shaped losses on every (N, D) pair, with x = sigma per row when given.
std::string grid_csv(const std::vector<double>& ns, const std::vector<double>& ds,
                     const std::vector<double>& sigmas = {0}) {
  std::ostringstream s;
  s << "N,D,sigma,loss\n";
  for (double n : ns)
    for (double d : ds)
      for (double x : sigmas)
        s << n << "," << d << "," << x << ","
          << 1.7 + 400 / std::pow(n, 0.34) + 410 / std::pow(d, 0.28) + 0.3 * x * x << "\n";
  return s.str();
}

const std::vector<double> kFiveN = {1e8, 3e8, 1e9, 3e9, 1e10};
const std::vector<double> kFourD = {2e9, 8e9, 3.2e10, 1.28e11};

struct Command {
  std::string name;
  std::vector<std::string> extra;
};

std::vector<Command> fitting_commands() {
  return {{"fit", {}},
          {"compare", {}},
          {"bootstrap", {"--resamples", "4"}},
          {"predict", {"--resamples", "4", "--at", "N=1e11,D=1e12"}},
          {"analyze", {"--resamples", "4", "--no-figures"}}};
}

// Runs every fitting command on `csv` and expects the refusal `message` (a substring) from each.
void expect_refused_everywhere(const std::string& csv, const std::vector<std::string>& law_args,
                               const std::string& message) {
  for (const Command& c : fitting_commands()) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    const std::string data = dir.write("runs.csv", csv);
    std::vector<std::string> args = {c.name, data, "--out", dir.file("out")};
    args.insert(args.end(), law_args.begin(), law_args.end());
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const CliRun r = run_shannonfit(args, dir);
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(data + ": " + message), std::string::npos) << r.err;
    EXPECT_FALSE(dir.exists("out"));
  }
}

}  // namespace

TEST(Identifiability, TwoDistinctNAreRefusedForChinchilla) {
  expect_refused_everywhere(grid_csv({1e8, 1e9}, kFourD), {"--law", "chinchilla"},
                            "column N has 2 distinct values; law 'chinchilla' needs at least 3");
}

TEST(Identifiability, OneDistinctDIsRefusedForChinchillaNamingTheFlopsColumn) {
  // D = C/(6N) from a compute column: the message says so. Chinchilla needs three distinct D.
  std::ostringstream s;
  s << "params,compute,loss\n";
  for (double n : kFiveN) s << n << "," << 6 * n * 1e10 << "," << 2 + 400 / std::pow(n, 0.34) << "\n";
  for (const Command& c : fitting_commands()) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    const std::string data = dir.write("runs.csv", s.str());
    std::vector<std::string> args = {c.name, data, "--law", "chinchilla", "--n-col", "params",
                                     "--flops-col", "compute"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const CliRun r = run_shannonfit(args, dir);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(data + ": column D (= C/(6N) from compute) has 1 distinct value; law "
                         "'chinchilla' needs at least 3"),
              std::string::npos)
        << r.err;
  }
}

TEST(Identifiability, TooFewPerturbationStrengthsAreRefused) {
  expect_refused_everywhere(grid_csv(kFiveN, kFourD, {0, 0.1}),
                            {"--law", "chinchilla-noise", "--perturbation", "noise:sigma"},
                            "column sigma (perturbation) has 2 distinct values; law "
                            "'chinchilla-noise' needs at least 3");
}

TEST(Identifiability, TheCountIsTakenAfterFilter) {
  expect_refused_everywhere(grid_csv(kFiveN, kFourD), {"--law", "chinchilla", "--filter", "N < 5e8"},
                            "column N has 2 distinct values");
}

TEST(Identifiability, EnoughDistinctValuesAreAccepted) {
  TempDir dir;
  const std::string data = dir.write("runs.csv", grid_csv({1e8, 1e9, 1e10}, {2e9, 8e9, 3.2e10}));
  const CliRun r = run_shannonfit({"fit", data, "--law", "chinchilla,kaplan", "--starts", "single"},
                                  dir);
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(Identifiability, EveryLawDeclaresWhatItNeeds) {
  for (const auto& law : shannonfit::all_laws()) {
    SCOPED_TRACE(law.info.name);
    // Every law reads N and D (how many of each: tests/unit_min_distinct.cpp).
    EXPECT_GE(law.info.min_distinct.n, 1);
    EXPECT_GE(law.info.min_distinct.d, 1);
    // x is counted exactly for the laws that read it.
    EXPECT_EQ(law.info.min_distinct.x > 0, law.info.needs == shannonfit::Needs::Perturbation);
  }
}
