#pragma once
// Chinchilla (Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", approach 3):
//   L = E + A / N^α + B / D^β
// Two parameterisations of the same law:
//   chinchilla        a = ln A, b = ln B, e = ln E;  ln L̂ = LSE(a − α ln N, b − β ln D, e)
//                     (how Hoffmann et al. and Epoch AI fit it; the default)
//   chinchilla-plain  E, A, B, α, β directly (the form most notebooks fit with curve_fit)
#include <cmath>

#include "shannonfit/law.hpp"
#include "shannonfit/math.hpp"

namespace shannonfit::laws {

namespace chinchilla_separable {

// L = A·N^-alpha + B·D^-beta + E·1: linear in (A, B, E) once (alpha, beta) are fixed.
inline void basis(const double* theta, double ln_n, double ln_d, double, double* phi) {
  phi[0] = std::exp(-theta[0] * ln_n);
  phi[1] = std::exp(-theta[1] * ln_d);
  phi[2] = 1.0;
}

// alpha (parameter 3) and beta (4) from 0.05 to 2.5 in steps of 0.05: 2500 grid points, each
// an exact 3-column NNLS. The Epoch fit's exponents (~0.35) sit well inside; bench/README.md
// ("Whole problem") has the step's measurement.
inline std::vector<SeparableForm::Axis> exponents() {
  return {{3, 0.05, 2.5, 0.05}, {4, 0.05, 2.5, 0.05}};
}

}  // namespace chinchilla_separable

struct Chinchilla {
  static constexpr int kParams = 5;  // a, b, e, alpha, beta
  // A/N^α and B/D^β share the constant E: three distinct N and three distinct D.
  static constexpr MinDistinct kMinDistinct{3, 3, 0};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S /*x*/) {
    return log_sum_exp<T>(p[0] - p[3] * ln_n, p[1] - p[4] * ln_d, p[2]);
  }

  // c = (A, B, E) are a = ln A, b = ln B, e = ln E.
  static SeparableForm separable() {
    return {chinchilla_separable::exponents(), {0, 1, 2}, &chinchilla_separable::basis};
  }

  static LawInfo info() {
    return {"chinchilla",
            "L = E + A/N^alpha + B/D^beta, fitted as ln L = LSE(a - alpha ln N, b - beta ln D, e)",
            "Hoffmann et al. 2022 (arXiv 2203.15556), approach 3; log-space protocol of "
            "Besiroglu et al. 2024 (Epoch AI, arXiv 2404.10102)",
            {{"a", "A", Reported::Exp, -10, 40, arange(0, 25, 5), 6},
             {"b", "B", Reported::Exp, -10, 40, arange(0, 25, 5), 6},
             {"e", "E", Reported::Exp, -10, 3, arange(-1, 1, 0.5), 0.5},
             {"alpha", "alpha", Reported::AsIs, 0, 5, arange(0, 2, 0.5), 0.3},
             {"beta", "beta", Reported::AsIs, 0, 5, arange(0, 2, 0.5), 0.3}},
            Needs::Nothing,
            ""};
  }
};

struct ChinchillaPlain {
  static constexpr int kParams = 5;  // E, A, B, alpha, beta
  // As chinchilla: three distinct N and three distinct D.
  static constexpr MinDistinct kMinDistinct{3, 3, 0};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S /*x*/) {
    return log(p[0] + p[1] * exp(-p[3] * ln_n) + p[2] * exp(-p[4] * ln_d));
  }

  // c = (A, B, E) are parameters 1, 2, 0 themselves.
  static SeparableForm separable() {
    return {chinchilla_separable::exponents(), {1, 2, 0}, &chinchilla_separable::basis};
  }

  static LawInfo info() {
    return {"chinchilla-plain",
            "L = E + A/N^alpha + B/D^beta, with E, A, B fitted directly",
            "Hoffmann et al. 2022 (arXiv 2203.15556), approach 3",
            {{"E", "E", Reported::AsIs, 1e-6, 20, {0.5, 1.5, 3}, 1.7},
             {"A", "A", Reported::AsIs, 1e-6, 1e12, {10, 400, 1e4}, 400},
             {"B", "B", Reported::AsIs, 1e-6, 1e12, {10, 400, 1e4}, 400},
             {"alpha", "alpha", Reported::AsIs, 0, 5, {0.1, 0.3, 0.6}, 0.3},
             {"beta", "beta", Reported::AsIs, 0, 5, {0.1, 0.3, 0.6}, 0.3}},
            Needs::Nothing,
            ""};
  }
};

}  // namespace shannonfit::laws
