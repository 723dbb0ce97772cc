#pragma once
// Quantization-induced degradation (Ouyang et al. 2024, "Low-Bit Quantization Favors
// Undertrained LLMs", arXiv 2411.17691), added to a Chinchilla base:
//   L = E + A/N^α + B/D^β + ΔL_q,   ΔL_q = k · D^{β_q} / (N^{α_q} · b^{γ_q})
// with b the bits. The perturbation column carries x = 2^−b for quantization (and Gaussian
// noise σ or a fine-tuning rate in the place of bits, as the Shannon paper does), so the law
// reads effective bits back as b = log2(1 + 1/x): for x = 2^−b that is b + log2(1 + 2^−b),
// within 0.17 of b for b ≥ 3 and within 0.006 for b ≥ 8; unlike −log2 x it stays positive for
// every x > 0 (a strength of 1 or more is one bit or less, not a pole). x = 0 adds nothing.
// ln L̂ = LSE(a − α ln N, b − β ln D, e, ln k + β_q ln D − α_q ln N − γ_q ln b).
#include "shannonfit/laws/perturbed_base.hpp"

namespace shannonfit::laws {

// a, b, e, alpha, beta, ln_k, alpha_q, beta_q, gamma_q
struct QuantDegradation : QuantizationDegradation<QuantDegradation> {
  static constexpr int kDataExponent = 7, kSizeExponent = 6;
  // Chinchilla's N and D; two strengths for the bits term's scale and γ_q, as precision's: both
  // positive, or x = 0 and one strength leave ln k and γ_q ln b one number.
  static constexpr MinDistinct kMinDistinct{3, 3, 2};

  // γ_q ln b with b = log2(1 + 1/x).
  template <class T, class S>
  SF_HD static T penalty(const T& gamma_q, S x) {
    constexpr double kLn2 = 0.69314718055994531;
    return gamma_q * log(log1p(S(1) / x) / S(kLn2));
  }

  static LawInfo info() {
    return perturbed_base::info(
        "quant-degradation",
        "L = E + A/N^alpha + B/D^beta + k D^beta_q / (N^alpha_q bits^gamma_q), "
        "bits = log2(1 + 1/x)",
        "Ouyang et al. 2024, 'Low-Bit Quantization Favors Undertrained LLMs' (arXiv "
        "2411.17691), added to a Chinchilla base",
        {{"ln_k", "k", Reported::Exp, -40, 40, {-10, 0}, 0},
         {"alpha_q", "alpha_q", Reported::AsIs, 0, 5, {1.0, 0.3}, 0.3},
         {"beta_q", "beta_q", Reported::AsIs, 0, 5, {1.0, 0.5}, 0.5},
         {"gamma_q", "gamma_q", Reported::AsIs, 0, 20, {5, 2}, 2}},
        "x is read as effective bits log2(1 + 1/x) (x = 2^-bits for quantization: within "
        "0.17 bit of the true count at 3 bits or more); x = 0 adds no degradation");
  }
};

}  // namespace shannonfit::laws
