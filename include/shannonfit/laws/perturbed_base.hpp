#pragma once
// The Chinchilla base shared by the perturbation-aware laws (precision, quant-degradation,
// chinchilla-noise): L = E + A/N^α + B/D^β + (one perturbation term), fitted in log space as
// chinchilla is, with a = ln A, b = ln B, e = ln E.
#include "shannonfit/law.hpp"

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

// ln of the Chinchilla terms plus one more term, which is absent when has_extra is false.
template <class T, class S>
SF_HD SF_INLINE T log_loss(const T* p, S ln_n, S ln_d, bool has_extra, const T& ln_extra) {
  const T base = log_sum_exp<T>(p[0] - p[3] * ln_n, p[1] - p[4] * ln_d, p[2]);
  return has_extra ? log_sum_exp<T>(base, ln_extra) : base;
}

}  // namespace perturbed_base

}  // namespace shannonfit::laws
