#pragma once
// Precision-aware law (Kumar et al. 2024, "Scaling Laws for Precision", arXiv 2411.04330):
// post-training-quantization degradation added to a Chinchilla base,
//   L = E + A/N^α + B/D^β + δ_PTQ,   δ_PTQ = C_T · D^{γ_D} / N^{γ_N} · e^{−b / γ_post}
// with b the post-training bits. The perturbation column x is mapped as for every law
// (quantization to b bits → x = 2^−b), so the law reads its bits back as b = −log2 x; Gaussian
// noise σ and fine-tuning rates enter the same way, as "effective bits" −log2 x (the paper puts
// the perturbation strength in place of bits). Then e^{−b/γ_post} = exp(ln x / (γ_post ln 2)),
// and x = 0 (no perturbation, infinitely many bits) adds nothing.
// Fitted in log space like chinchilla: ln L̂ = LSE(a − α ln N, b − β ln D, e, ln δ_PTQ).
#include "shannonfit/laws/perturbed_base.hpp"

namespace shannonfit::laws {

// a, b, e, alpha, beta, ln_c_t, gamma_d, gamma_n, gamma_post
struct Precision : QuantizationDegradation<Precision> {
  static constexpr int kDataExponent = 6, kSizeExponent = 7;
  // Chinchilla's N and D; two strengths for the x-term's scale and exponent 1/γ_post. Both must
  // be positive: with x = 0 and one strength, ln C_T and ln x / γ_post are one number (a flat
  // direction named after the fit), but two strengths without clean rows identify the law, so
  // three would refuse identifiable data.
  static constexpr MinDistinct kMinDistinct{3, 3, 2};

  // b / γ_post with b = −log2 x = −ln x / ln 2.
  template <class T, class S>
  SF_HD static T penalty(const T& gamma_post, S x) {
    constexpr double kLn2 = 0.69314718055994531;
    return -log(x) / (S(kLn2) * gamma_post);
  }

  static LawInfo info() {
    return perturbed_base::info(
        "precision",
        "L = E + A/N^alpha + B/D^beta + C_T D^gamma_D / N^gamma_N exp(-bits/gamma_post), "
        "bits = -log2 x",
        "Kumar et al. 2024, 'Scaling Laws for Precision' (arXiv 2411.04330), post-training "
        "quantization term",
        {{"ln_c_t", "C_T", Reported::Exp, -40, 40, {-10, -3}, -3},
         {"gamma_d", "gamma_D", Reported::AsIs, 0, 5, {1.0, 0.5}, 0.5},
         {"gamma_n", "gamma_N", Reported::AsIs, 0, 5, {1.0, 0.4}, 0.4},
         {"gamma_post", "gamma_post", Reported::AsIs, 0.05, 50, {0.5, 2}, 2}},
        "x is read as effective bits -log2 x (x = 2^-bits for quantization); x = 0 adds no "
        "degradation");
  }
};

}  // namespace shannonfit::laws
