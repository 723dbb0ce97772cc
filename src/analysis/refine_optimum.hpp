#pragma once
// The last digits of a least-squares optimum. LM solves each step from J^T W J, which squares the
// Jacobian's condition number, and stops on tests of the objective, which is flat to rounding
// near the optimum: on an ill-conditioned problem (NIST's Lanczos, MGH10) its converged
// parameters carry fewer correct digits than the data determine. Gauss–Newton steps solved on a
// column-pivoted QR of W^1/2 J itself, from the chosen optimum, recover them (docs/results.md's
// certified-accuracy table).
//
// The steps are taken only while they contract (each at most kContraction of the last, the first
// at most kFirstStep of the parameters), so the refinement stays in the optimum's basin and
// ends where Gauss–Newton's fixed point is; a fit is left as it was when its loss is not least
// squares, it did not converge, a parameter sits on a bound, the Jacobian is rank-deficient (a
// flat direction has no best point to refine to), or the refined objective is higher beyond
// rounding.
#include "shannonfit/batch.hpp"

namespace shannonfit {

// Refines `fit` (params, cost, rss and normal) in place; true when it changed it.
bool refine_least_squares_optimum(const LawEntry& law, const Dataset& data,
                                  const FitOptions& options, FitResult& fit);

}  // namespace shannonfit
