// The precision-aware law (Kumar et al. 2024) on a Chinchilla base: evaluation against the
// published formula with bits = −log2 x, reduction to Chinchilla without perturbation, the
// degradation's direction, recovery and the default grid.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/degradation_law_tests.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

struct PrecisionCase {
  static constexpr const char* kName = "precision";
  // Solver order: a, b, e (ln A, ln B, ln E), alpha, beta, ln C_T, gamma_D, gamma_N, gamma_post.
  static constexpr int kDataExponent = 6, kSizeExponent = 7;
  // Hoffmann et al.'s base and a degradation of a few tenths of a nat at 3–4 bits.
  static inline const std::vector<double> kTruth = {6.0, 6.02, 0.525, 0.34, 0.28, -3, 0.5, 0.4, 2};
  static inline const std::vector<double> kTolerance = {0.2,  0.2,  0.02, 0.01, 0.01,
                                                        0.15, 0.02, 0.02, 0.05};
  // e^{−bits/γ_post} with bits = −log2 x.
  static long double bits_factor(const std::vector<double>& p, long double x) {
    const long double bits = -std::log2(x);
    return std::exp(-bits / (long double)p[8]);
  }
};

using LawPrecision = DegradationLaw<PrecisionCase>;

}  // namespace

INSTANTIATE_TYPED_TEST_SUITE_P(LawPrecision, DegradationLaw, PrecisionCase);

TEST_F(LawPrecision, FewerBitsAndMoreTokensDegradeMore) {
  for (std::size_t i = 1; i + 1 < kBitsX.size(); ++i)
    EXPECT_GT(log_loss_at(law, truth, 1e9, 1e11, kBitsX[i]),
              log_loss_at(law, truth, 1e9, 1e11, kBitsX[i + 1]));
  // γ_D > 0: the degradation term grows with the data seen before quantization.
  EXPECT_GT(degradation(1e9, 1e12, 0.125), degradation(1e9, 1e10, 0.125));
}
