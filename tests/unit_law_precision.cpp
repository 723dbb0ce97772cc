// The precision-aware law (Kumar et al. 2024) on a Chinchilla base: evaluation against the
// published formula with bits = −log2 x, reduction to Chinchilla without perturbation, the
// degradation's direction, recovery and the default grid.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/law_fixtures.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

// Solver order: a, b, e (ln A, ln B, ln E), alpha, beta, ln C_T, gamma_D, gamma_N, gamma_post.
using Params = std::vector<double>;
// Hoffmann et al.'s base and a degradation of a few tenths of a nat at 3–4 bits.
const Params kTruth = {6.0, 6.02, 0.525, 0.34, 0.28, -3, 0.5, 0.4, 2};
// No perturbation, then 3, 4, 6 and 8 bits.
const std::vector<double> kBitsX = {0, 0.125, 0.0625, 0.015625, 0.00390625};

long double direct_loss(const Params& p, long double n, long double d, long double x) {
  auto e = [&](int k) { return std::exp((long double)p[k]); };
  const long double base = e(2) + e(0) / std::pow(n, (long double)p[3]) +
                           e(1) / std::pow(d, (long double)p[4]);
  if (x == 0) return base;
  const long double bits = -std::log2(x);
  return base + e(5) * std::pow(d, (long double)p[6]) / std::pow(n, (long double)p[7]) *
                    std::exp(-bits / (long double)p[8]);
}

}  // namespace

TEST(LawPrecision, NeedsThePerturbationColumn) {
  const LawEntry& law = find_law("precision");
  EXPECT_EQ(law.n_params, 9);
  EXPECT_EQ(law.info.needs, Needs::Perturbation);
  EXPECT_EQ(start_grid(law.info).size() / 9, 256u);
}

TEST(LawPrecision, MatchesThePublishedFormulaInLongDouble) {
  expect_matches_direct(find_law("precision"), kTruth, kBitsX,
                        [](long double n, long double d, long double x) {
                          return direct_loss(kTruth, n, d, x);
                        });
}

TEST(LawPrecision, IsChinchillaWithoutPerturbation) {
  const Params chinchilla(kTruth.begin(), kTruth.begin() + 5);
  for (double n : log_grid(1e7, 1e12, 4))
    for (double d : log_grid(1e8, 1e13, 4))
      EXPECT_DOUBLE_EQ(log_loss_at(find_law("precision"), kTruth, n, d, 0.0),
                       log_loss_at(find_law("chinchilla"), chinchilla, n, d));
}

TEST(LawPrecision, FewerBitsAndMoreTokensDegradeMore) {
  const LawEntry& law = find_law("precision");
  for (std::size_t i = 1; i + 1 < kBitsX.size(); ++i)
    EXPECT_GT(log_loss_at(law, kTruth, 1e9, 1e11, kBitsX[i]),
              log_loss_at(law, kTruth, 1e9, 1e11, kBitsX[i + 1]));
  // γ_D > 0: the degradation term grows with the data seen before quantization.
  auto degradation = [&](double d) {
    return std::exp(log_loss_at(law, kTruth, 1e9, d, 0.125)) -
           std::exp(log_loss_at(law, kTruth, 1e9, d, 0.0));
  };
  EXPECT_GT(degradation(1e12), degradation(1e10));
}

TEST(LawPrecision, DefaultGridRecoversTheTruth) {
  const LawEntry& law = find_law("precision");
  expect_recovers_exactly(law, kTruth, kBitsX);
  expect_recovers(law, kTruth, kBitsX, 0.003, {0.2, 0.2, 0.02, 0.01, 0.01, 0.15, 0.02, 0.02, 0.05});
}

TEST(LawPrecision, DefaultGridIsStableUnderRefinement) {
  const LawEntry& law = find_law("precision");
  expect_grid_finds_optimum(law, pythia_shaped(law, kTruth, {0, 0.125, 0.015625}, 0.01, 2), 128, 3);
}
