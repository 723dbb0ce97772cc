#pragma once
// Quantiles of the columns of a table (one row per bootstrap resample, one column per
// parameter), with one definition for every backend: linear interpolation between order
// statistics (Hyndman & Fan type 7, numpy's and R's default). The CUDA path sorts on the device
// and brings back only the two order statistics around each quantile; the interpolation below
// runs on the host for both paths, so equal inputs give bit-identical quantiles.
#include <vector>

#include "shannonfit/batch.hpp"

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

// cols × probs.size() values, column-major: result[c * probs.size() + q] is quantile probs[q]
// of column c of the row-major rows × cols table `values`. Cpu sorts on the host; Cuda on the
// device (InputError when no device); Auto picks CUDA when a device is there.
std::vector<double> column_quantiles(const double* values, long rows, int cols,
                                     const std::vector<double>& probs,
                                     BackendKind backend = BackendKind::Cpu);

}  // namespace shannonfit
