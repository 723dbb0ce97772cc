// Jets: every arithmetic rule and function against its analytic derivative, and for every law in
// the registry, the Jacobian from Jets against central finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "shannonfit/jet.hpp"
#include "shannonfit/law.hpp"
#include "support/law_testing.hpp"

using namespace shannonfit;
namespace lt = shannonfit::lawtest;
using shannonfit::lawtest::AllLaws;
using shannonfit::lawtest::LawName;

namespace {

using J2 = Jet<double, 2>;
const double x0 = 0.7, y0 = 1.9;
// x = x0 + t0, y = y0 + t1: derivatives below are with respect to (x, y).
const J2 X = J2::variable(x0, 0);
const J2 Y = J2::variable(y0, 1);

void expect_jet(const J2& j, double value, double dx, double dy) {
  EXPECT_DOUBLE_EQ(j.a, value);
  EXPECT_DOUBLE_EQ(j.v[0], dx);
  EXPECT_DOUBLE_EQ(j.v[1], dy);
}

TEST(Jet, ConstantsHaveZeroGradient) { expect_jet(J2(3.5), 3.5, 0, 0); }

TEST(Jet, ArithmeticBetweenJets) {
  expect_jet(X + Y, x0 + y0, 1, 1);
  expect_jet(X - Y, x0 - y0, 1, -1);
  expect_jet(X * Y, x0 * y0, y0, x0);
  expect_jet(X / Y, x0 / y0, 1 / y0, -x0 / (y0 * y0));
  expect_jet(-X, -x0, -1, 0);
}

TEST(Jet, ArithmeticWithScalars) {
  expect_jet(X + 2.0, x0 + 2, 1, 0);
  expect_jet(2.0 + X, x0 + 2, 1, 0);
  expect_jet(X - 2.0, x0 - 2, 1, 0);
  expect_jet(2.0 - X, 2 - x0, -1, 0);
  expect_jet(X * 3.0, 3 * x0, 3, 0);
  expect_jet(3.0 * X, 3 * x0, 3, 0);
  expect_jet(X / 4.0, x0 / 4, 0.25, 0);
  expect_jet(4.0 / X, 4 / x0, -4 / (x0 * x0), 0);
}

TEST(Jet, Functions) {
  expect_jet(exp(X), std::exp(x0), std::exp(x0), 0);
  expect_jet(log(Y), std::log(y0), 0, 1 / y0);
  expect_jet(log1p(X), std::log1p(x0), 1 / (1 + x0), 0);
  expect_jet(sqrt(Y), std::sqrt(y0), 0, 0.5 / std::sqrt(y0));
}

TEST(Jet, ChainRuleThroughComposition) {
  // f = exp(x·y) / (1 + x²):  df/dx = y·e/(1+x²) − 2x·e/(1+x²)²,  df/dy = x·e/(1+x²).
  const J2 f = exp(X * Y) / (1.0 + X * X);
  const double e = std::exp(x0 * y0), q = 1 + x0 * x0;
  EXPECT_DOUBLE_EQ(f.a, e / q);
  EXPECT_NEAR(f.v[0], y0 * e / q - 2 * x0 * e / (q * q), 1e-14 * e);
  EXPECT_NEAR(f.v[1], x0 * e / q, 1e-14 * e);
}

TEST(Jet, ComparisonsUseTheValueOnly) {
  EXPECT_TRUE(X < Y);
  EXPECT_FALSE(X > Y);
  EXPECT_EQ(value_of(X), x0);
}

TEST(Jet, LogSumExpIsStableAndDifferentiates) {
  // Arguments near 800 overflow exp(): the shifted form must not (the 800 offset costs ~1e-13 of
  // the softmax weights' precision, hence 1e-12 there).
  const J2 big = log_sum_exp<J2>(X + 800.0, Y + 800.0);
  const double m = std::max(x0, y0);
  const double ref = m + std::log(std::exp(x0 - m) + std::exp(y0 - m));
  EXPECT_NEAR(big.a, 800 + ref, 1e-12);
  const double sx = std::exp(x0 - ref), sy = std::exp(y0 - ref);  // softmax weights
  EXPECT_NEAR(big.v[0], sx, 1e-12);
  EXPECT_NEAR(big.v[1], sy, 1e-12);
  const J2 three = log_sum_exp<J2>(X, Y, J2(0.3));
  const double z = std::exp(x0) + std::exp(y0) + std::exp(0.3);
  EXPECT_NEAR(three.a, std::log(z), 1e-14);
  EXPECT_NEAR(three.v[0], std::exp(x0) / z, 1e-14);
  EXPECT_NEAR(three.v[1], std::exp(y0) / z, 1e-14);
}

// ---- every law: Jets vs central differences ------------------------------------------------------
template <class Law>
class LawJacobian : public ::testing::Test {};
TYPED_TEST_SUITE(LawJacobian, AllLaws, LawName);

// Central differences with h = 1e-6·max(1,|p|) have truncation error O(h²·f''') and rounding error
// O(ε·|f|/h) ≈ 1e-10·|f|: agreement to 1e-6 relative to max(|∂f|, |f|·1e-3, 1e-6) separates a
// wrong derivative (errors of order 1) from finite-difference noise with a wide margin.
TYPED_TEST(LawJacobian, MatchesCentralDifferences) {
  using Law = TypeParam;
  constexpr int P = Law::kParams;
  const LawInfo info = Law::info();
  const synth::Design design = synth::make_design(info, 4, 4);
  std::mt19937_64 rng(20260101);
  int checked = 0;
  for (int trial = 0; trial < 20; ++trial) {
    // Derivatives are checked whether or not the design identifies the truth.
    const lt::Truth t = lt::draw_truth<Law>(design, rng, false);
    for (std::size_t i = 0; i < design.size(); ++i) {
      double grad[P];
      const double f = lt::value_and_gradient<Law>(t.params.data(), design.ln_n[i],
                                                        design.ln_d[i], design.x[i], grad);
      ASSERT_NEAR(f, lt::log_loss<Law>(t.params.data(), design.ln_n[i], design.ln_d[i],
                                            design.x[i]),
                  1e-14 * std::max(1.0, std::abs(f)));
      for (int k = 0; k < P; ++k) {
        const double fd = lt::central_difference<Law>(t.params.data(), k, design.ln_n[i],
                                                           design.ln_d[i], design.x[i]);
        const double scale = std::max({std::abs(grad[k]), 1e-3 * std::abs(f), 1e-6});
        // The floor covers rounding of the difference quotient itself, which the Shannon
        // family's log2(1 + S/P) amplifies by its internal cancellation (measured 1.2e-10 at
        // |f| ≈ 0.1 where 1e-6·scale allowed 9.8e-11).
        ASSERT_LE(std::abs(grad[k] - fd), std::max(1e-6 * scale, 1e-9 * std::max(1.0, std::abs(f))))
            << info.name << " d/d" << info.params[k].name << " at point " << i << " trial "
            << trial << ": jet " << grad[k] << " vs fd " << fd;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 20 * static_cast<int>(design.size()) * P);
}

}  // namespace
