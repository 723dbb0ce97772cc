// Variable projection for formula laws: which parameters a law is linear in (formula::LinearPart),
// that its tapes rebuild the law exactly, and that projected starts (analysis/projected_starts.hpp)
// solve the reduced problem where LM from the same start does not (NIST's MGH17 from Start 1).
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/projected_starts.hpp"
#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"
#include "support/nist.hpp"

namespace {

using shannonfit::formula::CompiledLaw;

std::shared_ptr<const CompiledLaw> law_of(const std::string& formula,
                                          const std::vector<std::string>& parameters) {
  return shannonfit::testing::nist_law(formula, parameters);
}

std::vector<std::string> names(const CompiledLaw& law, const std::vector<int>& indices) {
  std::vector<std::string> out;
  for (int k : indices) out.push_back(law.info.params[k].reported_name);
  return out;
}

using Names = std::vector<std::string>;

TEST(LinearPart, FindsTheParametersTheLawIsJointlyLinearIn) {
  auto mgh17 = law_of("b1 + b2*exp(-x*b4) + b3*exp(-x*b5)", {"b1", "b2", "b3", "b4", "b5"});
  ASSERT_TRUE(mgh17->linear);
  EXPECT_EQ(names(*mgh17, mgh17->linear->coef_params), (Names{"b1", "b2", "b3"}));
  EXPECT_EQ(names(*mgh17, mgh17->linear->theta), (Names{"b4", "b5"}));
  // Eckerle4: b2 also divides, so only b1 is linear.
  auto eckerle = law_of("(b1/b2)*exp(-0.5*((x-b3)/b2)^2)", {"b1", "b2", "b3"});
  EXPECT_EQ(names(*eckerle, eckerle->linear->coef_params), (Names{"b1"}));
  // A product of two candidates: the first is taken, and the law stays linear in it alone.
  auto bilinear = law_of("b1*b2*x + b3", {"b1", "b2", "b3"});
  EXPECT_EQ(names(*bilinear, bilinear->linear->coef_params), (Names{"b1", "b3"}));
  // Division by a parameter, a power's base and a call's argument are not linear.
  auto none = law_of("x/b1 + b2^2 + exp(b3*x)", {"b1", "b2", "b3"});
  EXPECT_FALSE(none->linear);
}

TEST(LinearPart, IsAbsentForParametersFittedAsLogarithms) {
  shannonfit::formula::LawSpec spec;
  spec.name = "power";
  spec.formula = "A/N^alpha + E";
  spec.space = shannonfit::Space::Linear;
  EXPECT_FALSE(shannonfit::formula::compile(spec)->linear);  // A and E are fitted as ln A, ln E
}

// offset(theta) + sum_k c_k phi_k(theta) is the law's value, at random parameters and points.
TEST(LinearPart, RebuildsTheLawExactly) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> laws = {
      {"b1 + b2*exp(-x*b4) + b3*exp(-x*b5)", {"b1", "b2", "b3", "b4", "b5"}},
      {"-(b1*x) - b2*(3 - x) + cos(b3*x)", {"b1", "b2", "b3"}},
      {"b1*(1 - exp(-b2*x)) - b3/x", {"b1", "b2", "b3"}},
      {"(b1/b2)*exp(-0.5*((x-b3)/b2)^2)", {"b1", "b2", "b3"}},
  };
  for (const auto& [formula, parameters] : laws) {
    SCOPED_TRACE(formula);
    auto law = law_of(formula, parameters);
    ASSERT_TRUE(law->linear);
    const auto& part = *law->linear;
    for (int trial = 0; trial < 5; ++trial) {
      double p[shannonfit::kMaxParams] = {};
      for (int k = 0; k < law->n_params(); ++k) p[k] = 0.3 + 0.7 * std::sin(3.1 * k + trial);
      for (double x : {0.5, 1.7, 4.0}) {
        const double value = shannonfit::formula::evaluate<double, double>(law->value, p, 0, 0, x);
        double rebuilt = shannonfit::formula::evaluate<double, double>(part.offset, p, 0, 0, x);
        for (std::size_t k = 0; k < part.coef_params.size(); ++k)
          rebuilt += p[part.coef_params[k]] *
                     shannonfit::formula::evaluate<double, double>(part.basis[k], p, 0, 0, x);
        EXPECT_NEAR(rebuilt, value, 1e-13 * (std::fabs(value) + 1)) << "x = " << x;
      }
    }
  }
}

