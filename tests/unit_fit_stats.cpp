// Fit statistics: the criteria formulas, standard errors against an independent finite-
// difference Jacobian, invariance to the scale of weights, and rank-deficiency detection.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "analysis/fit_stats.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

namespace {

FitResult fit_chinchilla(const Dataset& data) {
  const LawEntry& law = find_law("chinchilla");
  BatchRequest req;
  req.data = &data;
  req.starts = single_start(law.info);
  req.options.loss = LossKind::L2;
  return law.batch(BackendKind::Cpu)(law, req).at(0);
}

}  // namespace

TEST(FitStats, InformationCriteriaFormulas) {
  const double rss = 0.02, n = 50;
  const int k = 5;
  const auto c = information_criteria(rss, n, k);
  const double ll = -0.5 * n * (std::log(2 * M_PI * rss / n) + 1);
  EXPECT_DOUBLE_EQ(c.log_likelihood, ll);
  EXPECT_DOUBLE_EQ(c.aic, 2 * 6 - 2 * ll);
  EXPECT_DOUBLE_EQ(c.aicc, 2 * 6 - 2 * ll + 2.0 * 6 * 7 / (50 - 6 - 1));
  EXPECT_DOUBLE_EQ(c.bic, 6 * std::log(50.0) - 2 * ll);
  EXPECT_TRUE(std::isnan(information_criteria(rss, 7, 5).aicc));
}

TEST(FitStats, RSquared) {
  const std::vector<double> y = {1, 2, 3, 4}, yhat = {1.1, 1.9, 3.2, 3.8};
  EXPECT_NEAR(r_squared(y, yhat), 1 - 0.10 / 5.0, 1e-12);
  EXPECT_DOUBLE_EQ(r_squared(y, y), 1.0);
  // Weight 2 on a point is the same as listing it twice.
  const std::vector<double> w = {2, 1, 1, 1};
  EXPECT_NEAR(r_squared(y, yhat, &w), r_squared({1, 1, 2, 3, 4}, {1.1, 1.1, 1.9, 3.2, 3.8}), 1e-12);
  EXPECT_TRUE(std::isnan(r_squared({2, 2}, {1, 3})));
}

TEST(FitStats, StandardErrorsMatchAFiniteDifferenceJacobian) {
  const Dataset data = synth::chinchilla_data(0.02, 7);
  const LawEntry& law = find_law("chinchilla");
  const FitResult fit = fit_chinchilla(data);
  ASSERT_TRUE(converged(fit.status));
  FitOptions opt;
  opt.loss = LossKind::L2;
  const FitSummary s = summarize_fit(law, fit, data, opt);
  ASSERT_TRUE(s.identifiability.full_rank());

  const int p = 5, n = static_cast<int>(data.size());
  Eigen::MatrixXd j(n, p);
  Eigen::VectorXd r(n);
  for (int i = 0; i < n; ++i) {
    const double ln_n = std::log(data.n[i]), ln_d = std::log(data.d[i]);
    r(i) = std::log(data.loss[i]) - law.log_loss(fit.params.data(), ln_n, ln_d, 0);
    for (int k = 0; k < p; ++k) {
      auto hi = fit.params, lo = fit.params;
      const double h = 1e-6 * (1 + std::abs(fit.params[k]));
      hi[k] += h;
      lo[k] -= h;
      j(i, k) = (law.log_loss(hi.data(), ln_n, ln_d, 0) - law.log_loss(lo.data(), ln_n, ln_d, 0)) / (2 * h);
    }
  }
  const double sigma2 = r.squaredNorm() / (n - p);
  const Eigen::MatrixXd cov = sigma2 * (j.transpose() * j).inverse();
  EXPECT_NEAR(s.sigma2, sigma2, 1e-10 * sigma2);
  EXPECT_NEAR(s.quality.rss, r.squaredNorm(), 1e-12);
  for (int k = 0; k < p; ++k) {
    EXPECT_NEAR(s.params[k].se, std::sqrt(cov(k, k)), 1e-4 * std::sqrt(cov(k, k))) << k;
    EXPECT_TRUE(s.params[k].identified);
    EXPECT_FALSE(s.params[k].at_bound);
  }
  // Delta method for A = exp(a).
  EXPECT_DOUBLE_EQ(s.params[0].reported_value, std::exp(fit.params[0]));
  EXPECT_DOUBLE_EQ(s.params[0].reported_se, std::exp(fit.params[0]) * s.params[0].se);
  EXPECT_EQ(s.params[0].reported_name, "A");
  EXPECT_DOUBLE_EQ(s.params[3].reported_se, s.params[3].se);
}

