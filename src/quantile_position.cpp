// The type-7 quantile definition every quantile of the project shares (declared in
// quantile_position.hpp). In the base library, since the CUDA library calls it too.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "quantile_position.hpp"

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

}  // namespace shannonfit
