#include "analysis/uncertainty.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace shannonfit {

double delta_method_se(const Quantity& q, const double* params, int n_params,
                       const std::vector<double>& covariance) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (covariance.size() != static_cast<std::size_t>(n_params) * n_params) return nan;
  std::vector<double> p(params, params + n_params), grad(n_params, 0.0);
  for (int k = 0; k < n_params; ++k) {
    // Steps near the cube root of machine epsilon balance truncation against rounding.
    const double h = 6e-6 * std::max(1.0, std::abs(params[k]));
    p[k] = params[k] + h;
    const double up = q(p.data());
    p[k] = params[k] - h;
    const double down = q(p.data());
    p[k] = params[k];
    grad[k] = (up - down) / (2 * h);
    if (!std::isfinite(grad[k])) return nan;
  }
  double var = 0;
  for (int i = 0; i < n_params; ++i)
    for (int j = 0; j < n_params; ++j) {
      if (grad[i] == 0 || grad[j] == 0) continue;
      var += grad[i] * covariance[i * n_params + j] * grad[j];
    }
  return var >= 0 ? std::sqrt(var) : nan;
}

QuantityInterval quantity_interval(const BootstrapResult& run, std::string name, const Quantity& q,
                                   double level, const std::vector<double>& covariance) {
  std::vector<double> boot, jack;
  boot.reserve(run.resamples.size());
  int invalid = 0;
  for (const ResampleFit& f : run.resamples) {
    const double v = f.ok() ? q(f.params.data()) : std::numeric_limits<double>::quiet_NaN();
    if (std::isfinite(v))
      boot.push_back(v);
    else
      ++invalid;
  }
  for (const ResampleFit& f : run.jackknife) {
    if (!f.ok()) continue;
    const double v = q(f.params.data());
    if (std::isfinite(v)) jack.push_back(v);
  }
  const double* best = run.full.params.data();
  return bootstrap_interval(std::move(name), q(best), std::move(boot), invalid, jack, level,
                            delta_method_se(q, best, run.n_params, covariance));
}

std::vector<QuantityInterval> parameter_intervals(const BootstrapResult& run, const LawInfo& info,
                                                  double level,
                                                  const std::vector<double>& covariance) {
  std::vector<QuantityInterval> out;
  for (std::size_t k = 0; k < info.params.size(); ++k) {
    const bool exp = info.params[k].reported == Reported::Exp;
    const Quantity q = [k, exp](const double* p) { return exp ? std::exp(p[k]) : p[k]; };
    out.push_back(quantity_interval(run, info.params[k].reported_name, q, level, covariance));
  }
  return out;
}

}  // namespace shannonfit
