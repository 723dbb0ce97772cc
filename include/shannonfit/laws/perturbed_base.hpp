#pragma once
// The Chinchilla base shared by the perturbation-aware laws (precision, quant-degradation,
// chinchilla-noise): L = E + A/N^α + B/D^β + (one perturbation term), fitted in log space as
// chinchilla is, with a = ln A, b = ln B, e = ln E.
#include <string>
#include <utility>
#include <vector>

#include "shannonfit/law.hpp"
#include "shannonfit/math.hpp"

namespace shannonfit::laws {

// Chinchilla-base grids shared by the perturbation-aware laws: coarser than chinchilla's own
// 4500-start grid, since the degradation term multiplies the count. As in the Shannon family,
// each two-value grid lists the typical value (the single start) second.
namespace perturbed_base {

inline ParamSpec a_spec() { return {"a", "A", Reported::Exp, -10, 40, {0, 6}, 6}; }
inline ParamSpec b_spec() { return {"b", "B", Reported::Exp, -10, 40, {0, 6}, 6}; }
inline ParamSpec e_spec() { return {"e", "E", Reported::Exp, -10, 3, {0.5}, 0.5}; }
inline ParamSpec alpha_spec() { return {"alpha", "alpha", Reported::AsIs, 0, 5, {0.7, 0.3}, 0.3}; }
inline ParamSpec beta_spec() { return {"beta", "beta", Reported::AsIs, 0, 5, {0.7, 0.3}, 0.3}; }

// A perturbation-aware law's description: the base's five parameters, then the term's own.
inline LawInfo info(std::string name, std::string formula, std::string source,
                    std::vector<ParamSpec> term_params, std::string note) {
  std::vector<ParamSpec> params = {a_spec(), b_spec(), e_spec(), alpha_spec(), beta_spec()};
  params.insert(params.end(), term_params.begin(), term_params.end());
  return {std::move(name),   std::move(formula),     std::move(source),
          std::move(params), Needs::Perturbation, std::move(note)};
}

// ln of the Chinchilla terms plus one more term, which is absent where has_extra is false
// (a bool, or one per lane: math.hpp's branch).
template <class T, class S, class C>
SF_HD SF_INLINE T log_loss(const T* p, S ln_n, S ln_d, const C& has_extra, const T& ln_extra) {
  const T base = log_sum_exp<T>(p[0] - p[3] * ln_n, p[1] - p[4] * ln_d, p[2]);
  return branch<T>(has_extra, [&]() -> T { return log_sum_exp<T>(base, ln_extra); },
                   [&]() -> T { return base; });
}

}  // namespace perturbed_base

// The shape of the quantization laws (precision, quant-degradation): the base plus
//   δ = C · D^{γ_D} / N^{γ_N} · e^{−penalty(x)},
// a degradation that grows with the data seen before quantization, shrinks with model size and
// falls off as the effective bits read from x grow. Parameters: the base's five, ln C at 5, the
// two exponents at 6 and 7 (in the order of the law's paper: Law::kDataExponent and
// Law::kSizeExponent say which is which), and at 8 the parameter of Law::penalty(p[8], x), which
// is only called for x > 0. x = 0 (no perturbation) adds nothing.
template <class Law>
struct QuantizationDegradation {
  static constexpr int kParams = 9;

  template <class T, class S>
  SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S x) {
    const auto perturbed = positive(x);
    const T scaled = p[5] + p[Law::kDataExponent] * ln_d - p[Law::kSizeExponent] * ln_n;
    const T ln_delta = branch<T>(
        perturbed, [&]() -> T { return scaled - Law::penalty(p[8], x); },
        [&]() -> T { return scaled; });
    return perturbed_base::log_loss<T>(p, ln_n, ln_d, perturbed, ln_delta);
  }
};

}  // namespace shannonfit::laws
