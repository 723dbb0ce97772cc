#pragma once
// The Shannon Scaling Law ("LLMs as Noisy Channels", arXiv 2605.23901, ICML 2026): training as
// transmission over a noisy channel, C = W log2(1 + S/P), with
//   bandwidth W = a N^α,  signal S = b D^β,  noise P = c (DN)^γ + d D^δ + e,   L = 1 / C.
// All positive scales are fitted as logarithms and every power is exp(k · ln x), so N ≈ 1e12 and
// D ≈ 1e13 never meet a raw power. The noise is a log-sum-exp of its terms and ln log(1 + S/P)
// is evaluated from ln(S/P) by log_log1p_exp, so neither a tiny nor a huge SNR overflows or loses
// its digits.
//
// b, c, d and e enter only through S/P, so scaling all four together changes nothing: the
// published 9-parameter form has one exactly flat direction. The shipped laws fix b = 1:
//   shannon          8 parameters: ln a, ln c, ln d, ln e, α, β, γ, δ
//   shannon-simple   7 parameters: e = 0 as well (ln a, ln c, ln d, α, β, γ, δ)
#include "shannonfit/law.hpp"
#include "shannonfit/math.hpp"

namespace shannonfit::laws {

namespace shannon_detail {

// log1p(y) for 0 < y ≤ 1 from log alone, since Eigen's AutoDiffScalar (the reference path) has
// no log1p: with u = 1 + y rounded, log(u) · y / (u − 1) is accurate to a few ulps (Goldberg,
// "What every computer scientist should know about floating-point arithmetic", Theorem 4).
// Callers keep y ≥ 2e-9, so u − 1 is never zero.
template <class T>
SF_HD SF_INLINE T log1p_positive(const T& y) {
  const T u = T(1) + y;
  return log(u) * (y / (u - T(1)));
}

// ln(ln(1 + e^s)) for any s. ln(1 + e^s) is rewritten as s + ln(1 + e^−s) for s > 0 (no
// overflow). Beyond |s| = 20 the leading terms of the series are exact to double precision:
// ln(1 + e^−s) = e^−s for s > 20, and ln ln(1 + e^s) = s − e^s/2 for s < −20 (e^s would
// underflow long before ln(1 + e^s) stops being representable).
//
// On Jets over several points (host, lanes.hpp) each lane does its branch's arithmetic without
// branching: the one exp is e^−|s|, and the lanes past |s| = 20, which do not use log1p, give it
// 1 instead (their e^−|s| would make u − 1 zero and 0 · ∞ a NaN).
template <class T>
SF_HD SF_INLINE T log_log1p_exp(const T& s) {
  if constexpr (IsLaneJet<T>::value) {
    using L = decltype(s.a);
    const auto above_zero = less(L(0), s.a), big = less(L(20), s.a), tiny = less(s.a, L(-20));
    const T t = exp(select(above_zero, -s, s));
    const T lp = log1p_positive<T>(select(big | tiny, T(1), t));
    const T inner = select(above_zero, s + select(big, t, lp), lp);
    return select(tiny, s - T(0.5) * t, log(inner));
  } else {
    if (s > T(20)) return log(s + exp(-s));
    if (s > T(0)) return log(s + log1p_positive<T>(exp(-s)));
    if (s < T(-20)) return s - T(0.5) * exp(s);
    return log(log1p_positive<T>(exp(s)));
  }
}

constexpr double kLogLn2 = -0.36651292058166435;  // ln(ln 2): log2 y = ln y / ln 2

// ln L̂ = ln(ln 2) − ln a − α ln N − ln ln(1 + S/P), from ln S and ln P.
template <class T, class S>
SF_HD SF_INLINE T log_loss(const T& ln_a, const T& alpha, const T& ln_signal, const T& ln_noise,
                           S ln_n) {
  return T(kLogLn2) - ln_a - alpha * ln_n - log_log1p_exp<T>(ln_signal - ln_noise);
}

// Grids shared by the family. The exponents span the published regimes (γ below and above α,
// δ below and above β); the log-scales start where each noise term is comparable to the signal
// over the usual data range (ln D ≈ 20–27, ln DN ≈ 38–50). Each two-value grid lists the typical
// value (the single start) second, so that a grid thinned to its middle value is that start.
// Size (128 starts for shannon) and stability under refinement: tests/unit_law_shannon.cpp.
inline ParamSpec ln_a_spec() { return {"ln_a", "a", Reported::Exp, -30, 30, {-3}, -3}; }
inline ParamSpec ln_c_spec() { return {"ln_c", "c", Reported::Exp, -40, 40, {2, -8}, -8}; }
inline ParamSpec ln_d_spec() { return {"ln_d", "d", Reported::Exp, -40, 40, {2, -8}, -8}; }
inline ParamSpec ln_e_spec() { return {"ln_e", "e", Reported::Exp, -40, 40, {-2, 4}, 4}; }
inline ParamSpec alpha_spec() { return {"alpha", "alpha", Reported::AsIs, 0, 3, {0.5, 0.1}, 0.1}; }
inline ParamSpec beta_spec() { return {"beta", "beta", Reported::AsIs, 0, 3, {0.6, 0.3}, 0.3}; }
inline ParamSpec gamma_spec() { return {"gamma", "gamma", Reported::AsIs, 0, 3, {0.3, 0.05}, 0.05}; }
inline ParamSpec delta_spec() { return {"delta", "delta", Reported::AsIs, 0, 3, {0.1, 0.5}, 0.5}; }

inline const char* source() {
  return "Shannon Scaling Law, 'LLMs as Noisy Channels' (arXiv 2605.23901, ICML 2026)";
}

}  // namespace shannon_detail

struct Shannon {
  static constexpr int kParams = 8;  // ln_a, ln_c, ln_d, ln_e, alpha, beta, gamma, delta
  // At each N the curve in D fixes the level −ln a − α ln N and the interaction scale c N^γ, so
  // two N give a, α and c. At each D the curve in N fixes (d D^δ + e) / D^β, whose three
  // parameters need three D.
  static constexpr MinDistinct kMinDistinct{2, 3, 0};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S /*x*/) {
    const T ln_noise = log_sum_exp<T>(p[1] + p[6] * (ln_d + ln_n), p[2] + p[7] * ln_d, p[3]);
    return shannon_detail::log_loss<T>(p[0], p[4], p[5] * ln_d, ln_noise, ln_n);
  }