struct XyData {
  std::vector<double> x, y, zero;
  shannonfit::PointsView<double> view() const {
    return {zero.data(), zero.data(), x.data(), y.data(), static_cast<int>(x.size())};
  }
};

XyData read_nist(const std::string& name) {
  const shannonfit::testing::NistColumns c = shannonfit::testing::read_nist(name);
  return {c.x, c.y, std::vector<double>(c.x.size(), 0.0)};
}

double rss(const CompiledLaw& law, const XyData& d, const double* p) {
  double sum = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double r = d.y[i] - shannonfit::formula::evaluate<double, double>(law.value, p, 0, 0, d.x[i]);
    sum += r * r;
  }
  return sum;
}

// MGH17 from NIST's Start 1 (b4 = 1, b5 = 2: both exponentials gone after the first point) is
// where LM on all five parameters stalls; the reduced problem over b4, b5 reaches the certified
// minimum, RSS 5.4648946975E-05.
TEST(ProjectedStarts, TwinOfAStartReachesTheCertifiedMinimum) {
  auto law = law_of("b1 + b2*exp(-x*b4) + b3*exp(-x*b5)", {"b1", "b2", "b3", "b4", "b5"});
  const XyData d = read_nist("MGH17");
  const std::vector<double> start = {50, 150, -100, 1, 2};
  const std::vector<double> out =
      shannonfit::projected_starts(*law, d.view(), nullptr, start, false, 1);
  ASSERT_EQ(out.size(), 10u);
  EXPECT_EQ(std::vector<double>(out.begin(), out.begin() + 5), start);
  EXPECT_NEAR(rss(*law, d, out.data() + 5) / 5.4648946975E-05, 1.0, 1e-6);
  EXPECT_GT(rss(*law, d, out.data()), 1.0);  // the start itself is far from it
}

// The search needs no start: without one, its best start reaches the same minimum, and the
// starts do not depend on the thread count.
TEST(ProjectedStarts, SearchReachesTheCertifiedMinimumWithoutAStart) {
  auto law = law_of("b1 + b2*exp(-x*b4) + b3*exp(-x*b5)", {"b1", "b2", "b3", "b4", "b5"});
  ASSERT_FALSE(law->starts.empty());
  const XyData d = read_nist("MGH17");
  const std::vector<double> one = shannonfit::projected_starts(*law, d.view(), nullptr, law->starts, true, 1);
  const std::vector<double> two = shannonfit::projected_starts(*law, d.view(), nullptr, law->starts, true, 2);
  EXPECT_EQ(one, two);
  const std::size_t p = 5, given = law->starts.size() / p;
  ASSERT_EQ(one.size() / p, given + shannonfit::kProjectedSeeds);
  double best = INFINITY;
  for (std::size_t s = given; s < one.size() / p; ++s) best = std::min(best, rss(*law, d, &one[s * p]));
  EXPECT_NEAR(best / 5.4648946975E-05, 1.0, 1e-6);
}

// A law linear in every parameter: the search's one start is the least-squares solution, so
// every other start's RSS is at least its own.
TEST(ProjectedStarts, LawLinearInEveryParameterGetsItsLeastSquaresSolution) {
  auto law = law_of("b1 + b2*x + b3*x^2", {"b1", "b2", "b3"});
  ASSERT_TRUE(law->linear);
  ASSERT_TRUE(law->linear->theta.empty());
  const XyData d = read_nist("Misra1a");
  const std::vector<double> out =
      shannonfit::projected_starts(*law, d.view(), nullptr, law->starts, true, 1);
  const std::size_t p = 3, given = law->starts.size() / p;
  ASSERT_EQ(out.size() / p, given + 1);
  const double solved = rss(*law, d, &out[given * p]);
  for (std::size_t s = 0; s < given; ++s) EXPECT_LE(solved, rss(*law, d, &out[s * p]) * (1 + 1e-9));
  // The normal equations' answer, perturbed either way in any parameter, is worse.
  for (std::size_t k = 0; k < p; ++k)
    for (double step : {-1e-6, 1e-6}) {
      std::vector<double> moved(out.begin() + given * p, out.end());
      moved[k] += step * (std::fabs(moved[k]) + 1);
      EXPECT_GT(rss(*law, d, moved.data()), solved);
    }
}

}  // namespace
