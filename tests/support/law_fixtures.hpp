#pragma once
// Fixtures for the per-law tests (tests/unit_law_*.cpp): a fit from the law's default start grid,
// recovery of a stated truth from Pythia-shaped synthetic data (synth::pythia_shaped), and the
// grid-refinement check that the default grid's best is the global optimum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "analysis/fit_stats.hpp"
#include "shannonfit/batch.hpp"
#include "synthetic.hpp"

namespace shannonfit::testing {

// Best fit from the given starts on the CPU backend.
inline FitResult fit_from(const LawEntry& law, const Dataset& data, std::vector<double> starts,
                          const FitOptions& options = {}) {
  BatchRequest req;
  req.data = &data;
  req.starts = std::move(starts);
  req.options = options;
  const std::vector<FitResult> out = law.batch(BackendKind::Cpu)(law, req);
  return out.at(0);
}

inline FitResult fit_default_grid(const LawEntry& law, const Dataset& data,
                                  const FitOptions& options = {}) {
  return fit_from(law, data, start_grid(law.info), options);
}

// A refinement of the default grid: `extra` seeded uniform starts over the grid's box, each
// parameter's range widened by half its grid span (or by 1 where the grid has one value).
inline std::vector<double> refined_starts(const LawInfo& info, int extra, unsigned seed) {
  std::vector<double> starts = start_grid(info);
  std::mt19937_64 rng(seed);
  for (int s = 0; s < extra; ++s)
    for (const ParamSpec& spec : info.params) {
      const double lo = *std::min_element(spec.grid.begin(), spec.grid.end());
      const double hi = *std::max_element(spec.grid.begin(), spec.grid.end());
      const double pad = hi > lo ? 0.5 * (hi - lo) : 1.0;
      std::uniform_real_distribution<double> u(std::max(spec.lo, lo - pad),
                                               std::min(spec.hi, hi + pad));
      starts.push_back(u(rng));
    }
  return starts;
}

// The default grid's best is stable under refinement: no start of the refined grid finds a
// lower cost (beyond rounding), and the chosen fit converged.
inline void expect_grid_finds_optimum(const LawEntry& law, const Dataset& data, int extra,
                                      unsigned seed) {
  const FitResult coarse = fit_default_grid(law, data);
  const FitResult fine = fit_from(law, data, refined_starts(law.info, extra, seed));
  EXPECT_TRUE(converged(coarse.status)) << law.info.name << ": " << to_string(coarse.status);
  EXPECT_LE(coarse.cost, fine.cost * (1 + 1e-6) + 1e-14)
      << law.info.name << ": the refined grid found a lower optimum";
}

// ln L̂ in the law's own order at one point (the registry's double evaluation).
inline double log_loss_at(const LawEntry& law, const std::vector<double>& p, double n, double d,
                          double x = 0) {
  return law.log_loss(p.data(), std::log(n), std::log(d), x);
}

inline std::vector<double> log_grid(double lo, double hi, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(lo * std::pow(hi / lo, double(i) / (n - 1)));
  return v;
}

// The registry entry is the documented one: `n_params` parameters, what it needs from the data,
// and a default grid of `grid_starts` starts.
inline void expect_registered(const LawEntry& law, int n_params, Needs needs,
                              std::size_t grid_starts) {
  EXPECT_EQ(law.n_params, n_params) << law.info.name;
  EXPECT_EQ(law.info.needs, needs) << law.info.name;
  EXPECT_EQ(start_grid(law.info).size(), grid_starts * n_params) << law.info.name;
}

// The law agrees with `direct(p, n, d, x)` (the published formula for L, evaluated naively in
// long double; a law without perturbation ignores x) to `tol` in ln L, over N ∈ [1e7, 1e12],
// D ∈ [1e8, 1e13] and the given xs.
template <class Direct>
void expect_matches_direct(const LawEntry& law, const std::vector<double>& p,
                           const std::vector<double>& xs, Direct direct, double tol = 1e-12) {
  for (double x : xs)
    for (double n : log_grid(1e7, 1e12, 6))
      for (double d : log_grid(1e8, 1e13, 6)) {
        const long double want =
            std::log(direct(p, (long double)n, (long double)d, (long double)x));
        EXPECT_NEAR(log_loss_at(law, p, n, d, x), (double)want,
                    tol * std::max(1.0L, std::fabs(want)))
            << law.info.name << " N=" << n << " D=" << d << " x=" << x;
      }
}

// The default grid recovers `truth` from Pythia-shaped data at the given perturbation levels,
// each parameter to within its own absolute tolerance.
// With noise, each identified parameter must also lie within kRecoverySigmas of its own
// standard error of the truth: the fixed tolerances bound gross failures, the standard errors are
// as tight as the data allow (a correct fit is 5 standard errors off with probability 6e-7).
constexpr double kRecoverySigmas = 5;

inline void expect_recovers(const LawEntry& law, const std::vector<double>& truth,
                            const std::vector<double>& xs, double noise,
                            const std::vector<double>& tolerance, unsigned seed = 1) {
  const Dataset data = synth::pythia_shaped(law, truth, xs, noise, seed);
  const FitResult fit = fit_default_grid(law, data);
  ASSERT_TRUE(converged(fit.status)) << law.info.name << ": " << to_string(fit.status);
  ASSERT_EQ(tolerance.size(), truth.size());
  const FitSummary summary = summarize_fit(law, fit, data, FitOptions{});
  for (int k = 0; k < law.n_params; ++k) {
    EXPECT_NEAR(fit.params[k], truth[k], tolerance[k])
        << law.info.name << " " << law.info.params[k].name;
    const ParameterEstimate& e = summary.params[k];
    if (noise > 0 && e.identified && !e.at_bound)
      EXPECT_LE(std::abs(fit.params[k] - truth[k]), kRecoverySigmas * e.se)
          << law.info.name << " " << law.info.params[k].name << ": " << fit.params[k]
          << " against the truth " << truth[k] << " with standard error " << e.se;
  }
}

// Exact data: every parameter to `relative` of its size (at least of 1).
inline void expect_recovers_exactly(const LawEntry& law, const std::vector<double>& truth,
                                    const std::vector<double>& xs, double relative = 1e-5) {
  std::vector<double> tolerance;
  for (double t : truth) tolerance.push_back(relative * std::max(1.0, std::fabs(t)));
  expect_recovers(law, truth, xs, 0.0, tolerance);
}

}  // namespace shannonfit::testing
