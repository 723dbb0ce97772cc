#pragma once
// Synthetic Chinchilla data from known truths, for the bootstrap and interval tests.
#include <array>
#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "shannonfit/batch.hpp"

namespace shannonfit::synth {

// Hoffmann et al.'s published fit: the truth the synthetic data is drawn from.
struct ChinchillaTruth {
  double E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28;
  double loss(double n, double d) const {
    return E + A / std::pow(n, alpha) + B / std::pow(d, beta);
  }
  // Solver order of the lse law: a, b, e, alpha, beta.
  std::array<double, 5> solver() const {
    return {std::log(A), std::log(B), std::log(E), alpha, beta};
  }
};

// A grid of model sizes × tokens-per-parameter with multiplicative log-normal noise of size
// `noise` (standard deviation of ln L). With `curves`, each model size is one group: points of a
// curve share an extra offset of size `curve_noise`, as points on one training run do.
inline Dataset chinchilla_data(double noise, unsigned seed, int sizes = 7, int tokens = 5,
                               double curve_noise = 0.0) {
  Dataset d;
  d.source = "synthetic";
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> eps(0, 1);
  const ChinchillaTruth t;
  for (int i = 0; i < sizes; ++i) {
    const double n = 1e7 * std::pow(1000.0, sizes > 1 ? double(i) / (sizes - 1) : 0.0);
    const double offset = curve_noise * eps(rng);
    d.group_names.push_back("model" + std::to_string(i));
    for (int j = 0; j < tokens; ++j) {
      const double tpp = 5.0 * std::pow(16.0, tokens > 1 ? double(j) / (tokens - 1) : 0.0);
      d.n.push_back(n);
      d.d.push_back(n * tpp);
      d.loss.push_back(t.loss(n, n * tpp) * std::exp(noise * eps(rng) + offset));
      d.group.push_back(i);
      d.line.push_back(static_cast<long>(d.n.size()) + 1);
    }
  }
  return d;
}

// `d` as CSV text with full precision: columns N, D, loss (and x when it has one), plus a last
// column `model` naming each row's group when `group_column` is set.
inline std::string to_csv(const Dataset& d, bool group_column = false) {
  std::ostringstream out;
  out.precision(17);
  out << "N,D,loss" << (d.has_x() ? ",x" : "") << (group_column ? ",model" : "") << "\n";
  for (std::size_t i = 0; i < d.size(); ++i) {
    out << d.n[i] << "," << d.d[i] << "," << d.loss[i];
    if (d.has_x()) out << "," << d.x[i];
    if (group_column) out << "," << d.group_names[d.group[i]];
    out << "\n";
  }
  return out.str();
}

}  // namespace shannonfit::synth
