// BCa on a problem whose exact confidence interval is known. Efron (1987, "Better bootstrap
// confidence intervals", JASA 82: 171-185, §3) shows BCa is exact for any family with a monotone
// transform φ = g(θ) such that
//     (φ̂ − φ) / (1 + aφ) ~ N(−z0, 1).
// Given φ̂ = 0, the exact interval at level 1 − 2α has endpoints
//     φ(Z) = −(Z − z0) / (1 + a (Z − z0)),  Z = ±z_{1−α},
// and the parametric bootstrap from φ̂ = 0 draws φ* = Z − z0. Both the bias correction z0 and the
// acceleration a move the interval far from the percentile one, so this catches either term
// being dropped or mis-signed; θ = exp(φ) checks that BCa respects the transform.
//
// Each endpoint must lie within 5 standard errors of its sample quantile (6e-7 false alarms per
// endpoint, 14 endpoints). Measured on 59 other seed blocks (SHANNONFIT_TEST_SEED_BLOCK=1..59):
// no failure.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "analysis/intervals.hpp"
#include "support/seed_block.hpp"

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

// Five standard errors of the sample quantile of B standard normal draws at the probability where
// φ* = Z − z0 reaches `phi`: sqrt(p(1 − p)/B) / density. Deep in the tail (the 0.95 interval's
// upper end sits at p ≈ 0.9995) this is 0.1; near the centre 0.01.
double tolerance(double phi, std::size_t draws) {
  const double z = phi + kZ0, p = normal_cdf(z);
  const double density = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
  return 5 * std::sqrt(p * (1 - p) / static_cast<double>(draws)) / density;
}

}  // namespace

TEST(BcaKnownAnswer, AccelerationOfTheJackknifeValues) {
  EXPECT_NEAR(jackknife_acceleration(kJackknife), kAcceleration, 1e-14);
}

TEST(BcaKnownAnswer, MatchesTheExactIntervalOfATransformationFamily) {
  for (double level : {0.80, 0.90, 0.95}) {
    const Case c = draw(level, 11 + 1000 * shannonfit::testing::seed_block());
    const double z = normal_quantile(1 - (1 - level) / 2);
    const double lo = exact_endpoint(z), hi = exact_endpoint(-z);
    const QuantityInterval q = bootstrap_interval("phi", 0.0, c.phi_boot, 0, kJackknife, level,
                                                  std::nan(""));
    // z0 from the share of φ* below φ̂ = 0, i.e. Φ(z0) estimated from 400 000 draws: its
    // standard error is about sqrt(Φ(1 − Φ)/B)/φ(z0) = 0.002.
    EXPECT_NEAR(q.z0, kZ0, 0.01) << level;
    EXPECT_NEAR(q.acceleration, kAcceleration, 1e-14);
    // Endpoints are quantiles of the draws, each within 5 of its standard errors. At these
    // levels the exact endpoints lie 0.54–1.34 from the percentile ones and 0.14–0.94 from those
    // of BCa without acceleration, several tolerances away.
    const double tol_lo = tolerance(lo, c.phi_boot.size()), tol_hi = tolerance(hi, c.phi_boot.size());
    EXPECT_NEAR(q.interval("bca").lo, lo, tol_lo) << level;
    EXPECT_NEAR(q.interval("bca").hi, hi, tol_hi) << level;
    // BCa with a = 0 would give z0 ± z.
    EXPECT_GT(std::abs(kZ0 - z - lo), 3 * tol_lo) << "the case must separate the methods";
    EXPECT_GT(std::abs(kZ0 + z - hi), 3 * tol_hi) << "the case must separate the methods";
    // The same interval through θ = exp(φ): BCa is transformation-respecting.
    std::vector<double> theta(c.phi_boot.size());
    for (std::size_t i = 0; i < theta.size(); ++i) theta[i] = std::exp(c.phi_boot[i]);
    const QuantityInterval t = bootstrap_interval("theta", 1.0, theta, 0, kJackknife, level,
                                                  std::nan(""));
    EXPECT_NEAR(std::log(t.interval("bca").lo), lo, tol_lo) << level;
    EXPECT_NEAR(std::log(t.interval("bca").hi), hi, tol_hi) << level;
  }
}

// The same family without skew (a = 0) and without median bias (z0 = 0): BCa must reduce to the
// percentile interval, and both to ±z.
TEST(BcaKnownAnswer, ReducesToThePercentileIntervalWithoutBiasOrSkew) {
  std::mt19937_64 rng(5 + 1000 * shannonfit::testing::seed_block());
  std::normal_distribution<double> z(0, 1);
  std::vector<double> boot(400000);
  for (double& v : boot) v = z(rng);
  const std::vector<double> symmetric = {-2, -1, 0, 1, 2};
  const QuantityInterval q = bootstrap_interval("phi", 0.0, boot, 0, symmetric, 0.9, std::nan(""));
  EXPECT_EQ(q.acceleration, 0.0);
  EXPECT_NEAR(q.z0, 0.0, 0.01);
  EXPECT_NEAR(q.interval("bca").lo, -1.6448536269514722, 0.03);
  EXPECT_NEAR(q.interval("bca").hi, 1.6448536269514722, 0.03);
  EXPECT_NEAR(q.interval("bca").lo, q.interval("percentile").lo, 0.03);
}
