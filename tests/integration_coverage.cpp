// Coverage: on data drawn from a known Chinchilla law, nominal 90% bootstrap intervals must cover
// the truth in about 90% of repetitions. Fixed seeds make the counts reproducible; the accepted
// band 84–96% is about ±2.8 binomial standard deviations at 200 repetitions.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/uncertainty.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

TEST(Coverage, NinetyPercentIntervalsCoverTheTruthOnChinchilla) {
  const int repetitions = 200;
  const LawEntry& law = find_law("chinchilla");
  const synth::ChinchillaTruth truth;
  const std::array<double, 5> solver_truth = truth.solver();
  const std::vector<double> reported_truth = reported_params(law.info, solver_truth.data());
  const double ln_n = std::log(30e9), ln_d = std::log(600e9);  // an extrapolated prediction
  const double prediction_truth = truth.loss(30e9, 600e9);
  const Quantity prediction = [&](const double* p) {
    return std::exp(law.log_loss(p, ln_n, ln_d, 0.0));
  };
  const int n_quantities = 6;
  std::vector<int> pct(n_quantities, 0), bca(n_quantities, 0);
  for (int rep = 0; rep < repetitions; ++rep) {
    const Dataset data = synth::chinchilla_data(0.03, 1000 + rep, 10, 8);
    BootstrapOptions o;
    o.resamples = 300;
    o.seed = rep;
    o.threads = 1;
    o.full_starts.assign(solver_truth.begin(), solver_truth.end());
    const BootstrapResult run = run_bootstrap(data, law, o);
    std::vector<QuantityInterval> qs = parameter_intervals(run, law.info, 0.90, {});
    qs.push_back(quantity_interval(run, "L(30B, 600B)", prediction, 0.90, {}));
    for (int k = 0; k < n_quantities; ++k) {
      const double t = k < 5 ? reported_truth[k] : prediction_truth;
      pct[k] += qs[k].percentile.lo <= t && t <= qs[k].percentile.hi;
      bca[k] += qs[k].bca.lo <= t && t <= qs[k].bca.hi;
    }
  }
  for (int k = 0; k < n_quantities; ++k) {
    const double p = double(pct[k]) / repetitions, b = double(bca[k]) / repetitions;
    std::printf("quantity %d: percentile %.3f  BCa %.3f\n", k, p, b);
    EXPECT_GE(p, 0.84) << "percentile, quantity " << k;
    EXPECT_LE(p, 0.96) << "percentile, quantity " << k;
    EXPECT_GE(b, 0.84) << "BCa, quantity " << k;
    EXPECT_LE(b, 0.96) << "BCa, quantity " << k;
  }
}
