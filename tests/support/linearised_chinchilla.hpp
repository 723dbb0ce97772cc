#pragma once
// Hoffmann's law written out here, independently of the engine's law headers, and its
// finite-difference linearisation at a fit: the known answers of the interval-width tests.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "shannonfit/batch.hpp"

namespace shannonfit::testing {

constexpr int kChinchillaParams = 5;

// ln L in the solver's parameters (ln A, ln B, ln E, α, β).
inline double chinchilla_ln_loss(const double* p, double n, double d) {
  return std::log(std::exp(p[2]) + std::exp(p[0]) * std::pow(n, -p[3]) +
                  std::exp(p[1]) * std::pow(d, -p[4]));
}

struct Linearisation {
  Eigen::MatrixXd jacobian;   // ∂ ln L_i / ∂ p_k, central differences
  Eigen::VectorXd residuals;  // ln L_i (measured) − ln L_i (law at p)
};

inline Linearisation linearise_chinchilla(const Dataset& data, const double* p) {
  constexpr int kP = kChinchillaParams;
  const int n = static_cast<int>(data.size());
  Linearisation out{Eigen::MatrixXd(n, kP), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    out.residuals(i) = std::log(data.loss[i]) - chinchilla_ln_loss(p, data.n[i], data.d[i]);
    for (int k = 0; k < kP; ++k) {
      double hi[kP], lo[kP];
      std::copy(p, p + kP, hi);
      std::copy(p, p + kP, lo);
      const double h = 1e-5 * (1 + std::abs(p[k]));
      hi[k] += h;
      lo[k] -= h;
      out.jacobian(i, k) = (chinchilla_ln_loss(hi, data.n[i], data.d[i]) -
                            chinchilla_ln_loss(lo, data.n[i], data.d[i])) / (2 * h);
    }
  }
  return out;
}

}  // namespace shannonfit::testing
