// The Shannon Scaling Law (`shannon`, b = 1): evaluation against the published formula in long
// double, the property tests of docs/laws.md §3, stability at extreme inputs, parameter recovery
// and the default start grid.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "analysis/fit_stats.hpp"
#include "shannonfit/jet.hpp"
#include "shannonfit/laws/shannon.hpp"
#include "support/law_fixtures.hpp"
#include "support/toy_laws.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

// Solver order: ln a, ln c, ln d, ln e, alpha, beta, gamma, delta.
using Params = std::vector<double>;

// The published formula, straight from docs/laws.md, in long double (whose exponent range holds
// N^α and (DN)^γ for any input here, so no logarithmic rewriting is needed). It takes no
// perturbation: x is there for expect_matches_direct and ignored.
long double direct_loss(const Params& p, long double n, long double d, long double = 0) {
  const long double a = std::exp((long double)p[0]), c = std::exp((long double)p[1]),
                    dd = std::exp((long double)p[2]), e = std::exp((long double)p[3]);
  const long double noise =
      c * std::pow(d * n, (long double)p[6]) + dd * std::pow(d, (long double)p[7]) + e;
  const long double snr = std::pow(d, (long double)p[5]) / noise;
  return 1.0L / (a * std::pow(n, (long double)p[4]) * (std::log1p(snr) / std::log(2.0L)));
}

double ln_loss(const Params& p, double n, double d) {
  return log_loss_at(find_law("shannon"), p, n, d);
}

// The synthetic truth of tools/gen_perturbation.py at σ = 0: monotone over Pythia's range.
const Params kTruth = {-3, -12, -7, 6.5, 0.1, 0.3, 0.35, 0.5};

}  // namespace

TEST(LawShannon, IsRegisteredWithBFixedAndSaysSo) {
  const LawEntry& law = find_law("shannon");
  expect_registered(law, 8, Needs::Nothing, 128);
  EXPECT_NE(law.info.note.find("b fixed to 1"), std::string::npos);
}

TEST(LawShannon, MatchesThePublishedFormulaInLongDouble) {
  const std::vector<Params> params = {
      kTruth,
      {-4, 2, -3, 9, 0.15, 0.4, 0.1, 0.5},      // SNR near 1
      {-2, -20, -20, -5, 0.3, 0.5, 0.05, 0.2},  // SNR ≈ e^15: log2(1 + SNR) ≈ log2 SNR
      {-6, 5, 5, 12, 0.2, 0.1, 0.3, 0.4},       // SNR ≈ e^-10: log2(1 + SNR) ≈ SNR / ln 2
  };
  for (const Params& p : params) expect_matches_direct(find_law("shannon"), p, {0}, direct_loss);
}

TEST(LawShannon, StaysFiniteAndAccurateAtExtremeSignalToNoise) {
  // ln SNR from −800 to +800: the naive double formula overflows or returns log(0).
  for (double ln_d_noise : {-800.0, -60.0, -21.0, -19.0, 0.0, 19.0, 21.0, 60.0, 800.0}) {
    const Params p = {0, -2000, ln_d_noise, -2000, 0.1, 0.0, 0.0, 0.0};
    const double n = 1e12, d = 1e13;
    // ln SNR = −ln_d_noise exactly (β = δ = γ = 0, c and e negligible).
    const double s = -ln_d_noise;
    const long double want = -0.36651292058166435L - 0.1L * std::log(1e12L) -
                             std::log(s > 0 ? s + std::log1p(std::exp(-(long double)s))
                                            : std::log1p(std::exp((long double)s)));
    EXPECT_NEAR(ln_loss(p, n, d), (double)want, 1e-12 * std::max(1.0L, std::fabs(want)))
        << "ln SNR = " << s;
  }
  // Jacobians stay finite through every branch.
  for (double s : {-800.0, -25.0, -20.0, -5.0, 0.0, 5.0, 20.0, 25.0, 800.0}) {
    using J = Jet<double, 8>;
    J p[8];
    const double v[8] = {0, -200, -s, -200, 0.1, 0.3, 0.2, 0.1};
    for (int k = 0; k < 8; ++k) p[k] = J::variable(v[k], k);
    const J f = laws::Shannon::log_loss<J, double>(p, std::log(1.0), std::log(1.0), 0.0);
    EXPECT_TRUE(std::isfinite(f.a)) << s;
    for (int k = 0; k < 8; ++k) EXPECT_TRUE(std::isfinite(f.v[k])) << s << " param " << k;
  }
}

