// The extrapolation split, the predicted-vs-actual curve, the shared 1-D minimiser and the loss
// basin D*.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/extrapolation.hpp"
#include "analysis/scan_minimize.hpp"
#include "shannonfit/errors.hpp"
#include "support/toy_laws.hpp"

using namespace shannonfit;

TEST(Extrapolation, ParsesSplitsAndRejectsTheRest) {
  const ExtrapolationSplit both = parse_split("N<=6.9e9, D<=180e9", "--extrapolate");
  EXPECT_DOUBLE_EQ(both.n_max, 6.9e9);
  EXPECT_DOUBLE_EQ(both.d_max, 180e9);
  const ExtrapolationSplit tokens = parse_split("D<=180e9", "--extrapolate");
  EXPECT_TRUE(std::isinf(tokens.n_max));
  for (const char* bad : {"", "N<6.9e9", "X<=3", "N<=-1", "N<=abc"})
    EXPECT_THROW(parse_split(bad, "--extrapolate"), InputError) << bad;
}

TEST(Extrapolation, SplitsInALawsOwnVariables) {
  // A law acc(params, tokens) reads params in x's place and tokens in N's.
  PointKeys keys;
  keys.x = "params", keys.n = "tokens";
  keys.need_x = true, keys.need_d = false;
  keys.order = "xn";
  const ExtrapolationSplit s = parse_split("params<=2.8B,tokens<=180B", "--extrapolate", keys);
  EXPECT_DOUBLE_EQ(s.x_max, 2.8e9);
  EXPECT_DOUBLE_EQ(s.n_max, 180e9);
  EXPECT_EQ(describe(s), "train on params <= 2.8e+09 and tokens <= 1.8e+11, predict the rest");
  Dataset d;
  d.x = {1e9, 6.9e9, 1e9};
  d.n = {100e9, 100e9, 300e9};
  d.d = {1, 1, 1};
  EXPECT_EQ(beyond(d, s), (std::vector<char>{0, 1, 1}));
  try {
    parse_split("N<=6.9e9", "--extrapolate", keys);
    FAIL() << "N accepted for a law over params and tokens";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("expected params<=VALUE and/or tokens<=VALUE"),
              std::string::npos)
        << e.what();
  }
}

TEST(Extrapolation, HoldsOutRowsBeyondTheSplitAndPredictsThem) {
  Dataset d;
  d.n = {1e9, 1e9, 12e9};
  d.d = {100e9, 300e9, 100e9};
  d.loss = {3, 2.9, 2.5};
  d.group = {0, 0, 1};
  d.group_names = {"1b", "12b"};
  const std::vector<char> held = beyond(d, parse_split("N<=6.9e9,D<=180e9", "--extrapolate"));
  EXPECT_EQ(held, (std::vector<char>{0, 1, 1}));
  const LawEntry& law = find_law("chinchilla");
  const double p[5] = {6.0, 6.02, 0.525, 0.34, 0.28};
  const auto curve = predicted_curve(law, p, d, held);
  ASSERT_EQ(curve.size(), 2u);
  EXPECT_EQ(curve[0].group, "1b");
  EXPECT_EQ(curve[1].group, "12b");
  EXPECT_DOUBLE_EQ(curve[1].actual, 2.5);
  EXPECT_NEAR(curve[1].predicted,
              std::exp(0.525) + std::exp(6.0) / std::pow(12e9, 0.34) + std::exp(6.02) / std::pow(100e9, 0.28),
              1e-12);
}

TEST(Extrapolation, ScanMinimizeFindsTheGlobalMinimumAndFlagsBounds) {
  // Two basins: the deeper one at t = 2.
  const auto f = [](double t) { return std::min((t + 1) * (t + 1) + 0.5, (t - 2) * (t - 2)); };
  const ScanMinimum m = scan_minimize(f, -3, 3);
  ASSERT_TRUE(m.ok);
  EXPECT_NEAR(m.arg, 2.0, 1e-6);
  EXPECT_FALSE(m.on_bound);
  const ScanMinimum edge = scan_minimize([](double t) { return -t; }, 0, 1);
  EXPECT_TRUE(edge.on_bound);
  EXPECT_NEAR(edge.arg, 1.0, 1e-12);
  EXPECT_FALSE(scan_minimize([](double) { return NAN; }, 0, 1).ok);
}

TEST(Extrapolation, LossBasinFindsTheInteriorMinimumAndFlagsMonotoneLaws) {
  const LawEntry basin = shannonfit::testing::toy_entry<shannonfit::testing::BasinLaw>();
  const double p[3] = {1.0, 0.02, std::log(3e11)};
  const TokenOptimum t = token_optimum(basin, p, 1e9, 0.0);
  ASSERT_TRUE(t.ok);
  EXPECT_FALSE(t.on_bound);
  EXPECT_NEAR(std::log(t.d), p[2], 1e-6);
  EXPECT_NEAR(t.loss, std::exp(1.0), 1e-9);
  // Chinchilla falls forever in D: its "basin" is the upper search bound.
  const double c[5] = {6.0, 6.02, 0.525, 0.34, 0.28};
  const TokenOptimum mono = token_optimum(find_law("chinchilla"), c, 1e9, 0.0);
  EXPECT_TRUE(mono.on_bound);
  EXPECT_NEAR(mono.d, 1e16, 1e16 * 1e-9);
}
