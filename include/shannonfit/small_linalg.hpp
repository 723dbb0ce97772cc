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

// In-place Cholesky of a dense P×P matrix (lower factor L in the lower triangle).
// Returns false when a pivot is not positive relative to the diagonal's scale.
template <typename T, int P>
SF_HD bool cholesky(T (&m)[P][P]) {
  for (int j = 0; j < P; ++j) {
    T d = m[j][j];
    for (int k = 0; k < j; ++k) d -= m[j][k] * m[j][k];
    if (!(d > T(0))) return false;
    const T ljj = sqrt(d);
    m[j][j] = ljj;
    for (int i = j + 1; i < P; ++i) {
      T s = m[i][j];
      for (int k = 0; k < j; ++k) s -= m[i][k] * m[j][k];
      m[i][j] = s / ljj;
    }
  }
  return true;
}

// Solves L Lᵀ x = b given the factor from cholesky().
template <typename T, int P>
SF_HD void cholesky_solve(const T (&l)[P][P], const T (&b)[P], T (&x)[P]) {
  for (int i = 0; i < P; ++i) {
    T s = b[i];
    for (int k = 0; k < i; ++k) s -= l[i][k] * x[k];
    x[i] = s / l[i][i];
  }
  for (int i = P - 1; i >= 0; --i) {
    T s = x[i];
    for (int k = i + 1; k < P; ++k) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
}

}  // namespace shannonfit
