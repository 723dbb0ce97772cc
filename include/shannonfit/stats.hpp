#pragma once
// What a fitted law says about the data: goodness of fit, information criteria, standard errors
// and which parameters the data actually identify. Host-only; used by `fit`, `compare` and the
// report.
//
// Conventions, stated once:
// - Residuals live in the space the fit used (Space::Log: ln L − ln L̂; Space::Linear: L − L̂).
//   R², RSS and the likelihood are all in that space; outputs say which.
// - Point weights w (the data's own, or bootstrap counts) are normalised to mean 1 over the
//   points with w > 0 for RSS, R² and the criteria, so that scaling all weights changes nothing
//   and n is the number of points used.
// - Information criteria use the Gaussian likelihood of the residuals with the maximum-
//   likelihood variance σ̂² = RSS/n, counting k law parameters plus σ²:
//     ln ℒ = −n/2 · (ln(2π RSS/n) + 1),  AIC = 2(k+1) − 2 ln ℒ,
//     AICc = AIC + 2(k+1)(k+2)/(n−k−2),  BIC = (k+1) ln n − 2 ln ℒ.
//   This holds whatever loss (L2 or Huber) chose the parameters; it is the usual convention for
//   comparing curve fits, and every law is scored the same way.
// - Standard errors are asymptotic: Cov = σ² (JᵀWJ)⁺ with σ² = Σw r²/(n − k), J the Jacobian of
//   the prediction in solver space at the optimum. Reported transforms (A = exp(a)) get the delta
//   method: SE(A) = A · SE(a).
#include <string>
#include <utility>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// R² = 1 − Σw(y − ŷ)² / Σw(y − ȳ_w)², ȳ_w the weighted mean. `w` may be null (all ones).
// NaN when y has no spread.
double r_squared(const std::vector<double>& y, const std::vector<double>& yhat,
                 const std::vector<double>* w = nullptr);

struct InformationCriteria {
  double log_likelihood;
  double aic;
  double aicc;  // NaN when n <= k + 2: the correction is undefined
  double bic;
};
// From the residual sum of squares of n points and k law parameters (σ² is counted on top).
InformationCriteria information_criteria(double rss, double n, int k);

// The fit's targets (ln L or L) and the law's predictions in `space`, one per row of `data`.
std::vector<double> targets(const Dataset& data, Space space);
std::vector<double> predict(const LawEntry& law, const double* params, const Dataset& data,
                            Space space);

struct FitQuality {
  Space space;   // the space of residuals, RSS and R²
  double n;      // points with positive weight
  int k;         // law parameters
  double rss;    // Σ w r², weights normalised (see above)
  double r2;
  InformationCriteria criteria;
};
// `weights`: per-row weights of this fit; null means the data's own weights (or all ones).
FitQuality fit_quality(const LawEntry& law, const double* params, const Dataset& data, Space space,
                       const std::vector<double>* weights = nullptr);

// Identifiability at the optimum. The scaled normal matrix S = D JᵀWJ D, D = diag(1/√(JᵀWJ)ᵢᵢ),
// is eigen-decomposed; an eigenvalue below `kFlatThreshold` times the largest marks a direction
// along which the fit does not change: the data cannot tell those parameter combinations apart.
constexpr double kFlatThreshold = 1e-10;
// A parameter takes part in a flat direction when its share of the scaled eigenvector exceeds
// this.
constexpr double kFlatComponent = 1e-3;

struct FlatDirection {
  double relative_eigenvalue;
  // Unit vector in solver-parameter space along which the fit is flat, restricted to the
  // parameters taking part: (solver parameter name, coefficient).
  std::vector<std::pair<std::string, double>> components;
};

struct Identifiability {
  std::vector<double> relative_eigenvalues;  // of S, ascending, divided by the largest
  std::vector<FlatDirection> flat;
  std::vector<bool> identified;              // per parameter: in no flat direction
  bool full_rank() const { return flat.empty(); }
  // Largest over smallest eigenvalue of S (infinite when rank-deficient).
  double condition_number() const;
};

// `packed_normal` is the packed upper triangle of JᵀWJ (FitResult::normal).
Identifiability identifiability(const LawInfo& info, const double* packed_normal,
                                double threshold = kFlatThreshold);

// `v` (solver space) within 1e-9 relative of either end of the parameter's box.
bool at_bound(const ParamSpec& spec, double v);

struct ParameterEstimate {
  std::string name;             // solver parameter, e.g. "a"
  double value;
  double se;                    // NaN when not identified
  std::string reported_name;    // what users read, e.g. "A"
  Reported reported;            // how reported_value follows from value
  double reported_value;
  double reported_se;           // delta method; NaN when not identified
  bool identified;
  bool at_bound;                // on a box bound: the SE ignores the constraint, read with care
};

struct FitSummary {
  std::vector<ParameterEstimate> params;
  FitQuality quality;
  Identifiability identifiability;
  double sigma2;                   // Σw r² / (n − k), raw weights; NaN when n <= k
  std::vector<double> covariance;  // P×P row-major, solver space; NaN in rows and columns of
                                   // parameters that are not identified
};

// Everything above for one fit of `law` to `data`. `weights` as in fit_quality.
FitSummary summarize_fit(const LawEntry& law, const FitResult& fit, const Dataset& data,
                         const FitOptions& options, const std::vector<double>* weights = nullptr);

}  // namespace shannonfit
