#pragma once
// Problems shared by the benchmark suite and the side-by-side comparison programs, so every
// number in bench/README.md is measured on the same data and the same starts.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit::bench {

// The Epoch AI protocol for Chinchilla approach 3 (Besiroglu et al. 2024): Huber loss with
// delta 1e-3 on ln L, in log space.
inline FitOptions epoch_options() {
  FitOptions o;
  o.space = Space::Log;
  o.loss = LossKind::Huber;
  o.huber_delta = 1e-3;
  return o;
}

// Epoch AI's bootstrap: case resamples, each refitted from the best full-data fit of
// `full_starts`, with no jackknife (their percentile intervals do not need one).
inline BootstrapOptions epoch_bootstrap(int resamples, std::uint64_t seed, int threads,
                                        std::vector<double> full_starts) {
  BootstrapOptions o;
  o.scheme = Scheme::Case;
  o.fit.starts = StartStrategy::Best;
  o.resamples = resamples;
  o.seed = seed;
  o.jackknife = false;
  o.fit.options = epoch_options();
  o.fit.threads = threads;
  o.fit.full_starts = std::move(full_starts);
  return o;
}

// Chinchilla-like synthetic data of any size: N log-uniform in [7e7, 1.6e10], 1–100 tokens per
// parameter, the Epoch fit's parameters, 2% multiplicative noise.
inline Dataset synthetic_chinchilla(int n, unsigned seed = 7) {
  Dataset d;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ln_n(std::log(7e7), std::log(1.6e10));
  std::uniform_real_distribution<double> ln_tpp(std::log(1.0), std::log(100.0));
  std::normal_distribution<double> noise(0.0, 0.02);
  const double E = 1.82, A = 482.0, B = 2085.0, alpha = 0.3478, beta = 0.3658;
  for (int i = 0; i < n; ++i) {
    const double nn = std::exp(ln_n(rng));
    const double dd = nn * std::exp(ln_tpp(rng));
    d.n.push_back(nn);
    d.d.push_back(dd);
    d.loss.push_back((E + A / std::pow(nn, alpha) + B / std::pow(dd, beta)) *
                     std::exp(noise(rng)));
    d.line.push_back(i + 2);
  }
  d.source = "synthetic-chinchilla-" + std::to_string(n);
  return d;
}

inline std::string data_dir() {
  if (const char* env = std::getenv("SHANNONFIT_DATA_DIR")) return env;
  return SHANNONFIT_DATA_DIR;
}

// Hoffmann et al.'s Figure 4 points as Epoch AI extracted them: D = C / (6 N), and the 5
// highest-loss rows dropped, leaving 240. A missing file is an error, never a silent switch to
// other data: every row a benchmark prints is named by the data it ran on.
inline Dataset epoch_chinchilla() {
  const std::string path = data_dir() + "/chinchilla_svg_extracted.csv";
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the Epoch Chinchilla data");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) header.push_back(f);
  }
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::runtime_error(path + ": no column '" + name + "'");
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t c_n = column("Model Size"), c_c = column("Training FLOP"),
                    c_l = column("loss");
  struct Row { double n, d, loss; long line; };
  std::vector<Row> rows;
  for (long lineno = 2; std::getline(in, line); ++lineno) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string v; std::getline(ss, v, ',');) f.push_back(v);
    if (f.size() != header.size())
      throw std::runtime_error(path + ":" + std::to_string(lineno) + ": expected " +
                               std::to_string(header.size()) + " fields");
    const double n = std::stod(f[c_n]);
    rows.push_back({n, std::stod(f[c_c]) / (6.0 * n), std::stod(f[c_l]), lineno});
  }
  // Stable sort so ties in loss (colour-quantised) drop the same rows every time.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.loss < b.loss; });
  if (rows.size() > 5) rows.resize(rows.size() - 5);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.line < b.line; });
  Dataset d;
  d.source = path;
  for (const Row& r : rows) {
    d.n.push_back(r.n);
    d.d.push_back(r.d);
    d.loss.push_back(r.loss);
    d.line.push_back(r.line);
  }
  return d;
}

// `count` starts spread evenly through a start grid (S rows of P values), so a short benchmark
// sees the same mix of good and bad starts as the whole grid.
inline std::vector<double> strided_starts(const std::vector<double>& grid, int p, int count) {
  const long total = static_cast<long>(grid.size()) / p;
  if (count >= total) return grid;
  std::vector<double> out;
  for (int i = 0; i < count; ++i) {
    const long s = i * total / count;
    out.insert(out.end(), grid.begin() + s * p, grid.begin() + (s + 1) * p);
  }
  return out;
}

}  // namespace shannonfit::bench
