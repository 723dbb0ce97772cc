#pragma once
// shannon-x: the Shannon Scaling Law with an explicit perturbation strength x, so that one fit
// spans every perturbation setting (our variant; the paper mentions an explicit form it does
// not print). The perturbation amplifies the model–data interaction noise:
//   P = (1 + κ x²) c (DN)^γ + d D^δ + e,    L = 1 / (a N^α log2(1 + D^β / P)),   b = 1
// x by kind: Gaussian weight noise σ (or 10^(−SNR_dB/20)), quantization to b bits 2^(−b),
// fine-tuning learning rate. κ is fitted as ln κ; ln(1 + κx²) = softplus(ln κ + 2 ln x), so
// x = 0 (clean rows) contributes exactly nothing.
//
// With γ > β a larger interaction noise pulls the loss-minimising D* towards fewer tokens: at
// D*, (δ − β) d D^δ + (γ − β)(1 + κx²) c (DN)^γ = β e, and raising x raises the left side.
#include "shannonfit/laws/shannon.hpp"

namespace shannonfit::laws {

struct ShannonX {
  static constexpr int kParams = 9;  // ln_a, ln_c, ln_d, ln_e, alpha, beta, gamma, delta, ln_kappa
  // As shannon in N and D; κ alone reads x, seen from one perturbed strength beside x = 0 (or
  // from two strengths without clean rows).
  static constexpr MinDistinct kMinDistinct{2, 3, 2};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S x) {
    const T ln_clean = p[1] + p[6] * (ln_d + ln_n);
    const T ln_interaction = branch<T>(
        positive(x), [&]() -> T { return ln_clean + log_sum_exp<T>(T(0), p[8] + S(2) * log(x)); },
        [&]() -> T { return ln_clean; });
    const T ln_noise = log_sum_exp<T>(ln_interaction, p[2] + p[7] * ln_d, p[3]);
    return shannon_detail::log_loss<T>(p[0], p[4], p[5] * ln_d, ln_noise, ln_n);
  }

  static LawInfo info() {
    using namespace shannon_detail;
    return {"shannon-x",
            "L = 1 / (a N^alpha log2(1 + D^beta / ((1 + kappa x^2) c (DN)^gamma + d D^delta + e)))",
            "our explicit-perturbation variant of the Shannon Scaling Law (arXiv 2605.23901)",
            {ln_a_spec(), ln_c_spec(), ln_d_spec(), ln_e_spec(), alpha_spec(), beta_spec(),
             gamma_spec(), delta_spec(),
             {"ln_kappa", "kappa", Reported::Exp, -30, 40, {12, 4}, 4}},
            Needs::Perturbation,
            "b fixed to 1 (9 free parameters, see shannon); x = 0 marks unperturbed rows"};
  }
};

}  // namespace shannonfit::laws