TEST(FitStats, ScalingAllWeightsChangesNothing) {
  Dataset data = synth::chinchilla_data(0.02, 3);
  data.weight.assign(data.size(), 1.0);
  for (std::size_t i = 0; i < data.size(); i += 3) data.weight[i] = 2.5;
  const LawEntry& law = find_law("chinchilla");
  const FitResult fit = fit_chinchilla(data);
  Dataset scaled = data;
  for (double& w : scaled.weight) w *= 7;
  const FitResult fit7 = fit_chinchilla(scaled);
  FitOptions opt;
  const FitSummary a = summarize_fit(law, fit, data, opt);
  const FitSummary b = summarize_fit(law, fit7, scaled, opt);
  EXPECT_NEAR(a.quality.rss, b.quality.rss, 1e-9 * a.quality.rss);
  EXPECT_NEAR(a.quality.criteria.aic, b.quality.criteria.aic, 1e-6);
  EXPECT_DOUBLE_EQ(a.quality.n, static_cast<double>(data.size()));
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(a.params[k].se, b.params[k].se, 1e-6 * a.params[k].se);
}

TEST(FitStats, DetectsAFlatDirectionAndNamesIt) {
  // J has columns 1, x, 2x: the second and third parameters only act through p1 + 2 p2, so
  // (0, 2, -1)/√5 changes nothing.
  LawInfo info;
  for (const char* name : {"c", "u", "v"}) info.params.push_back({name, name, Reported::AsIs, -1, 1, {}, 0});
  Eigen::MatrixXd j(5, 3);
  for (int i = 0; i < 5; ++i) j.row(i) << 1, i + 1.0, 2 * (i + 1.0);
  const Eigen::MatrixXd h = j.transpose() * j;
  std::vector<double> packed;
  for (int a = 0; a < 3; ++a)
    for (int b = a; b < 3; ++b) packed.push_back(h(a, b));
  const Identifiability id = identifiability(info, packed.data());
  ASSERT_EQ(id.flat.size(), 1u);
  EXPECT_FALSE(id.full_rank());
  EXPECT_EQ(id.identified, (std::vector<bool>{true, false, false}));
  const auto& comps = id.flat[0].components;
  ASSERT_EQ(comps.size(), 2u);
  EXPECT_EQ(comps[0].first, "u");
  EXPECT_EQ(comps[1].first, "v");
  EXPECT_NEAR(std::abs(comps[0].second), 2 / std::sqrt(5.0), 1e-9);
  EXPECT_NEAR(comps[0].second / comps[1].second, -2.0, 1e-9);
  EXPECT_TRUE(std::isinf(id.condition_number()));
}

TEST(FitStats, NearlyCollinearButIdentifiedIsNotFlat) {
  LawInfo info;
  for (const char* name : {"u", "v"}) info.params.push_back({name, name, Reported::AsIs, -1, 1, {}, 0});
  // Columns x and x + 1e-3 x²: collinear to about 1e-7 in relative eigenvalue, well above 1e-10.
  Eigen::MatrixXd j(6, 2);
  for (int i = 0; i < 6; ++i) j.row(i) << i + 1.0, (i + 1.0) + 1e-3 * (i + 1.0) * (i + 1.0);
  const Eigen::MatrixXd h = j.transpose() * j;
  const std::vector<double> packed = {h(0, 0), h(0, 1), h(1, 1)};
  const Identifiability id = identifiability(info, packed.data());
  EXPECT_TRUE(id.full_rank());
  EXPECT_GT(id.condition_number(), 1e5);
  EXPECT_TRUE(std::isfinite(id.condition_number()));
}