  static LawInfo info() {
    using namespace shannon_detail;
    return {"shannon",
            "L = 1 / (a N^alpha log2(1 + b D^beta / (c (DN)^gamma + d D^delta + e))), b = 1",
            source(),
            {ln_a_spec(), ln_c_spec(), ln_d_spec(), ln_e_spec(), alpha_spec(), beta_spec(),
             gamma_spec(), delta_spec()},
            Needs::Nothing,
            "b fixed to 1 (8 free parameters): b, c, d, e enter only through the ratio S/P, so "
            "the 9-parameter form has one exactly flat direction"};
  }
};

struct ShannonSimple {
  static constexpr int kParams = 7;  // ln_a, ln_c, ln_d, alpha, beta, gamma, delta
  // As shannon, but with e = 0 the curves in N fix d D^(δ−β), whose two parameters need two D.
  static constexpr MinDistinct kMinDistinct{2, 2, 0};

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S /*x*/) {
    const T ln_noise = log_sum_exp<T>(p[1] + p[5] * (ln_d + ln_n), p[2] + p[6] * ln_d);
    return shannon_detail::log_loss<T>(p[0], p[3], p[4] * ln_d, ln_noise, ln_n);
  }

  static LawInfo info() {
    using namespace shannon_detail;
    return {"shannon-simple",
            "L = 1 / (a N^alpha log2(1 + D^beta / (c (DN)^gamma + d D^delta)))",
            source(),
            {ln_a_spec(), ln_c_spec(), ln_d_spec(), alpha_spec(), beta_spec(), gamma_spec(),
             delta_spec()},
            Needs::Nothing,
            "simplified form: b = 1 and e = 0 (7 free parameters)"};
  }
};

}  // namespace shannonfit::laws
