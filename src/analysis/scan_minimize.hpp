#pragma once
// Global minimum of a 1-D function on an interval: an even scan first, so that Brent's method
// starts in the basin of the lowest scan point even when the function has several local minima,
// then Brent (Boost.Math) between that point's neighbours. A minimiser on an end of the interval
// is flagged: the true minimum may lie beyond it. Non-finite values count as +∞.
// Used for compute-optimal allocation (minimise over ln N at fixed compute) and for the loss
// basin (minimise over ln D at fixed N).
#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <limits>

namespace shannonfit {

struct ScanMinimum {
  double arg = 0, value = 0;
  bool on_bound = false;  // within 1e-6 of the interval's width from an end
  bool ok = false;        // false: the function is not finite anywhere on the scan
};

template <class F>
ScanMinimum scan_minimize(F&& f, double lo, double hi, int scan = 128) {
  ScanMinimum out;
  const auto g = [&](double t) {
    const double v = f(t);
    return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
  };
  const double step = (hi - lo) / scan;
  int arg = 0;
  double fmin = g(lo);
  for (int i = 1; i <= scan; ++i) {
    const double v = g(lo + i * step);
    if (v < fmin) fmin = v, arg = i;
  }
  if (!std::isfinite(fmin)) return out;
  const double a = lo + std::max(arg - 1, 0) * step, b = lo + std::min(arg + 1, scan) * step;
  const auto r =
      boost::math::tools::brent_find_minima(g, a, b, std::numeric_limits<double>::digits / 2);
  out.arg = r.first;
  out.value = r.second;
  if (fmin < out.value) out.arg = lo + arg * step, out.value = fmin;
  out.on_bound = out.arg - lo < 1e-6 * (hi - lo) || hi - out.arg < 1e-6 * (hi - lo);
  out.ok = true;
  return out;
}

}  // namespace shannonfit
