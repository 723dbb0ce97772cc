// The Gauss–Newton refinement of a least-squares optimum (analysis/refine_optimum.hpp): it
// recovers the digits an ill-conditioned problem's data determine (NIST's Lanczos1, whose
// certified values the data reproduce to 11 digits), and leaves alone the fits it must not touch.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/refine_optimum.hpp"
#include "laws/formula_entry.hpp"
#include "support/nist.hpp"

namespace {

using shannonfit::FitResult;
using shannonfit::FitStatus;

shannonfit::LawEntry entry_of(const std::string& formula, const std::vector<std::string>& names) {
  return shannonfit::make_formula_entry(shannonfit::testing::nist_law(formula, names));
}

// The problem's x as the perturbation variable the formula names, y as the response.
shannonfit::Dataset read_nist(const std::string& name) {
  const shannonfit::testing::NistColumns c = shannonfit::testing::read_nist(name);
  shannonfit::Dataset d;
  d.x = c.x;
  d.loss = c.y;
  d.n.assign(c.x.size(), 1.0);
  d.d.assign(c.x.size(), 1.0);
  return d;
}

const std::vector<double> kLanczos1 = {0.095100000027, 1.0000000001, 0.86070000013,
                                       3.0000000002,   1.5575999998, 5.0000000001};

shannonfit::FitOptions least_squares_on_l() {
  shannonfit::FitOptions o;
  o.space = shannonfit::Space::Linear;
  o.loss = shannonfit::LossKind::L2;
  return o;
}

// Where LM's normal equations leave Lanczos1: each parameter off by about 1e-7.
FitResult near_lanczos1() {
  FitResult fit;
  fit.n_params = 6;
  for (int k = 0; k < 6; ++k) fit.params[k] = kLanczos1[k] * (1 + 1e-7 * (k % 2 ? 1 : -1));
  fit.status = FitStatus::ConvergedCost;
  return fit;
}

double worst_digits(const FitResult& fit) {
  double worst = 99;
  for (int k = 0; k < 6; ++k)
    worst = std::min(worst, -std::log10(std::fabs(fit.params[k] - kLanczos1[k]) / kLanczos1[k]));
  return worst;
}

const shannonfit::LawEntry& lanczos() {
  static const shannonfit::LawEntry law = entry_of(
      "b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)", {"b1", "b2", "b3", "b4", "b5", "b6"});
  return law;
}

TEST(RefineOptimum, RecoversTheDigitsTheDataDetermine) {
  const shannonfit::Dataset data = read_nist("Lanczos1");
  FitResult fit = near_lanczos1();
  ASSERT_LT(worst_digits(fit), 7.5);
  ASSERT_TRUE(shannonfit::refine_least_squares_optimum(lanczos(), data, least_squares_on_l(), fit));
  EXPECT_GE(worst_digits(fit), 9.5);
  // The refined fit's statistics are those of its parameters: RSS near NIST's 1.4307867721E-25.
  EXPECT_NEAR(fit.rss / 1.4307867721E-25, 1.0, 0.05);
  EXPECT_DOUBLE_EQ(fit.cost, fit.rss / 2);
  EXPECT_GT(fit.normal[0], 0.0);
}

TEST(RefineOptimum, LeavesAloneWhatItMustNotRefine) {
  const shannonfit::Dataset data = read_nist("Lanczos1");
  auto unchanged = [&](FitResult fit, const shannonfit::FitOptions& o, const char* why) {
    const FitResult before = fit;
    EXPECT_FALSE(shannonfit::refine_least_squares_optimum(lanczos(), data, o, fit)) << why;
    EXPECT_EQ(fit.params, before.params) << why;
  };
  shannonfit::FitOptions huber = least_squares_on_l();
  huber.loss = shannonfit::LossKind::Huber;
  unchanged(near_lanczos1(), huber, "a Huber fit");
  FitResult capped = near_lanczos1();
  capped.status = FitStatus::MaxIterations;
  unchanged(capped, least_squares_on_l(), "a fit that did not converge");
  FitResult far = near_lanczos1();
  far.params[1] *= 1.5;
  unchanged(far, least_squares_on_l(), "a point far from the optimum (a first step above 1e-3)");
  FitResult bound = near_lanczos1();
  bound.params[0] = lanczos().info.params[0].hi;
  unchanged(bound, least_squares_on_l(), "a parameter on its bound");
}

TEST(RefineOptimum, LeavesAFlatDirectionAlone) {
  // b1 and b2 multiply the same column: the Jacobian has rank 1, and no point of the line
  // b1 + b2 = const is better than another.
  const shannonfit::LawEntry law = entry_of("b1*x + b2*x + b3", {"b1", "b2", "b3"});
  const shannonfit::Dataset data = read_nist("Misra1a");
  FitResult fit;
  fit.n_params = 3;
  fit.params[0] = fit.params[1] = 0.1;
  fit.params[2] = 1;
  fit.status = FitStatus::ConvergedStep;
  const FitResult before = fit;
  EXPECT_FALSE(shannonfit::refine_least_squares_optimum(law, data, least_squares_on_l(), fit));
  EXPECT_EQ(fit.params, before.params);
}

}  // namespace
