// The simplified Shannon law (`shannon-simple`: b = 1, e = 0): evaluation against the published
// formula, the monotone and U-shaped regimes of docs/laws.md §3, recovery and the default grid.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/law_fixtures.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

// Solver order: ln a, ln c, ln d, alpha, beta, gamma, delta.
using Params = std::vector<double>;
const Params kTruth = {-4, 2, -3, 0.15, 0.4, 0.1, 0.5};

// x is ignored: the law takes no perturbation.
long double direct_loss(const Params& p, long double n, long double d, long double) {
  const long double noise = std::exp((long double)p[1]) * std::pow(d * n, (long double)p[5]) +
                            std::exp((long double)p[2]) * std::pow(d, (long double)p[6]);
  const long double snr = std::pow(d, (long double)p[4]) / noise;
  return std::log(2.0L) /
         (std::exp((long double)p[0]) * std::pow(n, (long double)p[3]) * std::log1p(snr));
}

}  // namespace

TEST(LawShannonSimple, IsTheSevenParameterForm) {
  const LawEntry& law = find_law("shannon-simple");
  expect_registered(law, 7, Needs::Nothing, 64);
  EXPECT_NE(law.info.note.find("e = 0"), std::string::npos);
}

TEST(LawShannonSimple, MatchesThePublishedFormulaInLongDouble) {
  for (const Params& p : {kTruth, Params{-2, -20, -20, 0.3, 0.5, 0.05, 0.2}})
    expect_matches_direct(find_law("shannon-simple"), p, {0}, direct_loss);
}

TEST(LawShannonSimple, MonotoneWhenNoiseGrowsSlowerThanSignal) {
  const LawEntry& law = find_law("shannon-simple");
  const Params p = {-4, 2, -3, 0.15, 0.4, 0.1, 0.3};  // γ < min(α, β), δ < β
  const auto ns = log_grid(1e7, 1e12, 30), ds = log_grid(1e8, 1e13, 30);
  for (std::size_t i = 0; i + 1 < ns.size(); ++i)
    for (std::size_t j = 0; j + 1 < ds.size(); ++j) {
      EXPECT_LT(log_loss_at(law, p, ns[i + 1], ds[j]), log_loss_at(law, p, ns[i], ds[j]));
      EXPECT_LT(log_loss_at(law, p, ns[i], ds[j + 1]), log_loss_at(law, p, ns[i], ds[j]));
    }
}

TEST(LawShannonSimple, InteriorMinimumInTokensWhenDeltaExceedsBeta) {
  // Without the floor e, the minimum needs γ < β < δ: the interaction noise then bounds the SNR
  // at small D and the data noise at large D.
  const LawEntry& law = find_law("shannon-simple");
  const Params p = {-4, 2, -6, 0.15, 0.4, 0.1, 0.6};
  const auto ds = log_grid(1e8, 1e13, 1001);
  std::size_t best = 0;
  for (std::size_t j = 1; j < ds.size(); ++j)
    if (log_loss_at(law, p, 1e9, ds[j]) < log_loss_at(law, p, 1e9, ds[best])) best = j;
  EXPECT_GT(best, 0u);
  EXPECT_LT(best, ds.size() - 1);
}

TEST(LawShannonSimple, DefaultGridRecoversTheTruthFromExactData) {
  expect_recovers_exactly(find_law("shannon-simple"), kTruth, {0});
}

TEST(LawShannonSimple, DefaultGridIsStableUnderRefinement) {
  const LawEntry& law = find_law("shannon-simple");
  expect_grid_finds_optimum(law, synth::pythia_shaped(law, kTruth, {0}, 0.003, 3), 192, 5);
}
