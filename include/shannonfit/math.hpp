#pragma once
// The math a law body and a loss are written with, over every number type they run on: double
// and float (host and device), Jets (jet.hpp), lanes of several points and Jets over them
// (lanes.hpp, host only) and Eigen's AutoDiffScalar (the reference path). On one point a
// comparison is a bool; on lanes it is a mask with one answer per lane, and these helpers take
// each lane's own branch.
#include <type_traits>

#include "shannonfit/config.hpp"

namespace shannonfit {

// Whether T is a Jet over lanes (specialised in lanes.hpp).
template <class T>
struct IsLaneJet {
  static constexpr bool value = false;
};

// Whether lane l, no lane, or every lane of a lane mask is set (specialised in lanes.hpp).
template <class Mask>
struct LaneMask;

// log(exp(u) + exp(v) + exp(w)) without overflow. Laws call it as log_sum_exp<T>(...) so that
// expression types (Eigen AutoDiff) convert to T first.
// The largest term is exp(0) = 1 exactly (value 1, zero derivatives), so only the other terms
// take an exp: a third fewer exps in the solver's inner loop.
// On lane Jets each lane takes its own branch: lane_log_sum_exp (lanes.hpp) does the same
// arithmetic without branching.
template <class T>
SF_HD SF_INLINE T log_sum_exp(const T& u, const T& v, const T& w) {
  if constexpr (IsLaneJet<T>::value) {
    return lane_log_sum_exp(u, v, w);
  } else {
    if (u < v) {
      if (v < w) return w + log(exp(u - w) + exp(v - w) + T(1));
      return v + log(exp(u - v) + T(1) + exp(w - v));
    }
    if (u < w) return w + log(exp(u - w) + exp(v - w) + T(1));
    return u + log(T(1) + exp(v - u) + exp(w - u));
  }
}
template <class T>
SF_HD SF_INLINE T log_sum_exp(const T& u, const T& v) {
  if constexpr (IsLaneJet<T>::value) {
    return lane_log_sum_exp(u, v);
  } else {
    if (u < v) return v + log(exp(u - v) + T(1));
    return u + log(T(1) + exp(v - u));
  }
}

// Comparisons that lanes can take: a bool for one point, a lane mask on lanes.
template <class S>
SF_HD SF_INLINE auto positive(const S& x) {
  if constexpr (std::is_arithmetic<S>::value)
    return x > S(0);
  else
    return less(S(0), x);
}
template <class S>
SF_HD SF_INLINE auto at_most(const S& x, const S& bound) {
  if constexpr (std::is_arithmetic<S>::value)
    return x <= bound;
  else
    return less_equal(x, bound);
}
template <class S>
SF_HD SF_INLINE S magnitude(const S& x) {
  if constexpr (std::is_arithmetic<S>::value)
    return x < S(0) ? -x : x;
  else
    return abs(x);
}

// branch<R>(c, a, b) is c ? a() : b() for a bool, so for one point (host and device) only the
// chosen side runs. On lanes, where all lanes agree only their side runs (data sorted by
// perturbation mostly gives such groups, and the clean side is often much cheaper); otherwise
// both run on every lane and select keeps each lane's own. A discarded side may meet x = 0
// (log 0 = −∞, and 0 · ∞ = NaN in a derivative), which stays in the lane that select drops:
// nothing adds across lanes before a law returns.
template <class R, class C, class A, class B>
SF_HD SF_INLINE R branch(const C& c, const A& a, const B& b) {
  if constexpr (std::is_same<C, bool>::value) {
    return c ? R(a()) : R(b());
  } else {
    if (LaneMask<C>::none(c)) return R(b());
    if (LaneMask<C>::all(c)) return R(a());
    return select(c, R(a()), R(b()));
  }
}

}  // namespace shannonfit
