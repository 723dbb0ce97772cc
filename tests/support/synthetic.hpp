#pragma once
// The one generator of synthetic data for the tests and the benchmarks: a Dataset drawn from a
// known truth at chosen points, with multiplicative log-normal scatter. Everything that makes
// synthetic data goes through synth::Generator, so designs, seeds and noise mean the same thing
// in every test:
//   - chinchilla_data: a grid of model sizes × tokens per parameter from Hoffmann et al.'s fit,
//     each model size one group (one training run), optionally with run-to-run scatter;
//   - make_design + synthesize<Law>: any law's N×D(×x) grid in the solver's log space, for the
//     typed suites that cover every registered law;
//   - pythia_shaped: Pythia's model sizes and checkpoints, for the per-law recovery tests;
//   - random_chinchilla: any number of Chinchilla-like points at random, for the benchmarks;
//   - to_csv: a Dataset as the CSV text the CLI reads.
// No test framework here: bench/ includes this header too.
#include <array>
#include <cmath>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit::synth {

// One run of a synthetic data set. The data record n and d; a law's truth is evaluated at ln_n
// and ln_d. Both are kept as the design made them, because exp and log do not round-trip
// exactly: a grid laid out in log space must be evaluated at its own log values.
struct Point {
  double n, d, ln_n, ln_d;
  double x = 0;  // perturbation strength
};
inline Point at_units(double n, double d, double x = 0) {
  return {n, d, std::log(n), std::log(d), x};
}
inline Point at_logs(double ln_n, double ln_d, double x = 0) {
  return {std::exp(ln_n), std::exp(ln_d), ln_n, ln_d, x};
}

// What the data are drawn from. A closed form gives the loss L in original units and the scatter
// multiplies it by exp(s); a law gives ln L̂ and the scatter is added to it. Each form applies the
// scatter in its own space, so noiseless data are exactly the truth's own value.
struct Truth {
  std::function<double(const Point&)> loss;      // L; or
  std::function<double(const Point&)> log_loss;  // ln L̂
  bool keeps_x = false;  // the data carry the perturbation column (a law that needs it)
};

// Scatter of ln L: `point` × ε for every point, and with groups a shared `group` × ε for all
// the points of a group (a training run's own offset from the law), all ε ~ N(0, 1) from one
// stream. A group's offset is drawn before its points even when `group` is zero, so that a seed
// gives the same point scatter with and without run-to-run scatter. A point's ε is drawn only
// when `point` is non-zero: noiseless data leave the stream untouched for the caller.
struct Scatter {
  double point = 0;
  double group = 0;
};

// Builds one data set point by point. Points are added in order (a random design may draw its
// points from the same stream between them); rows get the line numbers they would have in a
// CSV file with a header.
class Generator {
 public:
  Generator(Truth truth, Scatter scatter, std::mt19937_64& rng)
      : truth_(std::move(truth)), scatter_(scatter), rng_(rng) {}

  // Starts a group: the points added next belong to it and share its offset.
  void begin_group(const std::string& name) {
    offset_ = scatter_.group * eps_(rng_);
    data_.group_names.push_back(name);
  }

  void add(const Point& p) {
    const double s = scatter_.point != 0 ? scatter_.point * eps_(rng_) + offset_ : offset_;
    data_.n.push_back(p.n);
    data_.d.push_back(p.d);
    if (truth_.keeps_x) data_.x.push_back(p.x);
    data_.loss.push_back(truth_.loss ? truth_.loss(p) * std::exp(s)
                                     : std::exp(truth_.log_loss(p) + s));
    if (!data_.group_names.empty())
      data_.group.push_back(static_cast<int>(data_.group_names.size()) - 1);
    data_.line.push_back(static_cast<long>(data_.n.size()) + 1);
  }

  Dataset finish(std::string source) {
    data_.source = std::move(source);
    return std::move(data_);
  }

 private:
  Truth truth_;
  Scatter scatter_;
  std::mt19937_64& rng_;
  std::normal_distribution<double> eps_{0.0, 1.0};
  double offset_ = 0;
  Dataset data_;
};

// ---- Chinchilla -------------------------------------------------------------------------------
// L = E + A / N^α + B / D^β; by default Hoffmann et al.'s published fit.
struct ChinchillaTruth {
  double E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28;
  // Epoch AI's refit of Hoffmann et al.'s data (Besiroglu et al. 2024).
  static ChinchillaTruth epoch() { return {1.82, 482.0, 2085.0, 0.3478, 0.3658}; }

  double loss(double n, double d) const {
    return E + A / std::pow(n, alpha) + B / std::pow(d, beta);
  }
  // Solver order of the lse law: a, b, e, alpha, beta.
  std::array<double, 5> solver() const {
    return {std::log(A), std::log(B), std::log(E), alpha, beta};
  }
  Truth truth() const {
    const ChinchillaTruth t = *this;
    return {[t](const Point& p) { return t.loss(p.n, p.d); }, nullptr};
  }
};

