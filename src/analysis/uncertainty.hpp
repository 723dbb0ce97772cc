#pragma once
// Intervals for anything computed from a law's parameters (the parameters themselves in reported
// form, predictions, compute-optimal N*, D*, L*), from one bootstrap run.
#include <functional>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/intervals.hpp"

namespace shannonfit {

// A scalar function of solver-space parameters. Returning NaN marks the quantity undefined for
// that parameter vector (counted as invalid, never averaged in).
using Quantity = std::function<double(const double* solver_params)>;

// Delta-method standard error sqrt(gᵀ Σ g), g by central differences in solver space. `covariance`
// is P×P row-major (solver space); NaN when it is empty or the quantity depends on a parameter
// whose variance is not identified (NaN).
double delta_method_se(const Quantity& q, const double* params, int n_params,
                       const std::vector<double>& covariance);

QuantityInterval quantity_interval(const BootstrapResult& run, std::string name, const Quantity& q,
                                   double level, const std::vector<double>& covariance);

// One interval per parameter, as users read it (A, not ln A).
std::vector<QuantityInterval> parameter_intervals(const BootstrapResult& run, const LawInfo& info,
                                                  double level,
                                                  const std::vector<double>& covariance);

}  // namespace shannonfit
