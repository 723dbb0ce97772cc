#pragma once
// Fixed-size symmetric positive-definite algebra for the per-fit solver: no heap, no pivoting
// (the matrices are damped normal equations), usable on host and device.
#include "shannonfit/config.hpp"

namespace shannonfit {

// Packed upper triangle of a symmetric P×P matrix, row-major: (i, j) with i <= j.
template <int P>
SF_HD constexpr int packed_index(int i, int j) {
  return i <= j ? i * P - i * (i - 1) / 2 + (j - i) : j * P - j * (j - 1) / 2 + (i - j);
}
template <int P>
constexpr int packed_size() { return P * (P + 1) / 2; }

// In-place Cholesky of a packed symmetric P×P matrix: the lower factor L overwrites it, L(i, j)
// (i >= j) at packed_index<P>(j, i). Packed, the damped normal matrix and its factor share one
// array of P(P+1)/2 values; a dense copy beside the packed normal matrix would be the largest
// block of a device thread's state (81 doubles at P = 9) and, indexed in loops, live in local
// memory. The operations and their order are those of the textbook dense loop.
// Returns false when a pivot is not positive.
template <typename T, int P>
SF_HD SF_INLINE bool cholesky_packed(T (&m)[packed_size<P>()]) {
  SF_UNROLL
  for (int j = 0; j < P; ++j) {
    T d = m[packed_index<P>(j, j)];
    SF_UNROLL
    for (int k = 0; k < j; ++k) d -= m[packed_index<P>(k, j)] * m[packed_index<P>(k, j)];
    if (!(d > T(0))) return false;
    const T ljj = sqrt(d);
    m[packed_index<P>(j, j)] = ljj;
    SF_UNROLL
    for (int i = j + 1; i < P; ++i) {
      T s = m[packed_index<P>(j, i)];
      SF_UNROLL
      for (int k = 0; k < j; ++k) s -= m[packed_index<P>(k, i)] * m[packed_index<P>(k, j)];
      m[packed_index<P>(j, i)] = s / ljj;
    }
  }
  return true;
}

// Solves L Lᵀ x = b in place (x holds b on entry) given the factor from cholesky_packed().
template <typename T, int P>
SF_HD SF_INLINE void cholesky_solve_packed(const T (&l)[packed_size<P>()], T (&x)[P]) {
  SF_UNROLL
  for (int i = 0; i < P; ++i) {
    T s = x[i];
    SF_UNROLL
    for (int k = 0; k < i; ++k) s -= l[packed_index<P>(k, i)] * x[k];
    x[i] = s / l[packed_index<P>(i, i)];
  }
  SF_UNROLL
  for (int i = P - 1; i >= 0; --i) {
    T s = x[i];
    SF_UNROLL
    for (int k = i + 1; k < P; ++k) s -= l[packed_index<P>(i, k)] * x[k];
    x[i] = s / l[packed_index<P>(i, i)];
  }
}

}  // namespace shannonfit
