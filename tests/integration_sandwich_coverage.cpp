// Coverage of the asymptotic (delta-method) intervals of Huber fits: on data drawn from a known
// Chinchilla law, with contaminated noise (90% N(0, 0.02²), 10% N(0, 0.1²) in ln L, the outliers
// a Huber loss is chosen for) at δ = 0.03, and with Gaussian noise (0.03) at the CLI's default
// δ = 1e-3, nominal 90% intervals estimate ± 1.645 SE from the sandwich covariance must cover
// the truth in about 90% of 1000 fixed-seed repetitions. The least-squares formula σ²(JᵀWJ)⁻¹ at
// the same fits is printed beside it for comparison.
//
// The band 0.87–0.93 is about ±3 binomial standard deviations at 1000 repetitions
// (√(0.9 · 0.1 / 1000) = 0.0095): a method covering 90% falls outside it with probability about
// 0.003 per quantity.
//
// DISABLED_EveryIntervalMethod measures every interval method (percentile, BCa, asymptotic) for
// both losses, the table in docs/results.md ("Coverage of each interval method"); it takes
// minutes, so it runs on request:
//   build/integration_sandwich_coverage --gtest_also_run_disabled_tests \
//     --gtest_filter='*EveryIntervalMethod'
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <random>

#include "analysis/fit_stats.hpp"
#include "analysis/intervals.hpp"
#include "analysis/uncertainty.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

namespace {

constexpr double kDelta = 0.03;

Dataset contaminated(unsigned seed, int sizes, int tokens) {
  Dataset d = synth::chinchilla_data(0.0, seed, sizes, tokens);
  std::mt19937_64 rng(seed * 7919 + 1);
  std::normal_distribution<double> eps(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  for (double& l : d.loss) l *= std::exp((u(rng) < 0.1 ? 0.1 : 0.02) * eps(rng));
  return d;
}

FitOptions huber() {
  FitOptions o;
  o.loss = LossKind::Huber;
  o.huber_delta = kDelta;
  return o;
}

// Solver-space truth and the prediction at an extrapolated point, as the quantities to cover.
struct Truth {
  synth::ChinchillaTruth t;
  std::array<double, 5> solver = t.solver();
  double ln_n = std::log(30e9), ln_d = std::log(600e9);
  double prediction = std::log(t.loss(30e9, 600e9));
};

// Delta-method SE of ln L̂ at the prediction point from a covariance.
double prediction_se(const LawEntry& law, const double* params, const std::vector<double>& cov,
                     const Truth& truth) {
  double grad[5];
  law.log_loss_gradient(params, truth.ln_n, truth.ln_d, 0.0, grad);
  double v = 0;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) v += grad[i] * cov[i * 5 + j] * grad[j];
  return std::sqrt(v);
}

// Asymptotic 90% coverage of the six quantities over `repetitions` fits of fresh data sets, for
// the sandwich and, for comparison only, the least-squares formula at the same fits. Fits that
// stop at the iteration cap are counted in `capped` and left out.
struct AsymptoticCoverage {
  std::array<double, 6> sandwich{}, least_squares{};
  int capped = 0;
};

AsymptoticCoverage asymptotic_coverage(double delta, bool with_outliers, int repetitions) {
  const LawEntry& law = find_law("chinchilla");
  const Truth truth;
  const double z = normal_quantile(0.95);
  AsymptoticCoverage out;
  std::array<int, 6> sandwich{}, least_squares{};
  int used = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    const Dataset data = with_outliers ? contaminated(2000 + rep, 8, 8)
                                       : synth::chinchilla_data(0.03, 2000 + rep, 8, 8);
    BatchRequest req;
    req.data = &data;
    req.starts.assign(truth.solver.begin(), truth.solver.end());
    req.options = huber();
    req.options.huber_delta = delta;
    req.threads = 1;
    const FitResult fit = law.batch(BackendKind::Cpu)(law, req).at(0);
    if (!converged(fit.status)) {
      ++out.capped;
      continue;
    }
    ++used;
    const FitSummary s = summarize_fit(law, fit, data, req.options);
    EXPECT_EQ(s.covariance_kind, "sandwich");
    Eigen::MatrixXd normal(5, 5);
    for (int i = 0, idx = 0; i < 5; ++i)
      for (int j = i; j < 5; ++j, ++idx) normal(i, j) = normal(j, i) = fit.normal[idx];
    const Eigen::MatrixXd ls = s.sigma2 * normal.inverse();
    std::vector<double> ls_cov(ls.data(), ls.data() + 25);
    for (int k = 0; k < 6; ++k) {
      const double estimate =
          k < 5 ? fit.params[k] : law.log_loss(fit.params.data(), truth.ln_n, truth.ln_d, 0.0);
      const double target = k < 5 ? truth.solver[k] : truth.prediction;
      const double se_sandwich = k < 5 ? s.params[k].se
                                       : prediction_se(law, fit.params.data(), s.covariance, truth);
      const double se_ls = k < 5 ? std::sqrt(ls(k, k))
                                 : prediction_se(law, fit.params.data(), ls_cov, truth);
      sandwich[k] += std::abs(estimate - target) <= z * se_sandwich;
      least_squares[k] += std::abs(estimate - target) <= z * se_ls;
    }
  }
  const char* names[6] = {"a", "b", "e", "alpha", "beta", "ln L(30B, 600B)"};
  std::printf("delta %g, %s noise, %d fits (%d at the iteration cap)\n", delta,
              with_outliers ? "contaminated" : "gaussian", used, out.capped);
  for (int k = 0; k < 6; ++k) {
    out.sandwich[k] = double(sandwich[k]) / used;
    out.least_squares[k] = double(least_squares[k]) / used;
    std::printf("  %-16s sandwich %.3f   least-squares formula %.3f\n", names[k], out.sandwich[k],
                out.least_squares[k]);
  }
  return out;
}

