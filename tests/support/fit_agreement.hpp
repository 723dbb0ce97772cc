#pragma once
// Whether two fits of one law to one weighting of a dataset are the same fit, judged on what the
// data identify. Two correct solvers (CPU and CUDA, CPU and reference, or two solver policies)
// that follow slightly different paths can stop anywhere along a direction the data leave flat:
// on an H200, shannon-simple's ln a, ln c and ln d differed by 4.4 between CPU and GPU at equal
// cost. So the fits are compared on
//   - the cost (the objective both minimised),
//   - the fitted values at every point the weighting uses (what the law says about the data),
//   - the parameters that take part in no weakly determined direction, as identifiability()
//     (src/analysis/fit_stats.hpp) finds them from each fit's J^T W J, with its threshold
//     raised to `flat_threshold`,
//   - J^T W J itself, only when both fits determine every parameter.
// A real disagreement (another optimum, a wrong fit) changes the cost or the fitted values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/fit_stats.hpp"
#include "law_testing.hpp"

namespace shannonfit::lawtest {

struct AgreementTolerances {
  double cost;    // |Δcost| / max(|cost|): both minimised the same objective
  double fitted;  // |Δŷ| / max(1, |ŷ|) at every weighted point, in the fit's space
  double params;  // relative_error() of each well-determined parameter
  double normal;  // |Δ(J^T W J)| / its largest entry, when both fits determine every parameter
  // Directions of the scaled J^T W J whose eigenvalue is below this times the largest are weakly
  // determined: their parameters are not compared one by one.
  double flat_threshold;
};

// `weights`: the weighting's row of data.size() weights; null means every point counts.
inline ::testing::AssertionResult fits_agree(const LawEntry& law, const Dataset& data,
                                             Space space, const double* weights,
                                             const FitResult& a, const FitResult& b,
                                             const AgreementTolerances& tol) {
  const int p = law.n_params;
  const double cost_scale = std::max(std::abs(a.cost), std::abs(b.cost));
  if (!(std::abs(a.cost - b.cost) <= tol.cost * cost_scale))
    return ::testing::AssertionFailure()
           << "costs " << a.cost << " and " << b.cost << " differ by more than " << tol.cost
           << " relative";

  const std::vector<double> fa = predict(law, a.params.data(), data, space);
  const std::vector<double> fb = predict(law, b.params.data(), data, space);
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (weights && weights[i] == 0) continue;
    if (!(std::abs(fa[i] - fb[i]) <= tol.fitted * std::max(1.0, std::abs(fb[i]))))
      return ::testing::AssertionFailure()
             << "fitted values at row " << i << " (line " << data.line[i] << "): " << fa[i]
             << " vs " << fb[i] << ", beyond " << tol.fitted << " relative";
  }

  const Identifiability ia = identifiability(law.info, a.normal.data(), tol.flat_threshold);
  const Identifiability ib = identifiability(law.info, b.normal.data(), tol.flat_threshold);
  for (int k = 0; k < p; ++k) {
    if (!ia.identified[k] || !ib.identified[k]) continue;
    if (!(relative_error(a.params[k], b.params[k]) <= tol.params))
      return ::testing::AssertionFailure()
             << "parameter " << law.info.params[k].name << " (well determined): "
             << a.params[k] << " vs " << b.params[k] << ", beyond " << tol.params;
  }

  if (ia.full_rank() && ib.full_rank()) {
    const int h = p * (p + 1) / 2;
    double scale = 0;
    for (int k = 0; k < h; ++k) scale = std::max(scale, std::abs(b.normal[k]));
    for (int k = 0; k < h; ++k)
      if (!(std::abs(a.normal[k] - b.normal[k]) <= tol.normal * scale))
        return ::testing::AssertionFailure()
               << "J^T W J entry " << k << ": " << a.normal[k] << " vs " << b.normal[k];
  }
  return ::testing::AssertionSuccess();
}

}  // namespace shannonfit::lawtest
