// `backtest`: which rows each split hides, that every hidden row is scored by every law and the
// law-averaged prediction at every level and kind, how coverage is counted, and the command's
// refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "analysis/backtest.hpp"
#include "analysis/model_selection.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::testing::run_shannonfit;

namespace {

analysis::BacktestRequest request(const Dataset& data) {
  analysis::BacktestRequest req;
  req.data = &data;
  req.laws = {&find_law("chinchilla"), &find_law("kaplan")};
  req.bootstrap.resamples = 40;
  req.bootstrap.fit.starts = StartStrategy::Single;
  req.bootstrap.fit.threads = 1;
  req.bootstrap.jackknife = false;
  // The synthetic grid's second-largest model reaches 2e11 tokens, the largest 8e11: a cut at
  // 5% of the largest D puts rows of the smaller models in the corner too.
  req.token_fraction = 0.05;
  return req;
}

}  // namespace

TEST(Backtest, SplitsHideTheLargestModelAndTheCorner) {
  const Dataset data = synth::chinchilla_data(0.01, 1, 6, 5, 0.01);
  const std::vector<char> largest = largest_model_rows(data);
  EXPECT_EQ(std::count(largest.begin(), largest.end(), 1), 5);
  const double max_n = *std::max_element(data.n.begin(), data.n.end());
  for (std::size_t i = 0; i < data.size(); ++i) EXPECT_EQ(largest[i] != 0, data.n[i] == max_n);
  const double cut = token_cut(data, 0.6);
  const double max_d = *std::max_element(data.d.begin(), data.d.end());
  EXPECT_LE(cut, 0.6 * max_d);
  EXPECT_TRUE(std::find(data.d.begin(), data.d.end(), cut) != data.d.end());
  const std::vector<char> corner = corner_rows(data, 0.6);
  for (std::size_t i = 0; i < data.size(); ++i)
    EXPECT_EQ(corner[i] != 0, data.n[i] == max_n || data.d[i] > cut);
}

TEST(Backtest, EveryHiddenRowIsScoredAtEveryLevelAndKind) {
  const Dataset data = synth::chinchilla_data(0.01, 2, 6, 5, 0.01);
  const analysis::BacktestResult r = analysis::backtest(request(data));
  ASSERT_EQ(r.splits.size(), 2u);
  EXPECT_EQ(r.splits[0].kind, analysis::SplitKind::LargestModel);
  EXPECT_EQ(r.splits[1].kind, analysis::SplitKind::Corner);
  long hidden = 0;
  for (const auto& s : r.splits) {
    EXPECT_EQ(s.scheme, "cluster");
    EXPECT_EQ(s.train_rows + s.hidden_rows, static_cast<long>(data.size()));
    EXPECT_EQ(s.rows.size(), static_cast<std::size_t>(s.hidden_rows) * 3);  // 2 laws + averaged
    hidden += s.hidden_rows;
    for (const auto& row : s.rows) {
      ASSERT_EQ(row.prediction.size(), 4u);
      // Wider levels nest the narrower ones, and a prediction interval contains the band.
      for (std::size_t l = 1; l < 4; ++l) {
        EXPECT_LE(row.prediction[l].lo, row.prediction[l - 1].lo);
        EXPECT_GE(row.prediction[l].hi, row.prediction[l - 1].hi);
      }
    }
  }
  // 3 "laws" (chinchilla, kaplan, law-averaged) × 2 kinds × 4 levels, each over every hidden row.
  ASSERT_EQ(r.coverage.size(), 24u);
  std::set<std::string> laws;
  for (const auto& c : r.coverage) {
    laws.insert(c.law);
    EXPECT_EQ(c.total, hidden);
    EXPECT_LE(c.covered, c.total);
    EXPECT_LE(c.wilson.lo, double(c.covered) / c.total);
    EXPECT_GE(c.wilson.hi, double(c.covered) / c.total);
    EXPECT_GT(c.mean_relative_width, 0);
  }
  EXPECT_EQ(laws, (std::set<std::string>{"chinchilla", "kaplan", "law-averaged"}));
}

TEST(Backtest, CoverageCountsRowsInsideTheirInterval) {
  analysis::HiddenRow in, out;
  in.law = out.law = "law";
  in.loss = 2.0;
  out.loss = 3.0;
  for (analysis::HiddenRow* r : {&in, &out}) {
    r->confidence = {{1.9, 2.1}};
    r->prediction = {{1.5, 2.5}};
  }
  const auto cells = analysis::coverage_table({&in, &out}, {0.9});
  ASSERT_EQ(cells.size(), 2u);
  for (const auto& c : cells) {
    EXPECT_EQ(c.covered, 1);
    EXPECT_EQ(c.total, 2);
  }
  EXPECT_EQ(cells[0].kind, "prediction");
  EXPECT_NEAR(cells[0].mean_relative_width, (1.0 / 2.0 + 1.0 / 3.0) / 2, 1e-12);
}

