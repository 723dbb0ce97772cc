#pragma once
// cos, sin and atan of a Jet, for formula laws (formula/formula.hpp) on the host and in their
// NVRTC kernels: kept out of jet.hpp, which every translation unit includes, because only
// formula code uses them. T's own cos, sin and atan are libm's, CUDA's built-ins or a lane
// type's (formula/evaluate.hpp).
#include "shannonfit/jet.hpp"

namespace shannonfit {

// As config.hpp's exp and log: found before the Jet and lane overloads, and the device's own.
SF_HD SF_INLINE double cos(double x) { return ::cos(x); }
SF_HD SF_INLINE double sin(double x) { return ::sin(x); }
SF_HD SF_INLINE double atan(double x) { return ::atan(x); }

template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> cos(const Jet<T, P>& x) { return chain(x, cos(x.a), T(0) - sin(x.a)); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> sin(const Jet<T, P>& x) { return chain(x, sin(x.a), cos(x.a)); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> atan(const Jet<T, P>& x) {
  return chain(x, atan(x.a), T(1) / (T(1) + x.a * x.a));
}

}  // namespace shannonfit
