#pragma once
// Kaplan et al. 2020 ("Scaling Laws for Neural Language Models", eq. 1.5):
//   L = [ (N_c / N)^{α_N/α_D} + D_c / D ]^{α_D}
// fitted with n_c = ln N_c, d_c = ln D_c:
//   ln L̂ = α_D · LSE((α_N/α_D)(n_c − ln N), d_c − ln D)
// kaplan-e adds an irreducible term outside the bracket: L = E + [ ... ]^{α_D}.
#include <vector>

#include "shannonfit/law.hpp"
#include "shannonfit/math.hpp"

namespace shannonfit::laws {

struct Kaplan {
  static constexpr int kParams = 4;  // n_c, d_c, alpha_n, alpha_d
  // One N merges N_c and α_N into the one number (α_N/α_D)(ln N_c − ln N): two N. One D is
  // enough: there ln L̂ is a softplus in ln N whose level, slope α_N and bend α_D give all four.
  static constexpr MinDistinct kMinDistinct{2, 1, 0};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S /*x*/) {
    return p[3] * log_sum_exp<T>(p[2] / p[3] * (p[0] - ln_n), p[1] - ln_d);
  }

  static LawInfo info() {
    return {"kaplan",
            "L = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D",
            "Kaplan et al. 2020 (arXiv 2001.08361), eq. 1.5",
            {{"n_c", "N_c", Reported::Exp, 0, 60, {20, 25, 30, 35}, 30},
             {"d_c", "D_c", Reported::Exp, 0, 60, {15, 20, 25, 30}, 23},
             {"alpha_n", "alpha_N", Reported::AsIs, 1e-3, 3, {0.05, 0.1, 0.3, 0.6}, 0.076},
             {"alpha_d", "alpha_D", Reported::AsIs, 1e-3, 3, {0.05, 0.1, 0.3, 0.6}, 0.103}},
            Needs::Nothing,
            ""};
  }
};

struct KaplanE {
  static constexpr int kParams = 5;  // Kaplan's four, then e
  // As kaplan: E sits outside the bracket's power α_D, so it is not a constant the N- and D-terms
  // share additively (as in chinchilla) and one D's curve in N still identifies all five.
  static constexpr MinDistinct kMinDistinct{2, 1, 0};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S x) {
    return log_sum_exp<T>(Kaplan::log_loss<T>(p, ln_n, ln_d, x), p[4]);
  }

  static LawInfo info() {
    std::vector<ParamSpec> params = Kaplan::info().params;
    params.push_back({"e", "E", Reported::Exp, -10, 3, {-1, 0, 0.5}, 0.5});
    return {"kaplan-e",
            "L = E + [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D",
            "Kaplan et al. 2020 (arXiv 2001.08361), eq. 1.5 with an irreducible term",
            params,
            Needs::Nothing,
            ""};
  }
};

}  // namespace shannonfit::laws
