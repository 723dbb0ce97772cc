#pragma once
// The one quantile definition of the project: linear interpolation between order statistics
// (Hyndman & Fan type 7, numpy's and R's default). The CPU and CUDA column quantiles
// (cpu/column_quantiles.hpp) and the bootstrap intervals (analysis/intervals.hpp) all locate and
// interpolate through these, so equal inputs give bit-identical quantiles on every path. In the
// base library, since the CUDA library calls it too.
#include <vector>

namespace shannonfit {

// Where quantile p of n sorted values lies: sorted[lo] + frac × (sorted[lo + 1] − sorted[lo]),
// with lo + 1 clamped to n − 1.
struct QuantilePosition {
  long lo;
  double frac;
};
QuantilePosition quantile_position(long n, double p);
double interpolate_quantile(double at_lo, double at_next, double frac);

// Throws std::invalid_argument for an empty table, a non-finite value or p outside [0, 1].
void check_quantile_request(const double* values, long rows, int cols,
                            const std::vector<double>& probs);

}  // namespace shannonfit
