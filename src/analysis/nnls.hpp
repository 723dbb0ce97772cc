#pragma once
// Nonnegative least squares for at most SeparableForm::kMaxTerms columns, exactly: every active
// set is tried.
//
// The problem arrives as its normal equations, G = Φᵀ W Φ (k × k, row-major) and r = Φᵀ W y,
// so that the objective is ½ cᵀ G c − cᵀ r (the weighted sum of squares, halved, less a
// constant). An NNLS optimum with support S is the unconstrained optimum on S, and one with a
// linearly independent support always exists, so the optimum is the best of the 2^k subset
// solves whose coefficients all come out positive; k <= 4 is 16 small Cholesky solves, cheap
// enough for every point of a start grid and free of an iterative method's tolerances.
namespace shannonfit {

struct NnlsResult {
  double c[4] = {0, 0, 0, 0};
  double objective = 0;  // ½ cᵀ G c − cᵀ r at c (0 for c = 0)
};

// k in [1, 4]. Columns with G_jj = 0 (a basis term that is zero at every weighted point) keep
// c_j = 0. Columns are scaled to unit diagonal first, so terms of very different magnitudes
// (N^-alpha next to 1) are judged singular by their angle, not their size.
NnlsResult nnls_normal(const double* gram, const double* rhs, int k);

}  // namespace shannonfit
