#pragma once
// Test helpers that work for ANY law in SF_FOR_EACH_LAW, so that every law added to the registry
// is covered by the Jacobian, recovery and agreement tests without writing new test code:
//   - AllLaws: the registry as a googletest type list (TYPED_TEST_SUITE(..., AllLaws, LawName));
//   - draw_truth: seeded random parameters in a sensible sub-box of each parameter's range
//     (centred on TruthSpace<Law>), redrawn until the synthetic design (synth::make_design in
//     synthetic.hpp, which also draws the data) identifies them;
//   - value_and_gradient / central_difference: one law evaluated through Jets and by finite
//     differences.
// What does not depend on the law type is compiled once, in law_testing.cpp, and the laws are
// evaluated through their registry entries: the typed suites instantiate what is left here once
// per law in every program that includes it, twice per clean CI run (bench/README.md, "Cutting
// the compile").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "shannonfit/batch.hpp"
#include "shannonfit/jet.hpp"
#include "shannonfit/law.hpp"
#include "shannonfit/laws/all.hpp"
#include "synthetic.hpp"

namespace shannonfit::lawtest {

// ---- the registry as a type list ---------------------------------------------------------------
namespace detail {
template <class... Ts>
struct List {};
// SF_FOR_EACH_LAW expands to "A, B, C, void": strip the terminating void.
template <class Acc, class... Rest>
struct StripVoid;
template <class... Acc>
struct StripVoid<List<Acc...>, void> {
  using type = ::testing::Types<Acc...>;
};
template <class... Acc, class H, class... Rest>
struct StripVoid<List<Acc...>, H, Rest...> {
  using type = typename StripVoid<List<Acc..., H>, Rest...>::type;
};
}  // namespace detail

#define SF_TESTING_TYPE_COMMA(Law) Law,
using AllLaws = detail::StripVoid<detail::List<>, SF_FOR_EACH_LAW(SF_TESTING_TYPE_COMMA) void>::type;
#undef SF_TESTING_TYPE_COMMA

// Where random truths of a law are drawn (draw_truth's box is centred here). By default each
// parameter's typical value. The Shannon family's typical values leave the interaction noise
// c (DN)^γ ~e^−6 against an irreducible floor e^4 over the whole test design, so c and γ are not
// identified there (fits from the grid ran ln c to its bound in most noiseless recoveries).
// Their centre instead makes each noise term dominate a part of the N×D design (interaction at
// large N·D, accumulated data noise at large D, the floor at small D) with a moderate SNR
// (ln S/P from ~1 to ~3), and they are fitted from their whole default grid (kFullGrid): from the
// grid thinned to one start, 17 of 20 noiseless shannon truths were recovered, from the full grid
// 20 of 20 for shannon, shannon-simple and shannon-x (measured on this design).
template <class Law>
struct TruthSpace {
  static std::vector<double> centre() {
    std::vector<double> c;
    for (const auto& spec : Law::info().params) c.push_back(spec.fixed_value);
    return c;
  }
  static constexpr bool kFullGrid = false;
  // Noise (sd of ln L) of unit_reference_agreement's problems: large enough that both solvers
  // iterate, small enough that most optima are pinned to 1e-7 so the comparison is not vacuous.
  static constexpr double kAgreementNoise = 0.002;
};
// At 0.2% noise 15–32 of 50 Shannon-family optima were not pinned to 1e-7 (the suite allows
// 10); the parameter resolution scales with the noise, so these laws are compared at 0.02%.
constexpr double kShannonAgreementNoise = 0.0002;
// ln a, ln c, ln d, ln e, α, β, γ, δ
inline std::vector<double> shannon_centre() { return {-3, -2.5, -1.6, 8, 0.1, 0.5, 0.25, 0.4}; }
template <>
struct TruthSpace<laws::Shannon> {
  static std::vector<double> centre() { return shannon_centre(); }
  static constexpr bool kFullGrid = true;
  static constexpr double kAgreementNoise = kShannonAgreementNoise;
};
template <>
struct TruthSpace<laws::ShannonSimple> {
  static std::vector<double> centre() {
    std::vector<double> c = shannon_centre();
    c.erase(c.begin() + 3);  // no ln e
    return c;
  }
  static constexpr bool kFullGrid = true;
  static constexpr double kAgreementNoise = kShannonAgreementNoise;
};
template <>
struct TruthSpace<laws::ShannonX> {
  static std::vector<double> centre() {
    std::vector<double> c = shannon_centre();
    c.push_back(4);  // ln κ: the perturbation multiplies the interaction noise by up to ~56
    return c;
  }
  static constexpr bool kFullGrid = true;
  static constexpr double kAgreementNoise = kShannonAgreementNoise;
};

// Whether the generic N×D(×x) design identifies random truths of a law in a fit space. Measured
// with draw_truth's condition test: quant-degradation fitted in linear space left 50 of 50
// optima undetermined. It is recovered on designs of its own in tests/unit_law_<name>.cpp; the
// generic suites skip it with this reason, visibly.
template <class Law>
constexpr bool generic_design_identifies(Space space) {
  return !(std::is_same_v<Law, laws::QuantDegradation> && space == Space::Linear);
}
#define SF_SKIP_UNLESS_GENERIC_DESIGN_IDENTIFIES(Law, space)                                   \
  if (!::shannonfit::lawtest::generic_design_identifies<Law>(space))                          \
  GTEST_SKIP() << Law::info().name                                                            \
               << ": random truths are not identified by the generic design in this space; "  \
                  "see its own tests/unit_law_*.cpp"

// Whether unit_reference_agreement can compare the CPU and reference solvers on a law in a
// space. Measured for shannon-x in linear space: the two solvers never end apart (parameters
// within 3e-7), but no noise level passes the suite's two guards at once: at 0.05% and 0.2%
// noise 13 and 32 of 50 optima are not pinned to 1e-7 (the suite allows 10), at 0.02% and 0.01%
// the two costs differ by up to 1.3e-11 relative (the suite allows 1e-11). It is recovered by
// the generic recovery suite in that space, and compared in log space.
template <class Law>
constexpr bool agreement_testable(Space space) {
  return generic_design_identifies<Law>(space) &&
         !(std::is_same_v<Law, laws::ShannonX> && space == Space::Linear);
}
#define SF_SKIP_UNLESS_AGREEMENT_TESTABLE(Law, space)                                         \
  if (!::shannonfit::lawtest::agreement_testable<Law>(space))                                 \
  GTEST_SKIP() << Law::info().name                                                            \
               << ": no noise level passes both guards of the agreement suite in this space "  \
                  "(measured; see tests/support/law_testing.hpp)"

// Names typed tests after the law ("chinchilla-plain" → "chinchilla_plain").
struct LawName {
  template <class Law>
  static std::string GetName(int) {
    std::string s = Law::info().name;
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
  }
};

// ---- evaluation --------------------------------------------------------------------------------
// A law's registry entry, whose functions (LawEntry::log_loss, log_loss_gradient) are compiled
// once, in the law's own registry unit (cmake/law_shards.cmake).
template <class Law>
const LawEntry& entry() {
  static const LawEntry& law = find_law(Law::info().name);
  return law;
}

template <class Law>
double log_loss(const double* p, double ln_n, double ln_d, double x) {
  return entry<Law>().log_loss(p, ln_n, ln_d, x);
}

// ln L̂ and its exact gradient with respect to the parameters, through Jets.
template <class Law>
double value_and_gradient(const double* p, double ln_n, double ln_d, double x, double* grad) {
  return entry<Law>().log_loss_gradient(p, ln_n, ln_d, x, grad);
}

// Central difference d ln L̂ / d p_k with step h_k = step·max(1, |p_k|).
template <class Law>
double central_difference(const double* p, int k, double ln_n, double ln_d, double x,
                          double step = 1e-6) {
  std::vector<double> q(p, p + Law::kParams);
  const double h = step * std::max(1.0, std::abs(p[k]));
  q[k] = p[k] + h;
  const double up = log_loss<Law>(q.data(), ln_n, ln_d, x);
  q[k] = p[k] - h;
  const double down = log_loss<Law>(q.data(), ln_n, ln_d, x);
  return (up - down) / (2 * h);
}

// ---- random truths -----------------------------------------------------------------------------
// Sampling box of one parameter: centred on its typical value (fixed_value, the start used by
// --starts single), half-width a tenth of the span of its default start grid but at most half of
// its typical magnitude (so positive quantities stay the same order of magnitude), inside the
// bounds with a 1% margin (the recovery tests are about interior optima).
struct Interval {
  double lo, hi;
};
inline Interval truth_interval(const ParamSpec& s) {
  double span = 0;
  if (s.grid.size() > 1) {
    const auto [mn, mx] = std::minmax_element(s.grid.begin(), s.grid.end());
    span = *mx - *mn;
  }
  double half = 0.1 * span;
  if (s.fixed_value != 0) half = std::min(half, 0.5 * std::abs(s.fixed_value));
  const double margin = 0.01 * (s.hi - s.lo);
  const double lo = std::max(s.fixed_value - half, s.lo + margin);
  const double hi = std::min(s.fixed_value + half, s.hi - margin);
  return lo <= hi ? Interval{lo, hi} : Interval{s.fixed_value, s.fixed_value};
}

// The exact Jacobian of ln L̂ at p over a design, row-major: one row per point, one column per
// parameter.
struct Jacobian {
  int rows = 0, cols = 0;
  std::vector<double> values;
};
Jacobian log_loss_jacobian(const LawEntry& law, const std::vector<double>& p,
                           const synth::Design& g);
template <class Law>
Jacobian log_loss_jacobian(const std::vector<double>& p, const synth::Design& g) {
  return log_loss_jacobian(entry<Law>(), p, g);
}

// Condition number of the column-scaled JᵀJ: how well the design identifies the parameters
// (scaling removes mere differences of units between parameters). Infinite where J is not finite,
// a column is zero or JᵀJ is singular.
double scaled_condition(const Jacobian& jac);
template <class Law>
double scaled_condition(const std::vector<double>& p, const synth::Design& g) {
  return scaled_condition(log_loss_jacobian<Law>(p, g));
}

// Truths whose scaled JᵀJ is worse conditioned than this on the design are redrawn: their
// parameters are not identified by the data, so "recovering" them is not a meaningful test.
constexpr double kMaxCondition = 1e8;

struct Truth {
  std::vector<double> params;
  int redraws = 0;  // rejected draws before this one (ill-conditioned or non-finite)
};

// A law whose sampling box almost never gives an identifiable truth is a finding about the law
// (or its typical values), not something to loop on forever.
constexpr int kMaxRedraws = 1000;

// Draws from the boxes of truth_interval around `centre` until the design identifies the truth
// (scaled condition at most kMaxCondition), or once if `require_identifiable` is false.
Truth draw_truth(const LawEntry& law, const std::vector<double>& centre, const synth::Design& g,
                 std::mt19937_64& rng, bool require_identifiable);
template <class Law>
Truth draw_truth(const synth::Design& g, std::mt19937_64& rng,
                 bool require_identifiable = true) {
  return draw_truth(entry<Law>(), TruthSpace<Law>::centre(), g, rng, require_identifiable);
}

// ---- batches -----------------------------------------------------------------------------------
// The law's default start grid thinned to at most `per_param` values of each parameter's grid
// (evenly spaced through it, ends included), for tests that must run many fits quickly.
inline std::vector<double> reduced_grid(const LawInfo& info, std::size_t per_param) {
  LawInfo thin = info;
  for (auto& spec : thin.params) {
    if (spec.grid.size() <= per_param) continue;
    std::vector<double> kept;
    for (std::size_t i = 0; i < per_param; ++i)
      kept.push_back(spec.grid[per_param == 1 ? spec.grid.size() / 2
                                              : i * (spec.grid.size() - 1) / (per_param - 1)]);
    spec.grid = kept;
  }
  return start_grid(thin);
}

// One batch call: the best fit over `starts` on `data`. One thread by default: ctest already runs
// test cases in parallel, and thousands of tiny parallel regions on a busy machine spend more
// time waking threads than fitting.
inline FitResult fit_best(BatchFn fn, const LawEntry& law, const Dataset& data,
                          const std::vector<double>& starts, const FitOptions& options = {},
                          int threads = 1) {
  BatchRequest req;
  req.data = &data;
  req.starts = starts;
  req.options = options;
  req.threads = threads;
  const std::vector<FitResult> out = fn(law, req);
  return out.at(0);
}

// |a - b| relative to max(1, |b|): parameters span log-scale offsets near 0 and exponents near 1.
inline double relative_error(double a, double b) { return std::abs(a - b) / std::max(1.0, std::abs(b)); }

}  // namespace shannonfit::lawtest