TEST(LawShannon, FiniteForTrillionParameterInputs) {
  for (double n : {1e12, 1e14}) {
    for (double d : {1e13, 1e15}) {
      const double v = ln_loss(kTruth, n, d);
      EXPECT_TRUE(std::isfinite(v));
      EXPECT_NEAR(v, (double)std::log(direct_loss(kTruth, n, d)), 1e-12);
    }
  }
}

// docs/laws.md: with γ < min(α, β) and δ < β, L decreases in N and in D over N ∈ [1e7, 1e12],
// D ∈ [1e8, 1e13].
TEST(LawShannon, MonotoneWithoutPerturbation) {
  const std::vector<Params> params = {
      {-3, -5, -6, 4, 0.2, 0.35, 0.1, 0.3},
      {-4, 2, -3, 9, 0.15, 0.4, 0.1, 0.3},
      {-2, 0, 0, 0, 0.5, 0.6, 0.0, 0.55},
  };
  const auto ns = log_grid(1e7, 1e12, 40), ds = log_grid(1e8, 1e13, 40);
  for (const Params& p : params) {
    ASSERT_LT(p[6], std::min(p[4], p[5]));
    ASSERT_LT(p[7], p[5]);
    for (std::size_t i = 0; i < ns.size(); ++i)
      for (std::size_t j = 0; j < ds.size(); ++j) {
        if (i + 1 < ns.size())
          EXPECT_LT(ln_loss(p, ns[i + 1], ds[j]), ln_loss(p, ns[i], ds[j]));
        if (j + 1 < ds.size())
          EXPECT_LT(ln_loss(p, ns[i], ds[j + 1]), ln_loss(p, ns[i], ds[j]));
      }
  }
}

// docs/laws.md: with δ > β, L(D) at fixed N has an interior minimum. Its location satisfies
// (δ − β) d D^δ + (γ − β) c (DN)^γ = β e (where ln SNR is stationary).
TEST(LawShannon, InteriorMinimumInTokensWhenDeltaExceedsBeta) {
  const Params p = {-3, -12, -7, 6.5, 0.1, 0.3, 0.2, 0.5};
  ASSERT_GT(p[7], p[5]);
  const double n = 1e9;
  const auto ds = log_grid(1e8, 1e13, 2001);
  std::size_t best = 0;
  for (std::size_t j = 1; j < ds.size(); ++j)
    if (ln_loss(p, n, ds[j]) < ln_loss(p, n, ds[best])) best = j;
  ASSERT_GT(best, 0u);
  ASSERT_LT(best, ds.size() - 1);
  // The first-order condition, solved by bisection on ln D in long double.
  auto stationarity = [&](long double ln_d) {
    const long double c = std::exp((long double)p[1]), d = std::exp((long double)p[2]),
                      e = std::exp((long double)p[3]);
    return (p[7] - p[5]) * d * std::exp(p[7] * ln_d) +
           (p[6] - p[5]) * c * std::exp(p[6] * (ln_d + std::log((long double)n))) - p[5] * e;
  };
  long double lo = std::log(1e8L), hi = std::log(1e13L);
  ASSERT_LT(stationarity(lo), 0);
  ASSERT_GT(stationarity(hi), 0);
  for (int it = 0; it < 200; ++it) {
    const long double mid = 0.5L * (lo + hi);
    (stationarity(mid) < 0 ? lo : hi) = mid;
  }
  EXPECT_NEAR(std::log(ds[best]), (double)lo, 2 * std::log(1e13 / 1e8) / 2000);
}

// docs/laws.md: with γ > α, L(N) at fixed large D rises for large N (growing the model backfires).
TEST(LawShannon, LossRisesWithModelSizeWhenGammaExceedsAlpha) {
  const Params p = {-3, -9, -7, 6.5, 0.1, 0.3, 0.35, 0.5};
  ASSERT_GT(p[6], p[4]);
  const double d = 1e13;
  const auto ns = log_grid(1e10, 1e12, 20);
  for (std::size_t i = 0; i + 1 < ns.size(); ++i)
    EXPECT_GT(ln_loss(p, ns[i + 1], d), ln_loss(p, ns[i], d)) << "N=" << ns[i];
}

