// The quantization-degradation law (Ouyang et al. 2024) on a Chinchilla base: evaluation against
// the published formula with effective bits log2(1 + 1/x), reduction to Chinchilla without
// perturbation, the degradation's direction, recovery and the default grid.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/degradation_law_tests.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

struct QuantDegradationCase {
  static constexpr const char* kName = "quant-degradation";
  // Solver order: a, b, e (ln A, ln B, ln E), alpha, beta, ln k, alpha_q, beta_q, gamma_q.
  static constexpr int kDataExponent = 7, kSizeExponent = 6;
  static inline const std::vector<double> kTruth = {6.0, 6.02, 0.525, 0.34, 0.28, 1, 0.5, 0.4, 3};
  // ln k and γ_q trade off (bits span only 3–8, ln bits 1.1–2.1).
  static inline const std::vector<double> kTolerance = {0.2, 0.2,  0.02, 0.01, 0.01,
                                                        0.6, 0.02, 0.02, 0.3};
  // 1 / bits^γ_q with bits = log2(1 + 1/x).
  static long double bits_factor(const std::vector<double>& p, long double x) {
    const long double bits = std::log2(1 + 1 / x);
    return 1 / std::pow(bits, (long double)p[8]);
  }
};

using LawQuantDegradation = DegradationLaw<QuantDegradationCase>;

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(LawQuantDegradation, DegradationLaw, QuantDegradationCase);

TEST_F(LawQuantDegradation, EffectiveBitsAreCloseToTheTrueCountAndFiniteBeyondOne) {
  for (int bits : {3, 4, 8, 16}) {
    const double b_eff = std::log2(1 + std::pow(2.0, bits));
    EXPECT_LT(b_eff - bits, 0.17) << bits;
    EXPECT_GT(b_eff - bits, 0.0) << bits;
  }
  double previous = log_loss_at(law, truth, 1e9, 1e11, 0.5);
  for (double x : {1.0, 2.0, 100.0}) {
    const double v = log_loss_at(law, truth, 1e9, 1e11, x);
    EXPECT_TRUE(std::isfinite(v)) << x;
    EXPECT_GT(v, previous) << x;
    previous = v;
  }
}

TEST_F(LawQuantDegradation, UndertrainedLargeModelsDegradeLeast) {
  // Ouyang et al.'s finding in the law's terms: ΔL_q falls with N and rises with D.
  EXPECT_GT(degradation(1e8, 1e11, 0.0625), degradation(1e10, 1e11, 0.0625));
  EXPECT_GT(degradation(1e9, 1e12, 0.0625), degradation(1e9, 1e10, 0.0625));
  for (std::size_t i = 1; i + 1 < kBitsX.size(); ++i)
    EXPECT_GT(log_loss_at(law, truth, 1e9, 1e11, kBitsX[i]),
              log_loss_at(law, truth, 1e9, 1e11, kBitsX[i + 1]));
}