void expect_nominal(const AsymptoticCoverage& c, int repetitions, double highest = 0.93) {
  EXPECT_LE(c.capped, 0.02 * repetitions);
  for (int k = 0; k < 6; ++k) {
    EXPECT_GE(c.sandwich[k], 0.87) << "quantity " << k;
    EXPECT_LE(c.sandwich[k], highest) << "quantity " << k;
  }
}

}  // namespace

TEST(SandwichCoverage, HuberAsymptoticIntervalsCoverTheTruthWithOutliers) {
  expect_nominal(asymptotic_coverage(kDelta, true, 1000), 1000);
}

// The CLI's default δ = 1e-3 against Gaussian noise of 0.03: nearly every residual in the linear
// zone, where the least-squares formula covers about 0.8 and Huber's own ψ' covered about 0.75.
// The window estimate of the bread (fit_stats.cpp) errs on the wide side here: E's interval
// covers 0.95, so the upper limit is 0.96, not 0.93; under-coverage is held to the same 0.87.
TEST(SandwichCoverage, HuberAsymptoticIntervalsCoverTheTruthAtTheDefaultDelta) {
  expect_nominal(asymptotic_coverage(1e-3, false, 1000), 1000, 0.96);
}

TEST(SandwichCoverage, DISABLED_EveryIntervalMethod) {
  const LawEntry& law = find_law("chinchilla");
  const Truth truth;
  const int repetitions = 200;
  struct Scenario {
    const char* name;
    LossKind loss;
    double delta;
    bool contaminated;
  };
  // Least squares on Gaussian noise; Huber(0.03) on contaminated noise; the CLI's default
  // Huber(1e-3) on Gaussian noise, where almost every residual is in the linear zone.
  for (const Scenario& sc : {Scenario{"l2, gaussian", LossKind::L2, 0, false},
                             Scenario{"huber 0.03, contaminated", LossKind::Huber, kDelta, true},
                             Scenario{"huber 1e-3, gaussian", LossKind::Huber, 1e-3, false}}) {
    std::array<int, 6> pct{}, bca{}, asym{};
    for (int rep = 0; rep < repetitions; ++rep) {
      const Dataset data = sc.contaminated ? contaminated(3000 + rep, 8, 8)
                                           : synth::chinchilla_data(0.03, 3000 + rep, 8, 8);
      BootstrapOptions o;
      o.resamples = 300;
      o.seed = rep;
      o.fit.threads = 2;
      o.fit.options.loss = sc.loss;
      o.fit.options.huber_delta = sc.delta;
      o.fit.full_starts.assign(truth.solver.begin(), truth.solver.end());
      const BootstrapResult run = run_bootstrap(data, law, o);
      const FitSummary s = summarize_fit(law, run.full, data, o.fit.options);
      std::vector<QuantityInterval> qs = parameter_intervals(run, law.info, 0.90, s.covariance);
      const Quantity prediction = [&](const double* p) {
        return law.log_loss(p, truth.ln_n, truth.ln_d, 0.0);
      };
      qs.push_back(quantity_interval(run, "prediction", prediction, 0.90, s.covariance));
      const std::vector<double> reported = reported_params(law.info, truth.solver.data());
      for (int k = 0; k < 6; ++k) {
        const double t = k < 5 ? reported[k] : truth.prediction;
        pct[k] += qs[k].interval("percentile").lo <= t && t <= qs[k].interval("percentile").hi;
        bca[k] += qs[k].interval("bca").lo <= t && t <= qs[k].interval("bca").hi;
        asym[k] += qs[k].interval("asymptotic").lo <= t && t <= qs[k].interval("asymptotic").hi;
      }
    }
    for (int k = 0; k < 6; ++k)
      std::printf("%s, quantity %d: percentile %.3f  BCa %.3f  asymptotic %.3f\n", sc.name, k,
                  double(pct[k]) / repetitions,
                  double(bca[k]) / repetitions, double(asym[k]) / repetitions);
  }
}
