#include "cpu/column_quantiles.hpp"

#include <algorithm>

#include "shannonfit/errors.hpp"

#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_backend.hpp"
#endif

namespace shannonfit {

namespace {

std::vector<double> column_quantiles_cpu(const double* values, long rows, int cols,
                                         const std::vector<double>& probs) {
  check_quantile_request(values, rows, cols, probs);
  std::vector<double> out(static_cast<std::size_t>(cols) * probs.size());
  std::vector<double> column(static_cast<std::size_t>(rows));
  for (int c = 0; c < cols; ++c) {
    for (long r = 0; r < rows; ++r) column[r] = values[r * cols + c];
    std::sort(column.begin(), column.end());
    for (std::size_t q = 0; q < probs.size(); ++q) {
      const QuantilePosition at = quantile_position(rows, probs[q]);
      const long next = std::min(at.lo + 1, rows - 1);
      out[c * probs.size() + q] = interpolate_quantile(column[at.lo], column[next], at.frac);
    }
  }
  return out;
}

}  // namespace

std::vector<double> column_quantiles(const double* values, long rows, int cols,
                                     const std::vector<double>& probs, BackendKind backend) {
  const bool device = backend != BackendKind::Cpu && cuda_available();
  if (backend == BackendKind::Cuda && !device)
    throw InputError("--backend cuda: no CUDA device is visible on this machine");
#if SHANNONFIT_HAVE_CUDA
  if (device && (backend == BackendKind::Cuda || backend == BackendKind::Auto))
    return cuda::column_quantiles(values, rows, cols, probs);
#endif
  return column_quantiles_cpu(values, rows, cols, probs);
}

}  // namespace shannonfit
