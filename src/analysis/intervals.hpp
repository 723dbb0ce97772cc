#pragma once
// Confidence intervals for one scalar quantity from its bootstrap distribution, its jackknife
// values (BCa acceleration) and an asymptotic standard error beside them. Host-only. Efron &
// Tibshirani (1993), ch. 13-14; Davison & Hinkley (1997), §5.2-5.3; quantiles by linear
// interpolation between order statistics (Hyndman & Fan type 7, quantile_position.hpp).
//
// The interval methods are a registry, as scipy.stats.bootstrap's `method`: each is one function
// from an IntervalSample to an Interval, listed once in intervals.cpp. Everything else derives
// from that list: the CLI's --method choices and help, the JSON keys of interval_json, the
// tables' columns, the predict CSV's columns, and the Python module's `method=`.
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace shannonfit {

struct Interval {
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  bool defined() const;  // both ends finite
};

// What an interval method reads of one quantity's bootstrap.
struct IntervalSample {
  double estimate;                   // from the full-data fit
  double level;                      // coverage, in (0, 1)
  const std::vector<double>& sorted;  // the finite bootstrap values, ascending; may be empty
  double z0;            // BCa bias correction; NaN when every value lies on one side
  double acceleration;  // BCa acceleration from the jackknife; 0 without one
  double asymptotic_se;  // delta-method standard error; NaN: none
};

struct IntervalMethod {
  std::string_view name;         // --method's value, Python's method= and the JSON key
  std::string_view label;        // the tables' column heading
  std::string_view description;  // one line for --method's help and the docs
  Interval (*compute)(const IntervalSample& sample);  // NaN ends where it is undefined
  // Whether it applies to the loss of a new run (a prediction interval). That loss is a random
  // draw, not an estimator of a parameter, so corrections built on the estimator's sampling
  // distribution (bias correction, reflection about the estimate) have no meaning for it.
  bool for_new_run;
};

// Every interval method, in the order of the tables, the CSV columns and --method's choices.
const std::vector<IntervalMethod>& interval_methods();
// The method named `name`; InputError listing the choices for any other name.
const IntervalMethod& find_interval_method(std::string_view name);
// The method a reader is shown unless they pick another: BCa.
const IntervalMethod& default_interval_method();
// Shown where the method asked for is undefined for a quantity (BCa with every bootstrap value
// on one side of the estimate, the asymptotic interval without a covariance); defined whenever
// one bootstrap value is.
const IntervalMethod& fallback_interval_method();

struct QuantityInterval {
  std::string name;
  double level = 0.95;
  double estimate = std::numeric_limits<double>::quiet_NaN();  // from the full-data fit
  int n = 0;        // bootstrap values used (finite, from resamples whose fit succeeded)
  int invalid = 0;  // resamples left out: failed fit, or a quantity that is not finite there
  double mean = std::numeric_limits<double>::quiet_NaN();
  double se = std::numeric_limits<double>::quiet_NaN();    // bootstrap standard deviation
  double bias = std::numeric_limits<double>::quiet_NaN();  // mean − estimate
  double z0 = std::numeric_limits<double>::quiet_NaN();            // BCa bias correction
  double acceleration = std::numeric_limits<double>::quiet_NaN();  // 0 without a jackknife
  int jackknife_n = 0;
  double asymptotic_se = std::numeric_limits<double>::quiet_NaN();  // delta method; NaN: none
  std::vector<Interval> by_method;  // one per interval_methods(), in its order; empty: none

  // The interval of the method named `method` (undefined before bootstrap_interval filled
  // by_method); std::invalid_argument for an unknown name.
  const Interval& interval(std::string_view method) const;
};

// The interval shown for `q` under `method`, and the method that gave it: the fallback where
// `method`'s interval is undefined.
struct ShownInterval {
  Interval interval;
  const IntervalMethod* method;
};
ShownInterval shown(const QuantityInterval& q,
                    const IntervalMethod& method = default_interval_method());

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

// Every method's interval of one quantity. `boot` holds the finite bootstrap values (any
// order); `invalid` how many resamples gave none; `jackknife` the finite leave-one-out values
// (may be empty: then the BCa interval is bias-corrected only). `asymptotic_se` may be NaN.
QuantityInterval bootstrap_interval(std::string name, double estimate, std::vector<double> boot,
                                    int invalid, const std::vector<double>& jackknife,
                                    double level, double asymptotic_se);

// The interval of a new run's loss from its bootstrap draws: only the methods for_new_run,
// the others undefined (as is z0).
QuantityInterval new_run_interval(std::string name, double estimate, std::vector<double> draws,
                                  int invalid, double level);

}  // namespace shannonfit
