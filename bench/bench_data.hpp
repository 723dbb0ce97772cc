#pragma once
// Problems shared by the benchmark suite and the side-by-side comparison programs, so every
// number in bench/README.md is measured on the same data and the same starts. Synthetic data come
// from the tests' generator (synth::random_chinchilla in tests/support/synthetic.hpp).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "shannonfit/batch.hpp"
#include "support/epoch_data.hpp"
#include "support/synthetic.hpp"

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

inline std::string data_dir() {
  if (const char* env = std::getenv("SHANNONFIT_DATA_DIR")) return env;
  return SHANNONFIT_DATA_DIR;
}

// The 240 Epoch Chinchilla points (support/epoch_data.hpp). A missing file is an error, never a
// silent switch to other data: every row a benchmark prints is named by the data it ran on.
inline Dataset epoch_chinchilla() {
  return testing::load_epoch_chinchilla(data_dir() + "/chinchilla_svg_extracted.csv");
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
