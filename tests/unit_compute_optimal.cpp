#include <gtest/gtest.h>

#include <cmath>

#include "analysis/compute_optimal.hpp"
#include "analysis/uncertainty.hpp"
#include "shannonfit/errors.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

TEST(ComputeOptimal, MatchesTheChinchillaClosedForm) {
  const LawEntry& law = find_law("chinchilla");
  const auto p = synth::ChinchillaTruth().solver();
  for (double k : {6.0, 8.0})
    for (double budget : {1e20, 1e22, 5.76e23, 1e25}) {
      ComputeOptimalOptions o;
      o.flops_per_token_param = k;
      const Optimum opt = compute_optimal(law, p.data(), budget, o);
      ASSERT_TRUE(opt.ok);
      EXPECT_FALSE(opt.on_bound);
      const double closed = chinchilla_optimal_n(p.data(), budget, k);
      EXPECT_NEAR(opt.n / closed, 1.0, 1e-6) << "C=" << budget << " k=" << k;
      EXPECT_NEAR(opt.n * opt.d * k / budget, 1.0, 1e-12);
      EXPECT_NEAR(opt.loss, synth::ChinchillaTruth().loss(opt.n, opt.d), 1e-12);
    }
}

TEST(ComputeOptimal, FlagsAMinimiserOnABound) {
  const LawEntry& law = find_law("chinchilla");
  auto p = synth::ChinchillaTruth().solver();
  ComputeOptimalOptions o;
  p[3] = 0.0;  // loss no longer falls with N: spend everything on tokens, N at its lower bound
  Optimum opt = compute_optimal(law, p.data(), 1e22, o);
  ASSERT_TRUE(opt.ok);
  EXPECT_TRUE(opt.on_bound);
  EXPECT_NEAR(opt.n, o.n_min, 1e-3 * o.n_min);
  p[3] = 0.34;
  p[4] = 0.0;  // now tokens do not help: N as large as allowed (1e15, leaving D = 1.7e6)
  opt = compute_optimal(law, p.data(), 1e22, o);
  EXPECT_TRUE(opt.on_bound);
  EXPECT_NEAR(opt.n, o.n_max, 1e-3 * o.n_max);
  o.n_max = 1e17;  // and where the token floor binds first, N stops there
  opt = compute_optimal(law, p.data(), 1e22, o);
  EXPECT_TRUE(opt.on_bound);
  EXPECT_NEAR(opt.d, o.d_min, 1e-3 * o.d_min);
}

TEST(ComputeOptimal, NoFeasibleSizeIsNotOk) {
  const LawEntry& law = find_law("chinchilla");
  const auto p = synth::ChinchillaTruth().solver();
  ComputeOptimalOptions o;
  // 6 · 1e6 · 1e6 FLOPs buy neither the smallest model nor the fewest tokens twice over.
  EXPECT_FALSE(compute_optimal(law, p.data(), 1e12, o).ok);
}

TEST(ComputeOptimal, RejectsBadBudgets) {
  ComputeOptimalOptions o;
  EXPECT_THROW(validate(o, 0), InputError);
  EXPECT_THROW(validate(o, -1e20), InputError);
  o.flops_per_token_param = 0;
  EXPECT_THROW(validate(o, 1e20), InputError);
  o.flops_per_token_param = 6;
  o.n_min = 1e16;
  EXPECT_THROW(validate(o, 1e20), InputError);
}

TEST(ComputeOptimal, BootstrapIntervalsBracketTheEstimate) {
  const LawEntry& law = find_law("chinchilla");
  const Dataset data = synth::chinchilla_data(0.02, 4, 8, 6);
  BootstrapOptions bo;
  bo.resamples = 100;
  bo.fit.full_starts = single_start(law.info);
  const BootstrapResult run = run_bootstrap(data, law, bo);
  const ComputeOptimalOptions o;
  const Quantity n_star = [&](const double* p) {
    const Optimum opt = compute_optimal(law, p, 1e23, o);
    return opt.ok ? opt.n : NAN;
  };
  const QuantityInterval q = quantity_interval(run, "N*", n_star, 0.95, {});
  EXPECT_NEAR(q.estimate / chinchilla_optimal_n(run.full.params.data(), 1e23, 6), 1, 1e-6);
  EXPECT_EQ(q.n + q.invalid, 100);
  EXPECT_LT(q.interval("percentile").lo, q.estimate);
  EXPECT_GT(q.interval("percentile").hi, q.estimate);
  EXPECT_LT(q.interval("bca").lo, q.estimate);
  EXPECT_GT(q.interval("bca").hi, q.estimate);
}
