#include "analysis/compute_optimal.hpp"

#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "shannonfit/errors.hpp"

namespace shannonfit {

void validate(const ComputeOptimalOptions& o, double budget) {
  if (!(budget > 0) || !std::isfinite(budget))
    throw InputError("--budget must be a positive number of FLOPs (got " + std::to_string(budget) +
                     ")");
  if (!(o.flops_per_token_param > 0))
    throw InputError("--flops-per-token-param must be positive (got " +
                     std::to_string(o.flops_per_token_param) + ")");
  if (!(o.n_min > 0 && o.n_min < o.n_max && o.d_min > 0 && o.d_min < o.d_max))
    throw InputError("compute-optimal search bounds must satisfy 0 < min < max for N and D");
}

Optimum compute_optimal(const LawEntry& law, const double* params, double budget,
                        const ComputeOptimalOptions& o) {
  Optimum best;
  const double ln_budget = std::log(budget / o.flops_per_token_param);  // ln(N D)
  const double lo = std::max(std::log(o.n_min), ln_budget - std::log(o.d_max));
  const double hi = std::min(std::log(o.n_max), ln_budget - std::log(o.d_min));
  if (!(lo < hi)) return best;
  const auto f = [&](double ln_n) {
    const double v = law.log_loss(params, ln_n, ln_budget - ln_n, o.x);
    return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
  };
  // A scan first, so that Brent starts in the basin of the global minimum of the range even
  // when the curve has several local ones.
  const int scan = 128;
  const double step = (hi - lo) / scan;
  int arg = 0;
  double fmin = f(lo);
  for (int i = 1; i <= scan; ++i) {
    const double v = f(lo + i * step);
    if (v < fmin) fmin = v, arg = i;
  }
  if (!std::isfinite(fmin)) return best;
  const double a = lo + std::max(arg - 1, 0) * step, b = lo + std::min(arg + 1, scan) * step;
  const auto r = boost::math::tools::brent_find_minima(f, a, b, std::numeric_limits<double>::digits / 2);
  double ln_n = r.first, value = r.second;
  if (fmin < value) ln_n = lo + arg * step, value = fmin;
  best.n = std::exp(ln_n);
  best.d = std::exp(ln_budget - ln_n);
  best.loss = std::exp(value);
  best.on_bound = ln_n - lo < 1e-6 * (hi - lo) || hi - ln_n < 1e-6 * (hi - lo);
  best.ok = true;
  return best;
}

double chinchilla_optimal_n(const double* p, double budget, double k) {
  const double alpha = p[3], beta = p[4];
  const double g = std::pow(alpha * std::exp(p[0]) / (beta * std::exp(p[1])), 1 / (alpha + beta));
  return g * std::pow(budget / k, beta / (alpha + beta));
}

}  // namespace shannonfit
