#pragma once
// Forward-mode dual numbers: a value and its gradient with respect to the P fit parameters.
// Laws are written once as templates; evaluating them on Jets yields the exact Jacobian row.
#include "shannonfit/config.hpp"

namespace shannonfit {

template <typename T, int P>
struct Jet {
  T a;     // value
  T v[P];  // d value / d parameter

  SF_HD Jet() : a(T(0)) {
    for (int i = 0; i < P; ++i) v[i] = T(0);
  }
  // Explicit, as in Ceres: a constant becomes a Jet only where the code says so (T(1), J(x)),
  // and mixed arithmetic goes through the overloads below that take the constant as it is.
  SF_HD explicit Jet(T value) : a(value) {
    for (int i = 0; i < P; ++i) v[i] = T(0);
  }
  SF_HD static Jet variable(T value, int index) {
    Jet j(value);
    j.v[index] = T(1);
    return j;
  }
};

template <typename T, int P>
SF_HD SF_INLINE T value_of(const Jet<T, P>& x) { return x.a; }

// Shared tail of every unary function: f(x) with derivative df at x.a.
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> chain(const Jet<T, P>& x, T f, T df) {
  Jet<T, P> r(f);
  for (int i = 0; i < P; ++i) r.v[i] = df * x.v[i];
  return r;
}

template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator-(const Jet<T, P>& x) { return chain(x, -x.a, T(-1)); }

template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator+(const Jet<T, P>& x, const Jet<T, P>& y) {
  Jet<T, P> r(x.a + y.a);
  for (int i = 0; i < P; ++i) r.v[i] = x.v[i] + y.v[i];
  return r;
}
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator-(const Jet<T, P>& x, const Jet<T, P>& y) {
  Jet<T, P> r(x.a - y.a);
  for (int i = 0; i < P; ++i) r.v[i] = x.v[i] - y.v[i];
  return r;
}
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator*(const Jet<T, P>& x, const Jet<T, P>& y) {
  Jet<T, P> r(x.a * y.a);
  for (int i = 0; i < P; ++i) r.v[i] = x.a * y.v[i] + y.a * x.v[i];
  return r;
}
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator/(const Jet<T, P>& x, const Jet<T, P>& y) {
  const T inv = T(1) / y.a;
  const T q = x.a * inv;
  Jet<T, P> r(q);
  for (int i = 0; i < P; ++i) r.v[i] = (x.v[i] - q * y.v[i]) * inv;
  return r;
}

template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator+(const Jet<T, P>& x, T s) { return chain(x, x.a + s, T(1)); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator+(T s, const Jet<T, P>& x) { return chain(x, x.a + s, T(1)); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator-(const Jet<T, P>& x, T s) { return chain(x, x.a - s, T(1)); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator-(T s, const Jet<T, P>& x) { return chain(x, s - x.a, T(-1)); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator*(const Jet<T, P>& x, T s) { return chain(x, x.a * s, s); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator*(T s, const Jet<T, P>& x) { return chain(x, x.a * s, s); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator/(const Jet<T, P>& x, T s) { return chain(x, x.a / s, T(1) / s); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> operator/(T s, const Jet<T, P>& x) {
  const T q = s / x.a;
  return chain(x, q, -q / x.a);
}

template <typename T, int P>
SF_HD SF_INLINE bool operator<(const Jet<T, P>& x, const Jet<T, P>& y) { return x.a < y.a; }
template <typename T, int P>
SF_HD SF_INLINE bool operator>(const Jet<T, P>& x, const Jet<T, P>& y) { return x.a > y.a; }

template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> exp(const Jet<T, P>& x) {
  const T e = exp(x.a);
  return chain(x, e, e);
}
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> log(const Jet<T, P>& x) { return chain(x, log(x.a), T(1) / x.a); }
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> log1p(const Jet<T, P>& x) {
  return chain(x, log1p(x.a), T(1) / (T(1) + x.a));
}
template <typename T, int P>
SF_HD SF_INLINE Jet<T, P> sqrt(const Jet<T, P>& x) {
  const T s = sqrt(x.a);
  return chain(x, s, T(0.5) / s);
}

}  // namespace shannonfit
