#include "analysis/nnls.hpp"

#include <cmath>

namespace shannonfit {

namespace {

// After scaling to unit diagonal, a pivot this small means the chosen columns are dependent to
// within rounding: that active set is skipped (a smaller one spans the same fit).
constexpr double kSingularPivot = 1e-12;

// Solves a z = b in place for an m × m symmetric positive definite a (row-major, m <= 4) by
// Cholesky; false when a pivot is at most kSingularPivot.
bool cholesky_solve(double (&a)[4][4], double (&b)[4], int m) {
  for (int j = 0; j < m; ++j) {
    double d = a[j][j];
    for (int t = 0; t < j; ++t) d -= a[j][t] * a[j][t];
    if (!(d > kSingularPivot)) return false;
    a[j][j] = std::sqrt(d);
    for (int i = j + 1; i < m; ++i) {
      double v = a[i][j];
      for (int t = 0; t < j; ++t) v -= a[i][t] * a[j][t];
      a[i][j] = v / a[j][j];
    }
  }
  for (int i = 0; i < m; ++i) {
    for (int t = 0; t < i; ++t) b[i] -= a[i][t] * b[t];
    b[i] /= a[i][i];
  }
  for (int i = m; i-- > 0;) {
    for (int t = i + 1; t < m; ++t) b[i] -= a[t][i] * b[t];
    b[i] /= a[i][i];
  }
  return true;
}

}  // namespace

NnlsResult nnls_normal(const double* gram, const double* rhs, int k) {
  double scale[4] = {0, 0, 0, 0};
  for (int j = 0; j < k; ++j) {
    const double d = gram[j * k + j];
    if (d > 0 && std::isfinite(d)) scale[j] = 1.0 / std::sqrt(d);
  }
  NnlsResult best;
  for (int mask = 1; mask < (1 << k); ++mask) {
    int idx[4];
    int m = 0;
    bool usable = true;
    for (int j = 0; j < k; ++j) {
      if (!(mask >> j & 1)) continue;
      usable = usable && scale[j] > 0;
      idx[m++] = j;
    }
    if (!usable) continue;
    double a[4][4], z[4] = {0, 0, 0, 0};
    for (int i = 0; i < m; ++i) {
      z[i] = rhs[idx[i]] * scale[idx[i]];
      for (int t = 0; t < m; ++t)
        a[i][t] = gram[idx[i] * k + idx[t]] * scale[idx[i]] * scale[idx[t]];
    }
    const double b[4] = {z[0], z[1], z[2], z[3]};
    if (!cholesky_solve(a, z, m)) continue;
    bool positive = true;
    double objective = 0;
    for (int i = 0; i < m; ++i) {
      positive = positive && z[i] > 0;
      objective -= 0.5 * z[i] * b[i];
    }
    if (!positive || !(objective < best.objective)) continue;
    best = NnlsResult{};
    best.objective = objective;
    for (int i = 0; i < m; ++i) best.c[idx[i]] = z[i] * scale[idx[i]];
  }
  return best;
}

}  // namespace shannonfit
