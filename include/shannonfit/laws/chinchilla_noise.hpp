#pragma once
// Noise-perturbed Chinchilla: a generic monotone baseline for perturbed data, Chinchilla with
// the irreducible loss raised by the perturbation strength,
//   L = (E + c x^p) + A/N^α + B/D^β
// ln L̂ = LSE(a − α ln N, b − β ln D, e, ln c + p ln x); x = 0 adds nothing.
#include <cmath>

#include "shannonfit/laws/perturbed_base.hpp"

namespace shannonfit::laws {

struct ChinchillaNoise {
  static constexpr int kParams = 7;  // a, b, e, alpha, beta, ln_c, p
  // Chinchilla's N and D; E + c x^p at two strengths (x = 0 among them or not) is two numbers
  // for three parameters: three strengths.
  static constexpr MinDistinct kMinDistinct{3, 3, 3};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S x) {
    const auto perturbed = positive(x);
    const S ln_x = branch<S>(perturbed, [&]() -> S { return log(x); }, [] { return S(0); });
    const T ln_noise = p[5] + p[6] * ln_x;
    return perturbed_base::log_loss<T>(p, ln_n, ln_d, perturbed, ln_noise);
  }

  // L = A·N^-alpha + B·D^-beta + E·1 + c·x^p: linear in (A, B, E, c) once (alpha, beta, p) are
  // fixed; c = (A, B, E, c) are a, b, e, ln_c. The exponents' grid is coarser than
  // chinchilla's (0.1, p in 0.25 steps up to 5) because p multiplies it: 12 500 points.
  static SeparableForm separable() {
    return {{{3, 0.1, 2.5, 0.1}, {4, 0.1, 2.5, 0.1}, {6, 0.25, 5, 0.25}}, {0, 1, 2, 5}, &basis};
  }
  static void basis(const double* theta, double ln_n, double ln_d, double x, double* phi) {
    phi[0] = std::exp(-theta[0] * ln_n);
    phi[1] = std::exp(-theta[1] * ln_d);
    phi[2] = 1.0;
    phi[3] = x > 0 ? std::exp(theta[2] * std::log(x)) : 0.0;
  }

  static LawInfo info() {
    return perturbed_base::info(
        "chinchilla-noise", "L = E + c x^p + A/N^alpha + B/D^beta",
        "Chinchilla (Hoffmann et al. 2022, arXiv 2203.15556) with E replaced by E + c x^p, "
        "the noise-perturbed baseline of the Shannon Scaling Law paper (arXiv 2605.23901)",
        {{"ln_c", "c", Reported::Exp, -30, 30, {-2, 1}, 1},
         {"p", "p", Reported::AsIs, 0, 10, {3, 1}, 1}},
        "x = 0 marks unperturbed rows");
  }
};

}  // namespace shannonfit::laws