TEST(Backtest, TwoModelSizesFallBackToLateTokens) {
  const Dataset data = synth::chinchilla_data(0.01, 3, 2, 6, 0.01);
  const analysis::BacktestResult r = analysis::backtest(request(data));
  ASSERT_EQ(r.splits.size(), 1u);
  EXPECT_EQ(r.splits[0].kind, analysis::SplitKind::LateTokens);
  EXPECT_EQ(r.skipped.size(), 2u);
}

TEST(Backtest, CommandReportsCoverageAndRefusesBadSettings) {
  shannonfit::testing::TempDir dir;
  const std::string data =
      dir.write("runs.csv", synth::to_csv(synth::chinchilla_data(0.01, 4, 6, 5, 0.01), true));
  const std::vector<std::string> base = {"backtest", data, "--group-col", "model", "--law",
                                         "chinchilla,kaplan", "--starts", "single",
                                         "--token-fraction", "0.05"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return run_shannonfit(a, dir);
  };
  const auto ok = with({"--resamples", "40", "--json", "--quiet"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  const auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j.at("command"), "backtest");
  EXPECT_EQ(j.at("slices").at(0).at("splits").size(), 2u);
  EXPECT_EQ(j.at("coverage").size(), 24u);
  EXPECT_EQ(j.at("coverage").at(0).at("kind"), "prediction");
  EXPECT_EQ(j.at("coverage").at(0).at("level"), 0.5);

  const auto few = with({"--resamples", "10"});
  EXPECT_EQ(few.code, 2) << few.err;
  EXPECT_NE(few.err.find("at least 40"), std::string::npos) << few.err;
  const auto level = with({"--levels", "0.9,1.5"});
  EXPECT_EQ(level.code, 2) << level.err;
  const auto split = with({"--splits", "smallest"});
  EXPECT_EQ(split.code, 2) << split.err;
}

// A law over its own columns is backtested along them: the model is its first variable and the
// curve its second, so it hides the rows the same law written over N and D hides, resamples the
// same models, and names its own variables.
TEST(Backtest, LawOverItsOwnColumnsHidesAlongThem) {
  shannonfit::testing::TempDir dir;
  std::string csv = synth::to_csv(synth::chinchilla_data(0.01, 4, 6, 5, 0.01));
  csv.replace(0, csv.find('\n'), "params,tokens,loss");
  const std::string data = dir.write("runs.csv", csv);
  auto run = [&](const std::vector<std::string>& law) {
    std::vector<std::string> a = {"backtest", data, "--starts", "single", "--token-fraction",
                                  "0.05", "--resamples", "40", "--json", "--quiet"};
    a.insert(a.end(), law.begin(), law.end());
    const auto r = run_shannonfit(a, dir);
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out).at("slices").at(0).at("splits");
  };
  const auto own = run({"--law", "own(params, tokens): E + A/params^alpha + B/tokens^beta"});
  const auto nd = run({"--law", "chinchilla", "--n-col", "params", "--d-col", "tokens"});
  ASSERT_EQ(own.size(), 2u);
  ASSERT_EQ(own.size(), nd.size());
  for (std::size_t s = 0; s < own.size(); ++s) {
    EXPECT_EQ(own[s].at("split"), nd[s].at("split"));
    EXPECT_EQ(own[s].at("hidden_rows"), nd[s].at("hidden_rows"));
    EXPECT_EQ(own[s].at("scheme"), "cluster");
    EXPECT_EQ(own[s].at("clusters"), nd[s].at("clusters"));
    std::set<long> own_lines, nd_lines;
    for (const auto& row : own[s].at("rows")) own_lines.insert(row.at("line").get<long>());
    for (const auto& row : nd[s].at("rows")) nd_lines.insert(row.at("line").get<long>());
    EXPECT_EQ(own_lines, nd_lines);
    EXPECT_TRUE(own[s].at("rows").at(0).at("at").contains("params")) << own[s].dump();
  }
  const std::string described = own[0].at("description");
  EXPECT_EQ(described.rfind("hide params = ", 0), 0u) << described;
  EXPECT_EQ(nd[0].at("description").get<std::string>().rfind("hide N = ", 0), 0u);
}