// A grid of `sizes` model sizes (1e7 to 1e10, log-spaced) × `tokens` tokens per parameter (5 to
// 80, log-spaced) with multiplicative log-normal noise of size `noise` (standard deviation of
// ln L). Each model size is one group; with `curve_noise`, the points of a curve share an extra
// offset of that size, as checkpoints of one training run do.
inline Dataset chinchilla_data(double noise, unsigned seed, int sizes = 7, int tokens = 5,
                               double curve_noise = 0.0) {
  std::mt19937_64 rng(seed);
  Generator gen(ChinchillaTruth().truth(), {noise, curve_noise}, rng);
  for (int i = 0; i < sizes; ++i) {
    const double n = 1e7 * std::pow(1000.0, sizes > 1 ? double(i) / (sizes - 1) : 0.0);
    gen.begin_group("model" + std::to_string(i));
    for (int j = 0; j < tokens; ++j) {
      const double tpp = 5.0 * std::pow(16.0, tokens > 1 ? double(j) / (tokens - 1) : 0.0);
      gen.add(at_units(n, n * tpp));
    }
  }
  return gen.finish("synthetic");
}

// `count` Chinchilla-like points at random: N log-uniform in [7e7, 1.6e10], 1–100 tokens per
// parameter log-uniform, Epoch AI's fit, 2% multiplicative noise. Each point's N, D and noise
// are drawn in turn from one stream.
inline Dataset random_chinchilla(int count, unsigned seed = 7) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ln_n(std::log(7e7), std::log(1.6e10));
  std::uniform_real_distribution<double> ln_tpp(std::log(1.0), std::log(100.0));
  Generator gen(ChinchillaTruth::epoch().truth(), {0.02, 0.0}, rng);
  for (int i = 0; i < count; ++i) {
    const double n = std::exp(ln_n(rng));
    const double d = n * std::exp(ln_tpp(rng));
    gen.add(at_units(n, d));
  }
  return gen.finish("synthetic-chinchilla-" + std::to_string(count));
}

// ---- any law ----------------------------------------------------------------------------------
// A law as a truth: its ln L̂ at `params` (solver order). Law::log_loss directly, or through the
// registry entry when only that is at hand; the two are the same function.
template <class Law>
Truth law_truth(std::vector<double> params) {
  return {nullptr,
          [params = std::move(params)](const Point& p) {
            return Law::template log_loss<double, double>(params.data(), p.ln_n, p.ln_d, p.x);
          },
          Law::info().needs == Needs::Perturbation};
}
inline Truth law_truth(const LawEntry& law, std::vector<double> params) {
  return {nullptr,
          [&law, params = std::move(params)](const Point& p) {
            return law.log_loss(params.data(), p.ln_n, p.ln_d, p.x);
          },
          law.info.needs == Needs::Perturbation};
}

// The points of a synthetic data set in the solver's input space, for the tests that also need
// the design itself (a truth's identifiability on it, its Jacobian).
struct Design {
  std::vector<double> ln_n, ln_d, x;
  std::size_t size() const { return ln_n.size(); }
};

inline std::vector<double> log_spaced(double first, double last, int count) {
  std::vector<double> v;
  for (int i = 0; i < count; ++i)
    v.push_back(std::log(first) + (std::log(last) - std::log(first)) * i / (count - 1));
  return v;
}

// An N×D grid spanning the ranges of docs/laws.md's property tests (N ∈ [1e7, 1e12],
// D ∈ [1e8, 1e13]); laws that need a perturbation strength get every point at each x in
// {0, 1/8, 1/4, 1/2, 1} (x = 0 is the unperturbed model).
inline Design make_design(const LawInfo& info, int n_count = 6, int d_count = 6) {
  Design g;
  const std::vector<double> xs = info.needs == Needs::Perturbation
                                     ? std::vector<double>{0.0, 0.125, 0.25, 0.5, 1.0}
                                     : std::vector<double>{0.0};
  for (double x : xs)
    for (double ln_n : log_spaced(1e7, 1e12, n_count))
      for (double ln_d : log_spaced(1e8, 1e13, d_count)) {
        g.ln_n.push_back(ln_n);
        g.ln_d.push_back(ln_d);
        g.x.push_back(x);
      }
  return g;
}

// Data from a law's truth on a design: L = exp(ln L̂(truth) + noise·ε), ε drawn from `rng`, which
// the caller may go on using (for the weights of a bootstrap, say).
template <class Law>
Dataset synthesize(const std::vector<double>& truth, const Design& g, double noise,
                   std::mt19937_64& rng) {
  Generator gen(law_truth<Law>(truth), {noise, 0.0}, rng);
  for (std::size_t i = 0; i < g.size(); ++i) gen.add(at_logs(g.ln_n[i], g.ln_d[i], g.x[i]));
  return gen.finish("synthetic");
}

// Pythia's shape: eight model sizes (70M–12B parameters) and checkpoints from step 1000 to 143000
// of 2,097,152 tokens, repeated for every perturbation level in xs. `noise` is the standard
// deviation of ln L. A law that takes no perturbation gets no x column.
inline Dataset pythia_shaped(const LawEntry& law, const std::vector<double>& truth,
                             const std::vector<double>& xs, double noise, unsigned seed) {
  static const double sizes[] = {70e6, 160e6, 410e6, 1.0e9, 1.4e9, 2.8e9, 6.9e9, 12e9};
  static const int steps[] = {1000, 3000, 13000, 23000, 43000, 63000, 83000, 103000, 123000, 143000};
  std::mt19937_64 rng(seed);
  Generator gen(law_truth(law, truth), {noise, 0.0}, rng);
  for (double x : xs)
    for (double n : sizes)
      for (int step : steps) gen.add(at_units(n, step * 2097152.0, x));
  return gen.finish("synthetic:" + law.info.name);
}

// ---- as a file --------------------------------------------------------------------------------
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
