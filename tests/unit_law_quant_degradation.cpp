// The quantization-degradation law (Ouyang et al. 2024) on a Chinchilla base: evaluation against
// the published formula with effective bits log2(1 + 1/x), reduction to Chinchilla without
// perturbation, the degradation's direction, recovery and the default grid.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/law_fixtures.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

// Solver order: a, b, e (ln A, ln B, ln E), alpha, beta, ln k, alpha_q, beta_q, gamma_q.
using Params = std::vector<double>;
const Params kTruth = {6.0, 6.02, 0.525, 0.34, 0.28, 1, 0.5, 0.4, 3};
const std::vector<double> kBitsX = {0, 0.125, 0.0625, 0.015625, 0.00390625};

long double direct_loss(const Params& p, long double n, long double d, long double x) {
  auto e = [&](int k) { return std::exp((long double)p[k]); };
  const long double base = e(2) + e(0) / std::pow(n, (long double)p[3]) +
                           e(1) / std::pow(d, (long double)p[4]);
  if (x == 0) return base;
  const long double bits = std::log2(1 + 1 / x);
  return base + e(5) * std::pow(d, (long double)p[7]) /
                    (std::pow(n, (long double)p[6]) * std::pow(bits, (long double)p[8]));
}

}  // namespace

TEST(LawQuantDegradation, NeedsThePerturbationColumn) {
  const LawEntry& law = find_law("quant-degradation");
  EXPECT_EQ(law.n_params, 9);
  EXPECT_EQ(law.info.needs, Needs::Perturbation);
  EXPECT_EQ(start_grid(law.info).size() / 9, 256u);
}

TEST(LawQuantDegradation, MatchesThePublishedFormulaInLongDouble) {
  expect_matches_direct(find_law("quant-degradation"), kTruth, kBitsX,
                        [](long double n, long double d, long double x) {
                          return direct_loss(kTruth, n, d, x);
                        });
}

TEST(LawQuantDegradation, IsChinchillaWithoutPerturbation) {
  const Params chinchilla(kTruth.begin(), kTruth.begin() + 5);
  for (double n : log_grid(1e7, 1e12, 4))
    for (double d : log_grid(1e8, 1e13, 4))
      EXPECT_DOUBLE_EQ(log_loss_at(find_law("quant-degradation"), kTruth, n, d, 0.0),
                       log_loss_at(find_law("chinchilla"), chinchilla, n, d));
}

TEST(LawQuantDegradation, EffectiveBitsAreCloseToTheTrueCountAndFiniteBeyondOne) {
  const LawEntry& law = find_law("quant-degradation");
  for (int bits : {3, 4, 8, 16}) {
    const double b_eff = std::log2(1 + std::pow(2.0, bits));
    EXPECT_LT(b_eff - bits, 0.17) << bits;
    EXPECT_GT(b_eff - bits, 0.0) << bits;
  }
  double previous = log_loss_at(law, kTruth, 1e9, 1e11, 0.5);
  for (double x : {1.0, 2.0, 100.0}) {
    const double v = log_loss_at(law, kTruth, 1e9, 1e11, x);
    EXPECT_TRUE(std::isfinite(v)) << x;
    EXPECT_GT(v, previous) << x;
    previous = v;
  }
}

TEST(LawQuantDegradation, UndertrainedLargeModelsDegradeLeast) {
  // Ouyang et al.'s finding in the law's terms: ΔL_q falls with N and rises with D.
  const LawEntry& law = find_law("quant-degradation");
  auto degradation = [&](double n, double d) {
    return std::exp(log_loss_at(law, kTruth, n, d, 0.0625)) -
           std::exp(log_loss_at(law, kTruth, n, d, 0.0));
  };
  EXPECT_GT(degradation(1e8, 1e11), degradation(1e10, 1e11));
  EXPECT_GT(degradation(1e9, 1e12), degradation(1e9, 1e10));
  for (std::size_t i = 1; i + 1 < kBitsX.size(); ++i)
    EXPECT_GT(log_loss_at(law, kTruth, 1e9, 1e11, kBitsX[i]),
              log_loss_at(law, kTruth, 1e9, 1e11, kBitsX[i + 1]));
}

TEST(LawQuantDegradation, DefaultGridRecoversTheTruth) {
  const LawEntry& law = find_law("quant-degradation");
  expect_recovers_exactly(law, kTruth, kBitsX);
  // ln k and γ_q trade off (bits span only 3–8, ln bits 1.1–2.1).
  expect_recovers(law, kTruth, kBitsX, 0.003, {0.2, 0.2, 0.02, 0.01, 0.01, 0.6, 0.02, 0.02, 0.3});
}

TEST(LawQuantDegradation, DefaultGridIsStableUnderRefinement) {
  const LawEntry& law = find_law("quant-degradation");
  expect_grid_finds_optimum(law, pythia_shaped(law, kTruth, {0, 0.125, 0.015625}, 0.01, 2), 128, 3);
}
