#include "shannonfit/intervals.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <string>

#include "shannonfit/column_quantiles.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

void validate_level(double level) {
  if (!(level > 0 && level < 1))
    throw InputError("--level must lie strictly between 0 and 1 (got " + std::to_string(level) +
                     ")");
}

double normal_quantile(double p) { return boost::math::quantile(boost::math::normal(), p); }

double normal_cdf(double z) { return boost::math::cdf(boost::math::normal(), z); }

double quantile_sorted(const std::vector<double>& sorted, double q) {
  const long n = static_cast<long>(sorted.size());
  const QuantilePosition at = quantile_position(n, std::clamp(q, 0.0, 1.0));
  return interpolate_quantile(sorted[at.lo], sorted[std::min(at.lo + 1, n - 1)], at.frac);
}

double jackknife_acceleration(const std::vector<double>& jackknife) {
  if (jackknife.size() < 2) return 0.0;
  double mean = 0;
  for (double v : jackknife) mean += v / static_cast<double>(jackknife.size());
  double s2 = 0, s3 = 0;
  for (double v : jackknife) {
    const double d = mean - v;
    s2 += d * d;
    s3 += d * d * d;
  }
  return s2 > 0 ? s3 / (6.0 * std::pow(s2, 1.5)) : 0.0;
}

Interval wilson_interval(long successes, long trials, double level) {
  if (trials <= 0) return {};
  const double z = normal_quantile(1 - (1 - level) / 2), n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n, z2n = z * z / n;
  const double centre = (p + z2n / 2) / (1 + z2n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

QuantityInterval bootstrap_interval(std::string name, double estimate, std::vector<double> boot,
                                    int invalid, const std::vector<double>& jackknife,
                                    double level, double asymptotic_se) {
  validate_level(level);
  QuantityInterval q;
  q.name = std::move(name);
  q.level = level;
  q.estimate = estimate;
  q.n = static_cast<int>(boot.size());
  q.invalid = invalid;
  q.jackknife_n = static_cast<int>(jackknife.size());
  const double tail = (1 - level) / 2;
  const double z = normal_quantile(1 - tail);
  q.asymptotic_se = asymptotic_se;
  if (std::isfinite(asymptotic_se)) q.asymptotic = {estimate - z * asymptotic_se, estimate + z * asymptotic_se};
  if (boot.empty()) return q;

  std::sort(boot.begin(), boot.end());
  double mean = 0;
  for (double v : boot) mean += v / static_cast<double>(boot.size());
  double ss = 0;
  for (double v : boot) ss += (v - mean) * (v - mean);
  q.mean = mean;
  q.se = boot.size() > 1 ? std::sqrt(ss / static_cast<double>(boot.size() - 1)) : 0.0;
  q.bias = mean - estimate;
  q.percentile = {quantile_sorted(boot, tail), quantile_sorted(boot, 1 - tail)};

  // Ties with the estimate count half, so a discrete bootstrap distribution centred on the
  // estimate gets z0 = 0.
  const auto below = std::lower_bound(boot.begin(), boot.end(), estimate) - boot.begin();
  const auto upto = std::upper_bound(boot.begin(), boot.end(), estimate) - boot.begin();
  const double share = (static_cast<double>(below) + 0.5 * static_cast<double>(upto - below)) /
                       static_cast<double>(boot.size());
  q.acceleration = jackknife_acceleration(jackknife);
  if (share <= 0 || share >= 1) return q;  // every value on one side: BCa is undefined
  q.z0 = normal_quantile(share);
  auto adjusted = [&](double zq) {
    const double t = q.z0 + zq;
    return normal_cdf(q.z0 + t / (1 - q.acceleration * t));
  };
  q.bca = {quantile_sorted(boot, adjusted(-z)), quantile_sorted(boot, adjusted(z))};
  return q;
}

}  // namespace shannonfit
