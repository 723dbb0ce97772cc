#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "shannonfit/resample.hpp"

using namespace shannonfit;

// Random123's published known-answer vector for Philox4x32-10 with zero key and counter.
TEST(Philox, MatchesRandom123KnownAnswer) {
  EXPECT_EQ(philox_bits(0, 0, 0), (std::uint64_t{0xe169c58du} << 32) | 0x6627e8d5u);
  EXPECT_EQ(philox_bits(0, 0, 1), (std::uint64_t{0x9b00dbd8u} << 32) | 0xbc57ac4cu);
}

TEST(Philox, StreamIsAPureFunctionOfSeedResampleAndDraw) {
  EXPECT_EQ(philox_bits(7, 3, 11), philox_bits(7, 3, 11));
  EXPECT_NE(philox_bits(7, 3, 11), philox_bits(8, 3, 11));
  EXPECT_NE(philox_bits(7, 3, 11), philox_bits(7, 4, 11));
  EXPECT_NE(philox_bits(7, 3, 11), philox_bits(7, 3, 12));
  // The high halves of the 64-bit counters take part too.
  EXPECT_NE(philox_bits(7, 3, 11), philox_bits(7 + (1ull << 32), 3, 11));
  EXPECT_NE(philox_bits(7, 3, 11), philox_bits(7, 3 + (1ull << 32), 11));
  EXPECT_NE(philox_bits(7, 3, 11), philox_bits(7, 3, 11 + (2ull << 32)));
}

TEST(Philox, UniformsAndIndicesAreUniform) {
  const int draws = 200000, bins = 10;
  std::vector<int> hist(bins, 0), idx_hist(bins, 0);
  double sum = 0;
  for (int i = 0; i < draws; ++i) {
    const double u = philox_uniform(42, 5, i);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    ++hist[static_cast<int>(u * bins)];
    ++idx_hist[philox_index(42, 6, i, bins)];
  }
  EXPECT_NEAR(sum / draws, 0.5, 0.005);
  // Chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile.
  for (const auto* h : {&hist, &idx_hist}) {
    double chi2 = 0;
    const double expected = double(draws) / bins;
    for (int c : *h) chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, 27.9);
  }
}

TEST(CaseWeights, AreMultinomialCountsTimesUserWeights) {
  const int n = 50;
  std::vector<double> w(n), user(n, 2.5), wu(n);
  case_weights(1, 9, n, nullptr, w.data());
  EXPECT_DOUBLE_EQ(std::accumulate(w.begin(), w.end(), 0.0), n);
  for (double v : w) EXPECT_EQ(v, std::floor(v));
  case_weights(1, 9, n, user.data(), wu.data());
  for (int i = 0; i < n; ++i) EXPECT_DOUBLE_EQ(wu[i], 2.5 * w[i]);
  // A different resample is a different draw; the same one is the same.
  std::vector<double> w2(n), w3(n);
  case_weights(1, 10, n, nullptr, w2.data());
  case_weights(1, 9, n, nullptr, w3.data());
  EXPECT_NE(w, w2);
  EXPECT_EQ(w, w3);
}

// Every point is drawn with probability 1/n per draw: over R resamples each point's mean weight
// is 1 with standard error sqrt((1 − 1/n) / R) = 0.0065 (n = 7, R = 20 000), and its variance
// is 1 − 1/n. The bounds are 6 standard errors (about 1e-9 false alarms per point); a scheme that
// never draws some point, or draws one twice as often, is off by 0.17 or more.
TEST(CaseWeights, EveryPointIsDrawnWithEqualProbability) {
  const int n = 7, resamples = 20000;
  std::vector<double> w(n), sum(n, 0.0), sum2(n, 0.0);
  for (int r = 0; r < resamples; ++r) {
    case_weights(4, r, n, nullptr, w.data());
    for (int i = 0; i < n; ++i) {
      sum[i] += w[i];
      sum2[i] += w[i] * w[i];
    }
  }
  for (int i = 0; i < n; ++i) {
    const double mean = sum[i] / resamples, var = sum2[i] / resamples - mean * mean;
    EXPECT_NEAR(mean, 1.0, 6 * std::sqrt((1 - 1.0 / n) / resamples)) << "point " << i;
    EXPECT_NEAR(var, 1 - 1.0 / n, 0.05) << "point " << i;
  }
}

TEST(ResidualTargets, EveryResidualIsDrawnWithEqualProbability) {
  const int n = 7, resamples = 20000;
  std::vector<double> fitted(n, 0.0), resid(n), out(n), drawn(n, 0.0);
  for (int i = 0; i < n; ++i) resid[i] = i;
  for (int r = 0; r < resamples; ++r) {
    residual_targets(4, r, n, fitted.data(), resid.data(), out.data());
    for (double v : out) drawn[static_cast<int>(v)] += 1.0 / resamples;
  }
  for (int i = 0; i < n; ++i)
    EXPECT_NEAR(drawn[i], 1.0, 6 * std::sqrt((1 - 1.0 / n) / resamples)) << "residual " << i;
}

TEST(ClusterWeights, ResampleWholeGroups) {
  const int n = 12, groups = 4;
  std::vector<int> group = {0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3};
  std::vector<int> counts(groups);
  std::vector<double> w(n);
  for (int r = 0; r < 20; ++r) {
    cluster_weights(3, r, n, group.data(), groups, nullptr, counts.data(), w.data());
    EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), 0), groups);
    for (int i = 0; i < n; ++i) EXPECT_EQ(w[i], counts[group[i]]);
  }
}

TEST(ResidualTargets, AddADrawnResidualToEachFittedValue) {
  const int n = 8;
  std::vector<double> fitted(n), resid(n), out(n);
  for (int i = 0; i < n; ++i) {
    fitted[i] = 10.0 * i;
    resid[i] = 0.001 * (i + 1);
  }
  residual_targets(5, 2, n, fitted.data(), resid.data(), out.data());
  std::set<double> used;
  for (int i = 0; i < n; ++i) {
    const double e = out[i] - fitted[i];
    const auto it = std::min_element(resid.begin(), resid.end(), [&](double a, double b) {
      return std::abs(a - e) < std::abs(b - e);
    });
    EXPECT_NEAR(*it, e, 1e-9);
    used.insert(*it);
  }
  // With replacement: some residual is almost surely repeated in 8 draws from 8.
  EXPECT_LT(used.size(), static_cast<std::size_t>(n));
}
