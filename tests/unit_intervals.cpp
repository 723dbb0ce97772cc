#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "analysis/uncertainty.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/intervals.hpp"

using namespace shannonfit;

TEST(Intervals, QuantileInterpolatesBetweenOrderStatistics) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 1.0), 5);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 3);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.3), 2.2);
  EXPECT_DOUBLE_EQ(quantile_sorted({7}, 0.9), 7);
}

TEST(Intervals, NormalQuantiles) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_cdf(-1.6448536269514722), 0.05, 1e-12);
}

TEST(Intervals, JackknifeAcceleration) {
  EXPECT_DOUBLE_EQ(jackknife_acceleration({1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(jackknife_acceleration({4, 4, 4}), 0.0);
  EXPECT_DOUBLE_EQ(jackknife_acceleration({5}), 0.0);
  // Hand value: d = mean − v = (3, 2, 1, −6); Σd³ = −180, Σd² = 50.
  EXPECT_NEAR(jackknife_acceleration({1, 2, 3, 10}), -180 / (6 * std::pow(50.0, 1.5)), 1e-15);
}

// Expected values from scipy.stats.norm and numpy.quantile (linear) on the same inputs.
TEST(Intervals, BcaMatchesAHandComputation) {
  std::vector<double> boot;
  for (int i = 100; i >= 1; --i) boot.push_back(i);
  const QuantityInterval q =
      bootstrap_interval("x", 40.5, boot, 2, {1, 2, 3, 10}, 0.90, std::nan(""));
  EXPECT_EQ(q.n, 100);
  EXPECT_EQ(q.invalid, 2);
  EXPECT_NEAR(q.acceleration, -0.08485281374238571, 1e-14);
  EXPECT_NEAR(q.z0, normal_quantile(0.4), 1e-14);
  EXPECT_NEAR(q.bca.lo, 1.5875648612847757, 1e-9);
  EXPECT_NEAR(q.bca.hi, 84.08165046934815, 1e-9);
  EXPECT_NEAR(q.percentile.lo, 5.95, 1e-12);
  EXPECT_NEAR(q.percentile.hi, 95.05, 1e-12);
  EXPECT_DOUBLE_EQ(q.mean, 50.5);
  EXPECT_DOUBLE_EQ(q.bias, 10.0);
  EXPECT_TRUE(std::isnan(q.asymptotic.lo));
}

TEST(Intervals, SymmetricDistributionGivesMatchingIntervals) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n(10, 2);
  std::vector<double> boot(20000);
  for (double& v : boot) v = n(rng);
  std::vector<double> sorted = boot;
  std::sort(sorted.begin(), sorted.end());
  // The median as the estimate: half the values below it, so z0 = 0, and no acceleration.
  const double median = quantile_sorted(sorted, 0.5);
  const QuantityInterval q = bootstrap_interval("x", median, boot, 0, {}, 0.95, 2.0);
  EXPECT_NEAR(q.se, 2.0, 0.05);
  EXPECT_NEAR(q.percentile.lo, 10 - 1.96 * 2, 0.1);
  EXPECT_NEAR(q.percentile.hi, 10 + 1.96 * 2, 0.1);
  EXPECT_DOUBLE_EQ(q.z0, 0.0);
  EXPECT_DOUBLE_EQ(q.bca.lo, q.percentile.lo);
  EXPECT_DOUBLE_EQ(q.bca.hi, q.percentile.hi);
  EXPECT_NEAR(q.asymptotic.lo, median - 1.959963984540054 * 2, 1e-12);
  // An estimate above the bulk shifts BCa upwards (bias correction).
  const QuantityInterval shifted = bootstrap_interval("x", median + 0.5, boot, 0, {}, 0.95, 2.0);
  EXPECT_GT(shifted.z0, 0);
  EXPECT_GT(shifted.bca.lo, q.bca.lo + 0.5);
}

TEST(Intervals, BcaIsUndefinedWhenEveryValueIsOnOneSide) {
  const QuantityInterval q = bootstrap_interval("x", 0.0, {1, 2, 3}, 0, {}, 0.9, std::nan(""));
  EXPECT_TRUE(std::isnan(q.bca.lo));
  EXPECT_TRUE(std::isfinite(q.percentile.lo));
}

TEST(Intervals, LevelMustLieInsideTheUnitInterval) {
  for (double bad : {0.0, 1.0, 1.5, -0.1, std::numeric_limits<double>::quiet_NaN()})
    EXPECT_THROW(validate_level(bad), InputError) << bad;
  EXPECT_NO_THROW(validate_level(0.9));
}

TEST(Intervals, DeltaMethodThroughAnExponential) {
  const double p[2] = {std::log(400.0), 0.3};
  const std::vector<double> cov = {0.01, 0.002, 0.002, 0.0004};
  const Quantity a = [](const double* x) { return std::exp(x[0]); };
  EXPECT_NEAR(delta_method_se(a, p, 2, cov), 400 * 0.1, 1e-6);
  const Quantity sum = [](const double* x) { return x[0] + x[1]; };
  EXPECT_NEAR(delta_method_se(sum, p, 2, cov), std::sqrt(0.01 + 2 * 0.002 + 0.0004), 1e-8);
  EXPECT_TRUE(std::isnan(delta_method_se(a, p, 2, {})));
  // A parameter whose variance is unidentified poisons only quantities that depend on it.
  const std::vector<double> partial = {0.01, NAN, NAN, NAN};
  EXPECT_NEAR(delta_method_se(a, p, 2, partial), 40, 1e-6);
  EXPECT_TRUE(std::isnan(delta_method_se(sum, p, 2, partial)));
}
