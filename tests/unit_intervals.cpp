#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "analysis/intervals.hpp"
#include "analysis/uncertainty.hpp"
#include "shannonfit/errors.hpp"

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
  EXPECT_NEAR(q.interval("bca").lo, 1.5875648612847757, 1e-9);
  EXPECT_NEAR(q.interval("bca").hi, 84.08165046934815, 1e-9);
  EXPECT_NEAR(q.interval("percentile").lo, 5.95, 1e-12);
  EXPECT_NEAR(q.interval("percentile").hi, 95.05, 1e-12);
  EXPECT_DOUBLE_EQ(q.mean, 50.5);
  EXPECT_DOUBLE_EQ(q.bias, 10.0);
  EXPECT_TRUE(std::isnan(q.interval("asymptotic").lo));
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
  EXPECT_NEAR(q.interval("percentile").lo, 10 - 1.96 * 2, 0.1);
  EXPECT_NEAR(q.interval("percentile").hi, 10 + 1.96 * 2, 0.1);
  EXPECT_DOUBLE_EQ(q.z0, 0.0);
  EXPECT_DOUBLE_EQ(q.interval("bca").lo, q.interval("percentile").lo);
  EXPECT_DOUBLE_EQ(q.interval("bca").hi, q.interval("percentile").hi);
  EXPECT_NEAR(q.interval("asymptotic").lo, median - 1.959963984540054 * 2, 1e-12);
  // An estimate above the bulk shifts BCa upwards (bias correction).
  const QuantityInterval shifted = bootstrap_interval("x", median + 0.5, boot, 0, {}, 0.95, 2.0);
  EXPECT_GT(shifted.z0, 0);
  EXPECT_GT(shifted.interval("bca").lo, q.interval("bca").lo + 0.5);
}

TEST(Intervals, BcaIsUndefinedWhenEveryValueIsOnOneSide) {
  const QuantityInterval q = bootstrap_interval("x", 0.0, {1, 2, 3}, 0, {}, 0.9, std::nan(""));
  EXPECT_TRUE(std::isnan(q.interval("bca").lo));
  EXPECT_TRUE(std::isfinite(q.interval("percentile").lo));
}

// The registry: every method has a unique name and a description, is reachable by name, and is
// computed by bootstrap_interval in the registry's order; the hand values below pin each one.
TEST(IntervalMethods, RegistryIsConsistent) {
  const auto& methods = interval_methods();
  ASSERT_GE(methods.size(), 2u);
  EXPECT_EQ(fallback_interval_method().name, "percentile");
  EXPECT_EQ(default_interval_method().name, "bca");
  for (std::size_t i = 0; i < methods.size(); ++i) {
    EXPECT_FALSE(methods[i].description.empty()) << methods[i].name;
    EXPECT_FALSE(methods[i].label.empty()) << methods[i].name;
    EXPECT_EQ(&find_interval_method(methods[i].name), &methods[i]);
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(methods[i].name, methods[j].name);
  }
  // Only the fallback applies to a new run's loss: it must exist wherever any value does.
  EXPECT_TRUE(fallback_interval_method().for_new_run);
  const QuantityInterval q = bootstrap_interval("x", 2.0, {1, 2, 3, 4, 6}, 0, {}, 0.5, 0.5);
  ASSERT_EQ(q.by_method.size(), methods.size());
  for (std::size_t i = 0; i < methods.size(); ++i) {
    EXPECT_TRUE(q.by_method[i].defined()) << methods[i].name;
    EXPECT_EQ(&q.interval(methods[i].name), &q.by_method[i]);
  }
  EXPECT_THROW(q.interval("studentized"), std::invalid_argument);
}

TEST(IntervalMethods, UnknownNameListsTheChoices) {
  try {
    find_interval_method("bc");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    for (const IntervalMethod& m : interval_methods())
      EXPECT_NE(what.find(std::string(m.name)), std::string::npos) << what;
  }
}

// Hand values: sorted {1, 2, 3, 4, 6}, level 0.5: type-7 quartiles 2 and 4.
TEST(IntervalMethods, BasicReflectsThePercentileAboutTheEstimate) {
  const QuantityInterval q = bootstrap_interval("x", 2.5, {6, 1, 4, 3, 2}, 0, {}, 0.5, NAN);
  EXPECT_DOUBLE_EQ(q.interval("percentile").lo, 2.0);
  EXPECT_DOUBLE_EQ(q.interval("percentile").hi, 4.0);
  EXPECT_DOUBLE_EQ(q.interval("basic").lo, 2 * 2.5 - 4.0);
  EXPECT_DOUBLE_EQ(q.interval("basic").hi, 2 * 2.5 - 2.0);
  EXPECT_FALSE(q.interval("asymptotic").defined());
}

TEST(IntervalMethods, ShownFallsBackToPercentileAndSaysSo) {
  // Every value above the estimate: BCa undefined; no covariance: asymptotic undefined.
  const QuantityInterval q = bootstrap_interval("x", 0.0, {1, 2, 3}, 0, {}, 0.9, NAN);
  for (const char* name : {"bca", "asymptotic"}) {
    const ShownInterval s = shown(q, find_interval_method(name));
    EXPECT_EQ(s.method->name, "percentile") << name;
    EXPECT_EQ(s.interval.lo, q.interval("percentile").lo) << name;
  }
  const ShownInterval basic = shown(q, find_interval_method("basic"));
  EXPECT_EQ(basic.method->name, "basic");
  // No values at all: nothing to fall back to either, and the shown interval says percentile.
  const QuantityInterval empty = bootstrap_interval("x", 1.0, {}, 3, {}, 0.9, 0.1);
  EXPECT_TRUE(empty.interval("asymptotic").defined());
  EXPECT_FALSE(shown(empty, fallback_interval_method()).interval.defined());
}

TEST(IntervalMethods, NewRunIntervalKeepsOnlyTheMethodsForANewRun) {
  const QuantityInterval q = new_run_interval("x", 2.5, {6, 1, 4, 3, 2}, 1, 0.5);
  EXPECT_EQ(q.invalid, 1);
  EXPECT_TRUE(std::isnan(q.z0));
  for (const IntervalMethod& m : interval_methods())
    EXPECT_EQ(q.interval(m.name).defined(), m.for_new_run) << m.name;
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
