#pragma once
// The tests every quantization-degradation law (laws::QuantizationDegradation: a Chinchilla base
// plus δ = C · D^{γ_D} / N^{γ_N} · g(bits)) must pass, written once. A test file describes its
// law in a Case struct and instantiates the suite; DegradationLaw<Case> is also the fixture
// for the law's own tests (using LawX = DegradationLaw<Case>; TEST_F(LawX, ...)):
//
//   struct Case {
//     static constexpr const char* kName;                 // registry name
//     static constexpr int kDataExponent, kSizeExponent;  // where γ_D and γ_N are in p
//     static const std::vector<double> kTruth;            // solver order
//     static const std::vector<double> kTolerance;        // recovery from noisy data
//     static long double bits_factor(const std::vector<double>& p, long double x);  // g, x > 0
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(LawX, DegradationLaw, Case);
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "law_fixtures.hpp"

namespace shannonfit::testing {

template <class Case>
class DegradationLaw : public ::testing::Test {
 protected:
  using Params = std::vector<double>;

  // No perturbation, then 3, 4, 6 and 8 bits.
  const std::vector<double> kBitsX = {0, 0.125, 0.0625, 0.015625, 0.00390625};
  const LawEntry& law = find_law(Case::kName);
  const Params& truth = Case::kTruth;

  // The published formula for L, evaluated naively in long double.
  static long double direct_loss(const Params& p, long double n, long double d, long double x) {
    auto e = [&](int k) { return std::exp((long double)p[k]); };
    const long double base = e(2) + e(0) / std::pow(n, (long double)p[3]) +
                             e(1) / std::pow(d, (long double)p[4]);
    if (x == 0) return base;
    return base + e(5) * std::pow(d, (long double)p[Case::kDataExponent]) /
                      std::pow(n, (long double)p[Case::kSizeExponent]) * Case::bits_factor(p, x);
  }

  // The loss the perturbation x adds at (n, d), through the law under test.
  double degradation(double n, double d, double x) const {
    return std::exp(log_loss_at(law, truth, n, d, x)) -
           std::exp(log_loss_at(law, truth, n, d, 0.0));
  }
};

TYPED_TEST_SUITE_P(DegradationLaw);

TYPED_TEST_P(DegradationLaw, NeedsThePerturbationColumn) {
  expect_registered(this->law, 9, Needs::Perturbation, 256);
}

TYPED_TEST_P(DegradationLaw, MatchesThePublishedFormulaInLongDouble) {
  expect_matches_direct(this->law, this->truth, this->kBitsX, TestFixture::direct_loss);
}

TYPED_TEST_P(DegradationLaw, IsChinchillaWithoutPerturbation) {
  const std::vector<double> chinchilla(this->truth.begin(), this->truth.begin() + 5);
  for (double n : log_grid(1e7, 1e12, 4))
    for (double d : log_grid(1e8, 1e13, 4))
      EXPECT_DOUBLE_EQ(log_loss_at(this->law, this->truth, n, d, 0.0),
                       log_loss_at(find_law("chinchilla"), chinchilla, n, d));
}

TYPED_TEST_P(DegradationLaw, DefaultGridRecoversTheTruth) {
  expect_recovers_exactly(this->law, this->truth, this->kBitsX);
  expect_recovers(this->law, this->truth, this->kBitsX, 0.003, TypeParam::kTolerance);
}

TYPED_TEST_P(DegradationLaw, DefaultGridIsStableUnderRefinement) {
  expect_grid_finds_optimum(
      this->law, synth::pythia_shaped(this->law, this->truth, {0, 0.125, 0.015625}, 0.01, 2), 128,
      3);
}

REGISTER_TYPED_TEST_SUITE_P(DegradationLaw, NeedsThePerturbationColumn,
                            MatchesThePublishedFormulaInLongDouble,
                            IsChinchillaWithoutPerturbation, DefaultGridRecoversTheTruth,
                            DefaultGridIsStableUnderRefinement);

}  // namespace shannonfit::testing
