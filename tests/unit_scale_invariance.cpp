// The solver's stopping tests and the statistics built on a fit do not depend on the scale of
// the weights or of the loss: multiplying every weight by 1e±12 gives the same optimum, the same
// standard errors and the same bootstrap intervals, and a Huber δ of 1e-300 (every residual in
// the linear zone, the gradient of order 1e-300) still fits instead of stopping at its start.
// R² of losses with no spread is n/a, not a number made of rounding.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/fit_outcome.hpp"
#include "analysis/fit_stats.hpp"
#include "analysis/uncertainty.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

namespace {

const LawEntry& chinchilla() { return find_law("chinchilla"); }

// From a start well away from the optimum, so that a stopping test that fires at the start
// shows.
std::vector<double> far_start() { return {3.0, 3.0, 0.0, 0.6, 0.6}; }

FitResult fit_from_far(const Dataset& data, const FitOptions& options) {
  BatchRequest req;
  req.data = &data;
  req.starts = far_start();
  req.options = options;
  req.threads = 1;
  StartOutcomes outcomes;
  return fit_counting_starts(chinchilla(), chinchilla().batch(BackendKind::Cpu), req, outcomes);
}

Dataset weighted(double scale) {
  Dataset data = synth::chinchilla_data(0.02, 11);
  data.weight.assign(data.size(), scale);
  for (std::size_t i = 0; i < data.size(); i += 4) data.weight[i] = 3 * scale;
  return data;
}

BootstrapResult small_bootstrap(const Dataset& data, const FitOptions& fit) {
  BootstrapOptions o;
  o.resamples = 40;
  o.seed = 5;
  o.fit.threads = 1;
  o.jackknife = false;
  o.fit.options = fit;
  o.fit.full_starts = far_start();
  return run_bootstrap(data, chinchilla(), o);
}

}  // namespace

TEST(ScaleInvariance, WeightsTimesTenToThePlusMinusTwelveChangeNothing) {
  for (const LossKind loss : {LossKind::L2, LossKind::Huber}) {
    FitOptions options;
    options.loss = loss;
    options.huber_delta = 0.02;
    const Dataset unit = weighted(1.0);
    const FitResult base = fit_from_far(unit, options);
    ASSERT_TRUE(converged(base.status));
    ASSERT_GT(base.iterations, 3);
    ASSERT_TRUE(kkt_verified(base)) << base.optimality;
    const FitSummary base_summary = summarize_fit(chinchilla(), base, unit, options);
    const BootstrapResult base_boot = small_bootstrap(unit, options);
    const std::vector<QuantityInterval> base_iv =
        parameter_intervals(base_boot, chinchilla().info, 0.9, {});
    for (const double scale : {1e-12, 1e12}) {
      SCOPED_TRACE("loss " + std::to_string(static_cast<int>(loss)) + ", weights x " +
                   std::to_string(scale));
      const Dataset scaled = weighted(scale);
      const FitResult fit = fit_from_far(scaled, options);
      EXPECT_TRUE(converged(fit.status)) << to_string(fit.status);
      EXPECT_TRUE(kkt_verified(fit)) << fit.optimality;
      EXPECT_GT(fit.iterations, 3);
      for (int k = 0; k < 5; ++k)
        EXPECT_NEAR(fit.params[k], base.params[k], 1e-7 * (1 + std::abs(base.params[k])));
      const FitSummary summary = summarize_fit(chinchilla(), fit, scaled, options);
      EXPECT_NEAR(summary.quality.criteria.aic, base_summary.quality.criteria.aic, 1e-5);
      for (int k = 0; k < 5; ++k)
        EXPECT_NEAR(summary.params[k].se, base_summary.params[k].se, 1e-5 * base_summary.params[k].se);
      const BootstrapResult boot = small_bootstrap(scaled, options);
      EXPECT_EQ(boot.failed(), base_boot.failed());
      const std::vector<QuantityInterval> iv = parameter_intervals(boot, chinchilla().info, 0.9, {});
      for (int k = 0; k < 5; ++k) {
        const double width = base_iv[k].interval("percentile").hi - base_iv[k].interval("percentile").lo;
        EXPECT_NEAR(iv[k].interval("percentile").lo, base_iv[k].interval("percentile").lo, 1e-5 * width);
        EXPECT_NEAR(iv[k].interval("percentile").hi, base_iv[k].interval("percentile").hi, 1e-5 * width);
      }
    }
  }
}

// With δ far below every residual the objective is δ Σ(|r| − δ/2): its minimiser does not depend
// on δ, and neither may the fit.
TEST(ScaleInvariance, TinyHuberDeltaStillFits) {
  const Dataset data = synth::chinchilla_data(0.02, 12);
  FitOptions reference_options;
  reference_options.loss = LossKind::Huber;
  reference_options.huber_delta = 1e-9;
  const FitResult reference = fit_from_far(data, reference_options);
  ASSERT_TRUE(converged(reference.status));
  FitOptions tiny = reference_options;
  tiny.huber_delta = 1e-300;
  const FitResult fit = fit_from_far(data, tiny);
  EXPECT_TRUE(converged(fit.status)) << to_string(fit.status);
  EXPECT_GT(fit.iterations, 3);
  EXPECT_LT(fit.cost, 1e-290);
  for (int k = 0; k < 5; ++k)
    EXPECT_NEAR(fit.params[k], reference.params[k], 1e-4 * (1 + std::abs(reference.params[k])));
}

TEST(ScaleInvariance, RSquaredOfConstantLossesIsNotAvailable) {
  Dataset data = synth::chinchilla_data(0.02, 13);
  data.loss.assign(data.size(), 2.37);  // ln 2.37 is not a binary fraction: the mean rounds
  const FitResult fit = fit_from_far(data, FitOptions{});
  const FitQuality q = fit_quality(chinchilla(), fit.params.data(), data, Space::Log);
  EXPECT_TRUE(std::isnan(q.r2)) << q.r2;
  EXPECT_TRUE(std::isnan(r_squared({0.1, 0.1, 0.1}, {0.1, 0.2, 0.3})));
  EXPECT_NEAR(r_squared({0.1, 0.2, 0.3}, {0.1, 0.2, 0.3}), 1.0, 1e-12);
}
