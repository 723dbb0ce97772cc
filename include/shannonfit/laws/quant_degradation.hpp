#pragma once
// Quantization-induced degradation (Ouyang et al. 2024, "Low-Bit Quantization Favors
// Undertrained LLMs", arXiv 2411.17691), added to a Chinchilla base:
//   L = E + A/N^α + B/D^β + ΔL_q,   ΔL_q = k · D^{β_q} / (N^{α_q} · b^{γ_q})
// with b the bits. As in `precision`, the perturbation column x is read as effective bits
// b = −log2 x (quantization to b bits is x = 2^−b; Gaussian noise σ and fine-tuning rates take
// the place of bits the same way), so x must lie in [0, 1) and x = 0 adds no degradation.
// ln L̂ = LSE(a − α ln N, b − β ln D, e, ln k + β_q ln D − α_q ln N − γ_q ln b).
#include "shannonfit/laws/perturbed_base.hpp"

namespace shannonfit::laws {

struct QuantDegradation {
  // a, b, e, alpha, beta, ln_k, alpha_q, beta_q, gamma_q
  static constexpr int kParams = 9;

  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S ln_d, S x) {
    constexpr double kLn2 = 0.69314718055994531;
    const bool perturbed = x > S(0);
    const S ln_bits = perturbed ? log(-log(x) / S(kLn2)) : S(0);
    const T ln_delta = p[5] + p[7] * ln_d - p[6] * ln_n - p[8] * ln_bits;
    return perturbed_base::log_loss<T>(p, ln_n, ln_d, perturbed, ln_delta);
  }

  static LawInfo info() {
    using namespace perturbed_base;
    return {"quant-degradation",
            "L = E + A/N^alpha + B/D^beta + k D^beta_q / (N^alpha_q bits^gamma_q), bits = -log2 x",
            "Ouyang et al. 2024, 'Low-Bit Quantization Favors Undertrained LLMs' (arXiv "
            "2411.17691), added to a Chinchilla base",
            {a_spec(), b_spec(), e_spec(), alpha_spec(), beta_spec(),
             {"ln_k", "k", Reported::Exp, -40, 40, {-10, 0}, -3},
             {"alpha_q", "alpha_q", Reported::AsIs, 0, 5, {0.2, 0.8}, 0.3},
             {"beta_q", "beta_q", Reported::AsIs, 0, 5, {0.2, 0.8}, 0.5},
             {"gamma_q", "gamma_q", Reported::AsIs, 0, 20, {1, 4}, 2}},
            Needs::Perturbation,
            "x is read as effective bits -log2 x (x = 2^-bits for quantization) and must lie in "
            "[0, 1); x = 0 adds no degradation"};
  }
};

}  // namespace shannonfit::laws
