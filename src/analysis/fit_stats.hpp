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
// - Information criteria come from the likelihood whose maximum is the fit that was made, so
//   that ΔAIC between laws fitted the same way compares the objective the fit minimised. Each
//   counts k law parameters plus one scale τ, at its maximum-likelihood value:
//     least squares: the Gaussian density, τ = σ², τ̂ = RSS/n, ln ℒ = −n/2 · (ln(2π RSS/n) + 1);
//     Huber(δ): the density ∝ exp(−ρ_δ(r)/τ), whose normaliser is
//       Z(τ) = √(2πτ) erf(δ/√(2τ)) + (2τ/δ) exp(−δ²/(2τ)),  ln ℒ = −Σwρ_δ(r)/τ − n ln Z(τ),
//       maximised over τ numerically (it is concave in 1/τ). For any τ the Huber fit maximises
//       it over the law's parameters, so the pair is the joint maximum; as δ → ∞ it becomes the
//       Gaussian one. (A Gaussian likelihood at a Huber fit is not at its own maximum, and by how
//       much differs from law to law.)
//     AIC = 2(k+1) − 2 ln ℒ,  AICc = AIC + 2(k+1)(k+2)/(n−k−2),  BIC = (k+1) ln n − 2 ln ℒ.
// - Standard errors are asymptotic, J the Jacobian of the prediction in solver space at the
//   optimum, W the point weights (read as precision weights):
//     least squares: Cov = σ² (JᵀWJ)⁺, σ² = Σw r²/(n − k);
//     Huber: the M-estimator's sandwich Cov = c · A⁺ B A⁺ with A = Jᵀ W ψ'(r) J (ψ' = 1 inside
//       the quadratic zone, 0 outside) and B = Jᵀ W² ψ(r)² J (ψ the clamp of r to ±δ), and the
//       small-sample factor c = n/(n − k) · K², K = 1 + (k/n) Var(ψ')/E(ψ')² (Huber 1981,
//       Robust Statistics, §7.6); parameters along a direction A does not determine (fewer than
//       k points in the quadratic zone) get no SE.
//   Reported transforms (A = exp(a)) get the delta method: SE(A) = A · SE(a).
#include <string>
#include <utility>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// R² = 1 − Σw(y − ŷ)² / Σw(y − ȳ_w)², ȳ_w the weighted mean. `w` may be null (all ones).
// NaN ("n/a") when y has no spread beyond rounding: a spread of a few ulps of y is what the
// weighted mean of equal values leaves, and dividing by it gives a meaningless number.
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
// The Huber(δ) likelihood's criteria (see above) from the weighted residuals; the weights are
// normalised to mean 1 as in fit_quality. `w` may be null (all ones).
InformationCriteria huber_information_criteria(const std::vector<double>& residuals,
                                               const std::vector<double>* w, double delta, int k);

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
  std::string likelihood;  // which the criteria come from: "gaussian" or "huber(delta=...)"
};
// `weights`: per-row weights of this fit; null means the data's own weights (or all ones).
// `loss` and `huber_delta` are the fit's: they choose the likelihood of the criteria.
FitQuality fit_quality(const LawEntry& law, const double* params, const Dataset& data, Space space,
                       const std::vector<double>* weights = nullptr,
                       LossKind loss = LossKind::L2, double huber_delta = 0);

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
  std::string covariance_kind;     // "least-squares" or "sandwich" (see above)
};

// Everything above for one fit of `law` to `data`. `weights` as in fit_quality.
FitSummary summarize_fit(const LawEntry& law, const FitResult& fit, const Dataset& data,
                         const FitOptions& options, const std::vector<double>* weights = nullptr);

}  // namespace shannonfit
