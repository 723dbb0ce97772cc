// BCa on a problem whose exact confidence interval is known. Efron (1987, "Better bootstrap
// confidence intervals", JASA 82: 171-185, §3) shows BCa is exact for any family with a monotone
// transform φ = g(θ) such that
//     (φ̂ − φ) / (1 + aφ) ~ N(−z0, 1).
// Given φ̂ = 0, the exact interval at level 1 − 2α has endpoints
//     φ(Z) = −(Z − z0) / (1 + a (Z − z0)),  Z = ±z_{1−α},
// and the parametric bootstrap from φ̂ = 0 draws φ* = Z − z0. Both the bias correction z0 and the
// acceleration a move the interval far from the percentile one, so this catches either term
// being dropped or mis-signed; θ = exp(φ) checks that BCa respects the transform.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "shannonfit/intervals.hpp"

using namespace shannonfit;

namespace {

// Leave-one-out values with one outlier below nine equal ones: d = mean − v is −0.1 (nine
// times) and 0.9, so Σd³ = 0.72, Σd² = 0.9 and a = 0.72 / (6 · 0.9^1.5) = 0.14054567378526128.
const std::vector<double> kJackknife = {0, 0, 0, 0, 0, 0, 0, 0, 0, -1};
constexpr double kAcceleration = 0.14054567378526128;
constexpr double kZ0 = 0.2;

struct Case {
  double level;
  std::vector<double> phi_boot;  // φ* = Z − z0
};

Case draw(double level, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  Case c{level, std::vector<double>(400000)};
  for (double& v : c.phi_boot) v = z(rng) - kZ0;
  return c;
}

double exact_endpoint(double zq) {
  return -(zq - kZ0) / (1 + kAcceleration * (zq - kZ0));
}

}  // namespace

TEST(BcaKnownAnswer, AccelerationOfTheJackknifeValues) {
  EXPECT_NEAR(jackknife_acceleration(kJackknife), kAcceleration, 1e-14);
}

TEST(BcaKnownAnswer, MatchesTheExactIntervalOfATransformationFamily) {
  for (double level : {0.80, 0.90, 0.95}) {
    const Case c = draw(level, 11);
    const double z = normal_quantile(1 - (1 - level) / 2);
    const double lo = exact_endpoint(z), hi = exact_endpoint(-z);
    const QuantityInterval q = bootstrap_interval("phi", 0.0, c.phi_boot, 0, kJackknife, level,
                                                  std::nan(""));
    // z0 from the share of φ* below φ̂ = 0, i.e. Φ(z0) estimated from 400 000 draws: its
    // standard error is about sqrt(Φ(1 − Φ)/B)/φ(z0) = 0.002.
    EXPECT_NEAR(q.z0, kZ0, 0.01) << level;
    EXPECT_NEAR(q.acceleration, kAcceleration, 1e-14);
    // Endpoints are quantiles of 400 000 normal draws: standard errors below 0.01 out to the
    // 0.995 quantile. At these levels the exact endpoints lie 0.54–1.34 from the percentile
    // ones and 0.14–0.94 from those of BCa without acceleration, so 0.03 separates them.
    EXPECT_NEAR(q.bca.lo, lo, 0.03) << level;
    EXPECT_NEAR(q.bca.hi, hi, 0.03) << level;
    EXPECT_GT(std::abs(q.percentile.hi - hi), 0.3) << "the case must separate the methods";
    // The same interval through θ = exp(φ): BCa is transformation-respecting.
    std::vector<double> theta(c.phi_boot.size());
    for (std::size_t i = 0; i < theta.size(); ++i) theta[i] = std::exp(c.phi_boot[i]);
    const QuantityInterval t = bootstrap_interval("theta", 1.0, theta, 0, kJackknife, level,
                                                  std::nan(""));
    EXPECT_NEAR(std::log(t.bca.lo), lo, 0.03) << level;
    EXPECT_NEAR(std::log(t.bca.hi), hi, 0.03) << level;
  }
}

// The same family without skew (a = 0) and without median bias (z0 = 0): BCa must reduce to the
// percentile interval, and both to ±z.
TEST(BcaKnownAnswer, ReducesToThePercentileIntervalWithoutBiasOrSkew) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> boot(400000);
  for (double& v : boot) v = z(rng);
  const std::vector<double> symmetric = {-2, -1, 0, 1, 2};
  const QuantityInterval q = bootstrap_interval("phi", 0.0, boot, 0, symmetric, 0.9, std::nan(""));
  EXPECT_EQ(q.acceleration, 0.0);
  EXPECT_NEAR(q.z0, 0.0, 0.01);
  EXPECT_NEAR(q.bca.lo, -1.6448536269514722, 0.03);
  EXPECT_NEAR(q.bca.hi, 1.6448536269514722, 0.03);
  EXPECT_NEAR(q.bca.lo, q.percentile.lo, 0.03);
}