TEST(LawShannon, DefaultGridRecoversTheTruthFromExactData) {
  const LawEntry& law = find_law("shannon");
  expect_recovers_exactly(law, kTruth, {0});
  expect_recovers_exactly(law, {-4, 2, -3, 9, 0.15, 0.4, 0.1, 0.5}, {0});
}

TEST(LawShannon, DefaultGridIsStableUnderRefinement) {
  const LawEntry& law = find_law("shannon");
  // A perturbed setting of the generator's truth (c scaled by 1 + κσ²), with 0.3% loss noise.
  const Params truth = {-3, -7.42, -7, 6.5, 0.1, 0.3, 0.35, 0.5};
  const Dataset data = synth::pythia_shaped(law, truth, {0}, 0.003, 7);
  expect_grid_finds_optimum(law, data, 256, 11);
}

// ---- identifiability of the published 9-parameter form ------------------------------------------
namespace {

// The published form with b free: ln a, ln b, ln c, ln d, ln e, α, β, γ, δ. Not registered: its
// scale (b, c, d, e) → (λb, λc, λd, λe) leaves every loss unchanged.
struct ShannonFull {
  static constexpr int kParams = 9;
  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S) {
    const T ln_noise = log_sum_exp<T>(p[2] + p[7] * (ln_d + ln_n), p[3] + p[8] * ln_d, p[4]);
    return laws::shannon_detail::log_loss<T>(p[0], p[5], p[1] + p[6] * ln_d, ln_noise, ln_n);
  }
  static LawInfo info() {
    using namespace laws::shannon_detail;
    return {"shannon-full", "", "", {ln_a_spec(), {"ln_b", "b", Reported::Exp, -40, 40, {0}, 0},
            ln_c_spec(), ln_d_spec(), ln_e_spec(), alpha_spec(), beta_spec(), gamma_spec(),
            delta_spec()}, Needs::Nothing, ""};
  }
};

}  // namespace

TEST(LawShannon, FreeBLeavesExactlyTheScaleOfTheSnrUnidentified) {
  const LawEntry full = toy_entry<ShannonFull>();
  const LawEntry& fixed = find_law("shannon");
  const Dataset data = synth::pythia_shaped(fixed, kTruth, {0}, 0.002, 5);
  // Free b: the engine reports one flat direction, along (ln b, ln c, ln d, ln e) together.
  const FitResult f = fit_default_grid(full, data);
  ASSERT_TRUE(converged(f.status)) << to_string(f.status);
  const FitSummary s = summarize_fit(full, f, data, FitOptions{});
  ASSERT_EQ(s.identifiability.flat.size(), 1u);
  std::map<std::string, double> dir(s.identifiability.flat[0].components.begin(),
                                    s.identifiability.flat[0].components.end());
  EXPECT_EQ(dir.size(), 4u);
  for (const char* name : {"ln_b", "ln_c", "ln_d", "ln_e"}) {
    ASSERT_TRUE(dir.count(name)) << name;
    EXPECT_GT(dir[name] * dir["ln_b"], 0) << name;  // all four move together
  }
  for (const auto& p : s.params) {
    const bool in_flat = dir.count(p.name) > 0;
    EXPECT_EQ(p.identified, !in_flat) << p.name;
    if (in_flat) EXPECT_TRUE(std::isnan(p.se)) << p.name;
  }
  // b = 1 (the shipped law) removes it: full rank, every parameter with a standard error.
  const FitResult g = fit_default_grid(fixed, data);
  const FitSummary t = summarize_fit(fixed, g, data, FitOptions{});
  EXPECT_TRUE(t.identifiability.full_rank());
  for (const auto& p : t.params) EXPECT_TRUE(std::isfinite(p.se)) << p.name;
  // Both reach the same optimum: fixing b loses nothing.
  EXPECT_NEAR(f.cost, g.cost, 1e-6 * g.cost);
}
