#include "shannonfit/column_quantiles.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "shannonfit/errors.hpp"

#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_backend.hpp"
#endif

namespace shannonfit {

QuantilePosition quantile_position(long n, double p) {
  const double h = static_cast<double>(n - 1) * p;
  const long lo = std::min(static_cast<long>(h), n - 1);
  return {lo, h - static_cast<double>(lo)};
}

double interpolate_quantile(double at_lo, double at_next, double frac) {
  return frac == 0.0 ? at_lo : at_lo + frac * (at_next - at_lo);
}

void check_quantile_request(const double* values, long rows, int cols,
                            const std::vector<double>& probs) {
  if (rows < 1 || cols < 1) throw std::invalid_argument("column_quantiles: empty table");
  for (long i = 0; i < rows * cols; ++i)
    if (!std::isfinite(values[i]))
      throw std::invalid_argument("column_quantiles: non-finite value in row " +
                                  std::to_string(i / cols) + ", column " +
                                  std::to_string(i % cols));
  for (double p : probs)
    if (!(p >= 0.0 && p <= 1.0))
      throw std::invalid_argument("column_quantiles: probability outside [0, 1]");
}

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
