#pragma once
// Starts for a formula law that is linear in some of its parameters (formula::LinearPart),
//   L = offset(theta) + sum_k c_k phi_k(theta),
// fitted on L (--space linear). With theta fixed, the c that fit best solve a linear
// least-squares problem exactly, so the fit reduces to one over theta alone (variable projection:
// Golub and Pereyra 1973; R's nls "plinear"), with fewer dimensions and wider basins:
//  - every start given (--start, or the law's grid) gets a twin: its theta refined by LM on the
//    reduced problem and its c solved there; the batch runs both;
//  - a law with the default start search searches theta by itself: kProjectedSamples draws of the
//    default search's distribution (its starts the first of them) are scored by the reduced
//    objective, and the kProjectedSeeds best, improved one coordinate at a time over a fine scan
//    of each axis (SearchAxis::scan) and then refined by LM, join the default search's starts.
// The reduced problem is least squares on L with the data's weights whatever the fit's loss: it
// only proposes starts, and the batch's LM from them, on the fit's own objective, decides.
#include <vector>

#include "shannonfit/formula/formula.hpp"
#include "shannonfit/linearize.hpp"

namespace shannonfit {

constexpr int kProjectedSamples = 4096;
constexpr int kProjectedSeeds = 16;

// The plan's starts (rows of P values in solver space) followed by their projected twins or,
// when `search`, by the search's starts. `weights` may be null (all 1); points.target is L.
std::vector<double> projected_starts(const formula::CompiledLaw& law,
                                     const PointsView<double>& points, const double* weights,
                                     const std::vector<double>& starts, bool search, int threads);

}  // namespace shannonfit
