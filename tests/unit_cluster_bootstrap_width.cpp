// The cluster bootstrap's interval widths on noisy training curves against an independent
// computation, and the case bootstrap's on the same data as the contrast that gives the test
// its power.
//
// Each of 40 synthetic model sizes is one training curve of 4 points that share an offset (sd
// 2e-3 in ln L) on top of independent point noise (sd 2e-4), as checkpoints of one run do. The
// known answer is the same cluster bootstrap applied, with its own draws, to the model
// linearised at the fit (J and r from the law written out in tests/support, not the engine's
// law; each resample a weighted Gauss-Newton step solved by Eigen). At this noise the fit is
// linear to well within the Monte Carlo error, so the engine's bootstrap standard deviation of
// each parameter must match the linearised one up to the two runs' sampling error:
// sqrt(1/(2·1999) + 1/(2·3999)) = 1.9% per ratio. The tolerance 8% is 4.1 of those, a false
// alarm below 5 × 4e-5 = 2e-4 per run over the five parameters; a bootstrap 10% too narrow
// fails each check with probability 0.84. Measured on seed blocks 0..200
// (`for b in $(seq 0 200); do SHANNONFIT_TEST_SEED_BLOCK=$b build/tests/unit_cluster_bootstrap_width; done`):
// ratio sd 0.020-0.021, all 1005 ratios in [0.942, 1.059], no failure.
// A bootstrap that resampled rows instead of curves sees the curves' offsets as independent
// noise: on the same data the case bootstrap's ratios were in [0.49, 0.79] for A, E and α and
// [3.0, 6.3] for B and β (curves that lose points tilt along D), never within 0.2 of 1.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "support/linearised_chinchilla.hpp"
#include "support/seed_block.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

namespace {

constexpr int kP = shannonfit::testing::kChinchillaParams;

// The same cluster bootstrap applied to the linearised model, with its own draws: each resample
// weights curve g by how often it was drawn (w_g) and moves the estimate by the weighted
// Gauss-Newton step (Jᵀ W J)⁻¹ Jᵀ W r. Returns each parameter's standard deviation.
Eigen::VectorXd linear_cluster_bootstrap_sd(const Dataset& data, const double* p, int resamples) {
  const auto lin = shannonfit::testing::linearise_chinchilla(data, p);
  const int groups = static_cast<int>(data.group_names.size());
  std::mt19937_64 rng(1234567 + shannonfit::testing::seed_block());
  std::uniform_int_distribution<int> draw(0, groups - 1);
  Eigen::MatrixXd steps(resamples, kP);
  for (int r = 0; r < resamples; ++r) {
    std::vector<double> count(static_cast<std::size_t>(groups), 0.0);
    for (int g = 0; g < groups; ++g) count[static_cast<std::size_t>(draw(rng))] += 1;
    Eigen::VectorXd w(static_cast<Eigen::Index>(data.size()));
    for (std::size_t i = 0; i < data.size(); ++i)
      w(static_cast<Eigen::Index>(i)) = count[static_cast<std::size_t>(data.group[i])];
    const Eigen::MatrixXd jtw = lin.jacobian.transpose() * w.asDiagonal();
    steps.row(r) = (jtw * lin.jacobian).ldlt().solve(jtw * lin.residuals).transpose();
  }
  const Eigen::MatrixXd centred = steps.rowwise() - steps.colwise().mean();
  return (centred.colwise().squaredNorm() / double(resamples - 1)).cwiseSqrt().transpose();
}

// Column standard deviations of the converged resamples' parameters.
Eigen::VectorXd resample_sd(const BootstrapResult& run) {
  std::vector<const ResampleFit*> ok;
  for (const ResampleFit& f : run.resamples)
    if (f.ok()) ok.push_back(&f);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(ok.size()), kP);
  for (std::size_t r = 0; r < ok.size(); ++r)
    for (int k = 0; k < kP; ++k) x(static_cast<Eigen::Index>(r), k) = ok[r]->params[k];
  const Eigen::MatrixXd centred = x.rowwise() - x.colwise().mean();
  return (centred.colwise().squaredNorm() / double(x.rows() - 1)).cwiseSqrt().transpose();
}

struct CurvesRun {
  Dataset data = synth::chinchilla_data(
      2e-4, static_cast<unsigned>(29 + 1000 * shannonfit::testing::seed_block()), 40, 4, 2e-3);
  const LawEntry& law = find_law("chinchilla");
  BootstrapResult cluster, cases;
  Eigen::VectorXd linear_sd;

  BootstrapResult run(Scheme scheme) const {
    BootstrapOptions o;
    o.scheme = scheme;
    o.resamples = 2000;
    o.seed = 5 + shannonfit::testing::seed_block();
    o.fit.threads = 2;
    o.jackknife = false;
    o.fit.options.loss = LossKind::L2;
    const auto truth = synth::ChinchillaTruth().solver();
    o.fit.full_starts.assign(truth.begin(), truth.end());
    return run_bootstrap(data, law, o);
  }
  CurvesRun() : cluster(run(Scheme::Cluster)), cases(run(Scheme::Case)) {
    linear_sd = linear_cluster_bootstrap_sd(data, cluster.full.params.data(), 4000);
  }
};

const CurvesRun& curves_run() {
  static const CurvesRun s;
  return s;
}

}  // namespace

TEST(ClusterBootstrapWidth, MatchesTheLinearisedClusterBootstrap) {
  const CurvesRun& s = curves_run();
  ASSERT_EQ(s.cluster.n_clusters, 40);
  ASSERT_LE(s.cluster.failed(), 20);
  const Eigen::VectorXd sd = resample_sd(s.cluster);
  for (int k = 0; k < kP; ++k) {
    const double ratio = sd(k) / s.linear_sd(k);
    std::printf("parameter %d: cluster bootstrap sd / linearised sd = %.4f\n", k, ratio);
    EXPECT_NEAR(ratio, 1.0, 0.08) << "parameter " << k;
  }
}

TEST(ClusterBootstrapWidth, RowResamplingOnTheSameCurvesIsFarFromIt) {
  const CurvesRun& s = curves_run();
  ASSERT_EQ(s.cases.n_clusters, 0);
  const Eigen::VectorXd sd = resample_sd(s.cases);
  for (int k = 0; k < kP; ++k) {
    const double ratio = sd(k) / s.linear_sd(k);
    std::printf("parameter %d: case bootstrap sd / linearised sd = %.4f\n", k, ratio);
    EXPECT_GT(std::abs(ratio - 1), 0.15) << "parameter " << k;
  }
}
