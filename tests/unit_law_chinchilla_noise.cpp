// The noise-perturbed Chinchilla baseline (E → E + c x^p): evaluation against the formula,
// reduction to Chinchilla without perturbation, recovery and the default grid.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/law_fixtures.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

// Solver order: a, b, e (ln A, ln B, ln E), alpha, beta, ln c, p.
using Params = std::vector<double>;
const Params kTruth = {6.0, 6.02, 0.525, 0.34, 0.28, 1, 1.5};
const std::vector<double> kSigmas = {0, 0.02, 0.05, 0.08, 0.1};

long double direct_loss(const Params& p, long double n, long double d, long double x) {
  auto e = [&](int k) { return std::exp((long double)p[k]); };
  return e(2) + e(5) * std::pow(x, (long double)p[6]) + e(0) / std::pow(n, (long double)p[3]) +
         e(1) / std::pow(d, (long double)p[4]);
}

}  // namespace

TEST(LawChinchillaNoise, NeedsThePerturbationColumn) {
  expect_registered(find_law("chinchilla-noise"), 7, Needs::Perturbation, 64);
}

TEST(LawChinchillaNoise, MatchesTheFormulaInLongDouble) {
  expect_matches_direct(find_law("chinchilla-noise"), kTruth, kSigmas, direct_loss);
}

TEST(LawChinchillaNoise, IsChinchillaWithoutPerturbationAndMonotoneInIt) {
  const LawEntry& law = find_law("chinchilla-noise");
  const Params chinchilla(kTruth.begin(), kTruth.begin() + 5);
  for (double n : log_grid(1e7, 1e12, 4))
    for (double d : log_grid(1e8, 1e13, 4)) {
      EXPECT_DOUBLE_EQ(log_loss_at(law, kTruth, n, d, 0.0),
                       log_loss_at(find_law("chinchilla"), chinchilla, n, d));
      for (std::size_t i = 0; i + 1 < kSigmas.size(); ++i)
        EXPECT_LT(log_loss_at(law, kTruth, n, d, kSigmas[i]),
                  log_loss_at(law, kTruth, n, d, kSigmas[i + 1]));
    }
}

TEST(LawChinchillaNoise, DefaultGridRecoversTheTruth) {
  const LawEntry& law = find_law("chinchilla-noise");
  expect_recovers_exactly(law, kTruth, kSigmas);
  expect_recovers(law, kTruth, kSigmas, 0.003, {0.2, 0.2, 0.02, 0.01, 0.01, 0.3, 0.15});
}

TEST(LawChinchillaNoise, DefaultGridIsStableUnderRefinement) {
  const LawEntry& law = find_law("chinchilla-noise");
  expect_grid_finds_optimum(law, synth::pythia_shaped(law, kTruth, kSigmas, 0.01, 2), 128, 3);
}
