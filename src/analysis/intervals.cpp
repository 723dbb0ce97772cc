#include "analysis/intervals.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "quantile_position.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

namespace {

double upper_normal_quantile(double level) { return normal_quantile(1 - (1 - level) / 2); }

Interval percentile(const IntervalSample& s) {
  if (s.sorted.empty()) return {};
  const double tail = (1 - s.level) / 2;
  return {quantile_sorted(s.sorted, tail), quantile_sorted(s.sorted, 1 - tail)};
}

// The percentile interval at levels moved by the bias correction z0 and the acceleration
// (Efron & Tibshirani 1993, eq. 14.9-14.10).
Interval bca(const IntervalSample& s) {
  if (s.sorted.empty() || !std::isfinite(s.z0)) return {};
  const double z = upper_normal_quantile(s.level);
  auto adjusted = [&](double zq) {
    const double t = s.z0 + zq;
    return normal_cdf(s.z0 + t / (1 - s.acceleration * t));
  };
  return {quantile_sorted(s.sorted, adjusted(-z)), quantile_sorted(s.sorted, adjusted(z))};
}

// The percentile interval reflected about the estimate: 2θ̂ − q(1 − α/2), 2θ̂ − q(α/2)
// (Davison & Hinkley 1997, eq. 5.6).
Interval basic(const IntervalSample& s) {
  const Interval p = percentile(s);
  return {2 * s.estimate - p.hi, 2 * s.estimate - p.lo};
}

Interval asymptotic(const IntervalSample& s) {
  if (!std::isfinite(s.asymptotic_se)) return {};
  const double z = upper_normal_quantile(s.level);
  return {s.estimate - z * s.asymptotic_se, s.estimate + z * s.asymptotic_se};
}

// The registry: a new method is its function above and one line here. The first is the
// fallback, defined whenever one bootstrap value is.
const std::vector<IntervalMethod>& registry() {
  static const std::vector<IntervalMethod> methods = {
      {"percentile", "percentile",
       "quantiles of the bootstrap distribution at (1 - level)/2 and (1 + level)/2", &percentile,
       true},
      {"bca", "BCa",
       "bias-corrected and accelerated percentile (Efron 1987): quantile levels moved by the "
       "bootstrap's bias and the jackknife's skewness",
       &bca, false},
      {"basic", "basic", "the percentile interval reflected about the estimate (reverse percentile)",
       &basic, false},
      {"asymptotic", "asymptotic",
       "estimate +/- z * the delta-method standard error from the full fit's covariance",
       &asymptotic, false},
  };
  return methods;
}

std::size_t method_index(std::string_view name) {
  for (std::size_t i = 0; i < registry().size(); ++i)
    if (registry()[i].name == name) return i;
  return registry().size();
}

std::string method_names() {
  std::string out;
  for (const IntervalMethod& m : registry()) out += (out.empty() ? "" : ", ") + std::string(m.name);
  return out;
}

}  // namespace

bool Interval::defined() const { return std::isfinite(lo) && std::isfinite(hi); }

const std::vector<IntervalMethod>& interval_methods() { return registry(); }

const IntervalMethod& find_interval_method(std::string_view name) {
  const std::size_t i = method_index(name);
  if (i == registry().size())
    throw InputError("unknown interval method '" + std::string(name) + "' (choose from " +
                     method_names() + ")");
  return registry()[i];
}

const IntervalMethod& default_interval_method() { return find_interval_method("bca"); }

const IntervalMethod& fallback_interval_method() { return registry().front(); }

const Interval& QuantityInterval::interval(std::string_view method) const {
  static const Interval undefined;
  const std::size_t i = method_index(method);
  if (i == registry().size())
    throw std::invalid_argument("QuantityInterval::interval: no method '" + std::string(method) +
                                "'");
  return i < by_method.size() ? by_method[i] : undefined;
}

ShownInterval shown(const QuantityInterval& q, const IntervalMethod& method) {
  const Interval& asked = q.interval(method.name);
  if (asked.defined() || &method == &fallback_interval_method()) return {asked, &method};
  const IntervalMethod& fallback = fallback_interval_method();
  return {q.interval(fallback.name), &fallback};
}

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
  q.asymptotic_se = asymptotic_se;
  std::sort(boot.begin(), boot.end());
  if (!boot.empty()) {
    double mean = 0;
    for (double v : boot) mean += v / static_cast<double>(boot.size());
    double ss = 0;
    for (double v : boot) ss += (v - mean) * (v - mean);
    q.mean = mean;
    q.se = boot.size() > 1 ? std::sqrt(ss / static_cast<double>(boot.size() - 1)) : 0.0;
    q.bias = mean - estimate;
    q.acceleration = jackknife_acceleration(jackknife);
    // Ties with the estimate count half, so a discrete bootstrap distribution centred on the
    // estimate gets z0 = 0. Every value on one side leaves z0 (and so BCa) undefined.
    const auto below = std::lower_bound(boot.begin(), boot.end(), estimate) - boot.begin();
    const auto upto = std::upper_bound(boot.begin(), boot.end(), estimate) - boot.begin();
    const double share = (static_cast<double>(below) + 0.5 * static_cast<double>(upto - below)) /
                         static_cast<double>(boot.size());
    if (share > 0 && share < 1) q.z0 = normal_quantile(share);
  }
  const IntervalSample sample{estimate, level, boot, q.z0, q.acceleration, asymptotic_se};
  for (const IntervalMethod& m : registry()) q.by_method.push_back(m.compute(sample));
  return q;
}

QuantityInterval new_run_interval(std::string name, double estimate, std::vector<double> draws,
                                  int invalid, double level) {
  QuantityInterval q = bootstrap_interval(std::move(name), estimate, std::move(draws), invalid,
                                          {}, level, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < registry().size(); ++i)
    if (!registry()[i].for_new_run) q.by_method[i] = {};
  q.z0 = std::numeric_limits<double>::quiet_NaN();
  return q;
}

}  // namespace shannonfit
