#pragma once
// Confidence intervals for one scalar quantity from its bootstrap distribution (percentile and
// BCa), its jackknife values (BCa acceleration), and an asymptotic standard error beside them.
// Host-only. Efron & Tibshirani (1993), ch. 13-14; quantiles by linear interpolation between
// order statistics (Hyndman & Fan type 7).
#include <limits>
#include <string>
#include <vector>

namespace shannonfit {

struct Interval {
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
};

struct QuantityInterval {
  std::string name;
  double level = 0.95;
  double estimate = std::numeric_limits<double>::quiet_NaN();  // from the full-data fit
  int n = 0;        // bootstrap values used (finite, from resamples whose fit succeeded)
  int invalid = 0;  // resamples left out: failed fit, or a quantity that is not finite there
  double mean = std::numeric_limits<double>::quiet_NaN();
  double se = std::numeric_limits<double>::quiet_NaN();    // bootstrap standard deviation
  double bias = std::numeric_limits<double>::quiet_NaN();  // mean − estimate
  Interval percentile;
  Interval bca;  // NaN when every bootstrap value lies on one side of the estimate
  double z0 = std::numeric_limits<double>::quiet_NaN();            // BCa bias correction
  double acceleration = std::numeric_limits<double>::quiet_NaN();  // 0 without a jackknife
  int jackknife_n = 0;
  double asymptotic_se = std::numeric_limits<double>::quiet_NaN();  // delta method; NaN: none
  Interval asymptotic;  // estimate ± z · asymptotic_se
};

// Throws InputError unless 0 < level < 1.
void validate_level(double level);

double normal_quantile(double p);
double normal_cdf(double z);

// Type-7 quantile of ascending `sorted` (non-empty), q in [0, 1].
double quantile_sorted(const std::vector<double>& sorted, double q);

// Efron's acceleration from jackknife (leave-one-out) values: Σd³ / (6 (Σd²)^{3/2}) with
// d = mean − value. 0 when there are fewer than 2 values or no spread.
double jackknife_acceleration(const std::vector<double>& jackknife);

// Wilson score interval for a binomial proportion (successes of trials) at `level`; better
// than the normal approximation near 0 and 1 (Brown, Cai & DasGupta 2001). NaN for 0 trials.
Interval wilson_interval(long successes, long trials, double level);

// Every interval of one quantity. `boot` holds the finite bootstrap values (any order); `invalid`
// how many resamples gave none; `jackknife` the finite leave-one-out values (may be empty: then
// the BCa interval is bias-corrected only). `asymptotic_se` may be NaN.
QuantityInterval bootstrap_interval(std::string name, double estimate, std::vector<double> boot,
                                    int invalid, const std::vector<double>& jackknife,
                                    double level, double asymptotic_se);

}  // namespace shannonfit
