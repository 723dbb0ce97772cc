#pragma once
// Quantiles of the columns of a table (one row per bootstrap resample, one column per
// parameter), with one definition for every backend (quantile_position.hpp). The CUDA path
// sorts on the device and brings back only the two order statistics around each quantile; the
// interpolation runs on the host for both paths, so equal inputs give bit-identical quantiles.
#include <vector>

#include "quantile_position.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit {

// cols × probs.size() values, column-major: result[c * probs.size() + q] is quantile probs[q]
// of column c of the row-major rows × cols table `values`. Cpu sorts on the host; Cuda on the
// device (InputError when no device); Auto picks CUDA when a device is there. Throws
// std::invalid_argument as check_quantile_request does.
std::vector<double> column_quantiles(const double* values, long rows, int cols,
                                     const std::vector<double>& probs,
                                     BackendKind backend = BackendKind::Cpu);

}  // namespace shannonfit
