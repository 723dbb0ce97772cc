#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "analysis/law_value.hpp"
#include "analysis/fit_stats.hpp"

namespace shannonfit {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<double>* effective_weights(const Dataset& data, const std::vector<double>* w) {
  if (w) return w;
  return data.weight.empty() ? nullptr : &data.weight;
}

double weight_at(const std::vector<double>* w, std::size_t i) { return w ? (*w)[i] : 1.0; }

}  // namespace

bool at_bound(const ParamSpec& spec, double v) {
  const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-9 * (1 + std::abs(b)); };
  return near(v, spec.lo) || near(v, spec.hi);
}

double r_squared(const std::vector<double>& y, const std::vector<double>& yhat,
                 const std::vector<double>* w) {
  double sw = 0, swy = 0, largest = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    sw += weight_at(w, i);
    swy += weight_at(w, i) * y[i];
    largest = std::max(largest, std::abs(y[i]));
  }
  const double mean = swy / sw;
  double rss = 0, tss = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double wi = weight_at(w, i);
    rss += wi * (y[i] - yhat[i]) * (y[i] - yhat[i]);
    tss += wi * (y[i] - mean) * (y[i] - mean);
  }
  // Equal values leave deviations from their computed mean of a few ulps each.
  const double rounding = 16 * std::numeric_limits<double>::epsilon() * largest;
  return tss > sw * rounding * rounding ? 1.0 - rss / tss : kNaN;
}

namespace {

InformationCriteria criteria_from(double log_likelihood, double n, int k) {
  const double kk = k + 1.0;  // the scale is estimated too
  InformationCriteria c;
  c.log_likelihood = log_likelihood;
  c.aic = 2 * kk - 2 * c.log_likelihood;
  c.aicc = n - kk - 1 > 0 ? c.aic + 2 * kk * (kk + 1) / (n - kk - 1) : kNaN;
  c.bic = kk * std::log(n) - 2 * c.log_likelihood;
  return c;
}

// ln Z(τ) of the Huber(δ) density ∝ exp(−ρ_δ(r)/τ), as a log-sum of its two parts (the
// quadratic core and the exponential tails) so that neither δ → 0 nor δ → ∞ overflows.
double huber_log_normaliser(double tau, double delta) {
  const double core = 0.5 * std::log(2 * M_PI * tau) + std::log(std::erf(delta / std::sqrt(2 * tau)));
  const double tails = std::log(2 * tau / delta) - delta * (delta / (2 * tau));
  const double top = std::max(core, tails);
  return top + std::log(std::exp(core - top) + std::exp(tails - top));
}

}  // namespace

InformationCriteria information_criteria(double rss, double n, int k) {
  return criteria_from(-0.5 * n * (std::log(2 * M_PI * rss / n) + 1), n, k);
}

InformationCriteria huber_information_criteria(const std::vector<double>& residuals,
                                               const std::vector<double>* w, double delta, int k) {
  double n = 0, sum_w = 0, sum_rho = 0;
  for (std::size_t i = 0; i < residuals.size(); ++i) {
    if (!(weight_at(w, i) > 0)) continue;
    n += 1;
    sum_w += weight_at(w, i);
    sum_rho += weight_at(w, i) * detail::huber_rho(residuals[i], delta);
  }
  sum_rho *= n / sum_w;
  if (!(sum_rho > 0)) return information_criteria(0, n, k);  // an exact fit: ln ℒ = +∞
  // −ln ℒ(τ) over u = ln τ. The maximum lies between τ = Σρ/n (all residuals in the tails: the
  // Laplace limit) and 2Σρ/n (all in the core: the Gaussian one); the bracket is wider than that
  // and the function is unimodal in u, so a golden-section search finds it.
  const auto negative = [&](double u) {
    const double tau = std::exp(u);
    return sum_rho / tau + n * huber_log_normaliser(tau, delta);
  };
  const double centre = std::log(sum_rho / n);
  double lo = centre - std::log(4.0), hi = centre + std::log(8.0);
  const double phi = 0.5 * (std::sqrt(5.0) - 1);
  double u1 = hi - phi * (hi - lo), u2 = lo + phi * (hi - lo);
  double f1 = negative(u1), f2 = negative(u2);
  for (int it = 0; it < 100; ++it) {
    if (f1 < f2) {
      hi = u2;
      u2 = u1;
      f2 = f1;
      u1 = hi - phi * (hi - lo);
      f1 = negative(u1);
    } else {
      lo = u1;
      u1 = u2;
      f1 = f2;
      u2 = lo + phi * (hi - lo);
      f2 = negative(u2);
    }
  }
  return criteria_from(-std::min(f1, f2), n, k);
}

std::vector<double> targets(const Dataset& data, Space space) {
  std::vector<double> y(data.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    y[i] = space == Space::Log ? std::log(data.loss[i]) : data.loss[i];
  return y;
}

std::vector<double> predict(const LawEntry& law, const double* params, const Dataset& data,
                            Space space) {
  std::vector<double> out(data.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = prediction_in_space(law, params, std::log(data.n[i]), std::log(data.d[i]),
                                 data.has_x() ? data.x[i] : 0.0, space);
  }
  return out;
}

FitQuality fit_quality(const LawEntry& law, const double* params, const Dataset& data, Space space,
                       const std::vector<double>* weights, LossKind loss, double huber_delta) {
  const std::vector<double>* w = effective_weights(data, weights);
  std::vector<double> y, yhat, wn;
  const std::vector<double> all_y = targets(data, space);
  const std::vector<double> all_yhat = predict(law, params, data, space);
  double sum_w = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!(weight_at(w, i) > 0)) continue;
    y.push_back(all_y[i]);
    yhat.push_back(all_yhat[i]);
    wn.push_back(weight_at(w, i));
    sum_w += weight_at(w, i);
  }
  FitQuality q;
  q.space = space;
  q.n = static_cast<double>(y.size());
  q.k = law.n_params;
  q.rss = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    wn[i] *= q.n / sum_w;
    q.rss += wn[i] * (y[i] - yhat[i]) * (y[i] - yhat[i]);
  }
  q.r2 = r_squared(y, yhat, &wn);
  if (loss == LossKind::Huber) {
    std::vector<double> residuals(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) residuals[i] = y[i] - yhat[i];
    q.criteria = huber_information_criteria(residuals, &wn, huber_delta, q.k);
    char label[64];
    std::snprintf(label, sizeof label, "huber(delta=%g)", huber_delta);
    q.likelihood = label;
  } else {
    q.criteria = information_criteria(q.rss, q.n, q.k);
    q.likelihood = "gaussian";
  }
  return q;
}

double Identifiability::condition_number() const {
  if (!full_rank() || relative_eigenvalues.empty()) return std::numeric_limits<double>::infinity();
  return 1.0 / relative_eigenvalues.front();
}

namespace {

Eigen::MatrixXd unpack(const double* packed, int p) {
  Eigen::MatrixXd m(p, p);
  int idx = 0;
  for (int i = 0; i < p; ++i)
    for (int j = i; j < p; ++j) m(i, j) = m(j, i) = packed[idx++];
  return m;
}

// A symmetric positive semi-definite matrix scaled to unit diagonal, its eigen-decomposition and
// the scale, shared by identifiability() and the covariances.
struct ScaledNormal {
  Eigen::VectorXd scale;  // D
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig;
  double largest;

  explicit ScaledNormal(const Eigen::MatrixXd& h) : scale(h.rows()) {
    for (int i = 0; i < h.rows(); ++i) scale(i) = h(i, i) > 0 ? 1.0 / std::sqrt(h(i, i)) : 1.0;
    eig.compute(scale.asDiagonal() * h * scale.asDiagonal());
    largest = eig.eigenvalues().maxCoeff();
  }
  ScaledNormal(const double* packed, int p) : ScaledNormal(unpack(packed, p)) {}
  double relative(int i) const { return largest > 0 ? eig.eigenvalues()(i) / largest : 0.0; }

  // D (Σ over determined eigen-directions of v vᵀ / λ) D: the pseudo-inverse, which for every
  // determined parameter equals what any generalised inverse would give. `determined[k]` is
  // cleared for each parameter taking part in a flat direction.
  Eigen::MatrixXd pseudo_inverse(std::vector<bool>& determined) const {
    const int p = static_cast<int>(scale.size());
    Eigen::MatrixXd inv = Eigen::MatrixXd::Zero(p, p);
    for (int i = 0; i < p; ++i) {
      const Eigen::VectorXd v = eig.eigenvectors().col(i);
      if (relative(i) >= kFlatThreshold) {
        inv += v * v.transpose() / eig.eigenvalues()(i);
        continue;
      }
      for (int k = 0; k < p; ++k)
        if (std::abs(v(k)) > kFlatComponent) determined[k] = false;
    }
    return scale.asDiagonal() * inv * scale.asDiagonal();
  }
};

// The Huber M-estimator's sandwich covariance with its small-sample factor (fit_stats.hpp). Clears
// `determined` for parameters along directions the bread does not fix.
Eigen::MatrixXd huber_sandwich(const LawEntry& law, const double* params, const Dataset& data,
                               const FitOptions& options, const std::vector<double>* w,
                               std::vector<bool>& determined) {
  const int p = law.n_params;
  const double delta = options.huber_delta;
  std::vector<Eigen::VectorXd> jacobian;
  std::vector<double> residual, weight;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double wi = weight_at(w, i);
    if (!(wi > 0)) continue;
    Eigen::VectorXd jac(p);
    const double f =
        prediction_in_space(law, params, std::log(data.n[i]), std::log(data.d[i]),
                            data.has_x() ? data.x[i] : 0.0, options.space, jac.data());
    const double y = options.space == Space::Log ? std::log(data.loss[i]) : data.loss[i];
    jacobian.push_back(std::move(jac));
    residual.push_back(y - f);
    weight.push_back(wi);
  }
  const double n = static_cast<double>(residual.size());
  // ψ'(r) = 1{|r| <= δ} estimates the density of the errors over [−δ, δ]. When δ is small
  // against the residuals' spread (the CLI's default 1e-3 against residuals of a few percent)
  // the points in that window are mostly those the fit itself interpolates, about as many as
  // there are parameters, and the bread comes out far too large (90% intervals covered 0.73-0.78
  // at δ = 1e-3 on Gaussian noise). Then the window is widened to h and the indicator scaled by
  // δ/h, Powell's (1991) kernel estimate of the bread in the least-absolute-deviations limit;
  // h = 1.4826 MAD(r) · n^(-1/5) · 1.5, a rule-of-thumb window (about Silverman's for a uniform
  // kernel). With δ >= h it is Huber's own ψ'.
  std::vector<double> abs_r(residual.size());
  for (std::size_t i = 0; i < residual.size(); ++i) abs_r[i] = std::abs(residual[i]);
  std::vector<double> sorted = abs_r;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double mad = sorted.empty() ? 0.0 : sorted[sorted.size() / 2];
  const double window = std::max(delta, 1.5 * 1.4826 * mad * std::pow(n, -0.2));
  Eigen::MatrixXd bread = Eigen::MatrixXd::Zero(p, p), meat = Eigen::MatrixXd::Zero(p, p);
  double sum_w = 0, sum_slope = 0, sum_slope_sq = 0;
  for (std::size_t i = 0; i < residual.size(); ++i) {
    const double wi = weight[i];
    const double slope = abs_r[i] <= window ? delta / window : 0.0;
    const double psi = std::clamp(residual[i], -delta, delta);
    bread += wi * slope * jacobian[i] * jacobian[i].transpose();
    meat += wi * wi * psi * psi * jacobian[i] * jacobian[i].transpose();
    sum_w += wi;
    sum_slope += wi * slope;
    sum_slope_sq += wi * slope * slope;
  }
  const double mean_slope = sum_slope / sum_w;
  const double var_slope = sum_slope_sq / sum_w - mean_slope * mean_slope;
  const double huber_k = 1 + (p / n) * var_slope / (mean_slope * mean_slope);
  const double factor = n > p && mean_slope > 0 ? n / (n - p) * huber_k * huber_k : kNaN;
  const Eigen::MatrixXd inv = ScaledNormal(bread).pseudo_inverse(determined);
  return factor * inv * meat * inv;
}

}  // namespace

Identifiability identifiability(const LawInfo& info, const double* packed_normal,
                                double threshold) {
  const int p = static_cast<int>(info.params.size());
  const ScaledNormal s(packed_normal, p);
  Identifiability id;
  id.identified.assign(p, true);
  for (int i = 0; i < p; ++i) {
    id.relative_eigenvalues.push_back(s.relative(i));
    if (s.relative(i) >= threshold) continue;
    const Eigen::VectorXd scaled = s.eig.eigenvectors().col(i);
    const Eigen::VectorXd direction = (s.scale.asDiagonal() * scaled).normalized();
    FlatDirection flat{s.relative(i), {}};
    for (int k = 0; k < p; ++k) {
      if (std::abs(scaled(k)) <= kFlatComponent) continue;
      id.identified[k] = false;
      flat.components.emplace_back(info.params[k].name, direction(k));
    }
    id.flat.push_back(std::move(flat));
  }
  return id;
}

FitSummary summarize_fit(const LawEntry& law, const FitResult& fit, const Dataset& data,
                         const FitOptions& options, const std::vector<double>* weights) {
  const int p = law.n_params;
  FitSummary s;
  s.quality = fit_quality(law, fit.params.data(), data, options.space, weights, options.loss,
                          options.huber_delta);
  s.identifiability = identifiability(law.info, fit.normal.data());

  // σ² from the raw weights: it must carry the same weight scale as JᵀWJ.
  const std::vector<double>* w = effective_weights(data, weights);
  const std::vector<double> y = targets(data, options.space);
  const std::vector<double> yhat = predict(law, fit.params.data(), data, options.space);
  double rss_raw = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    rss_raw += weight_at(w, i) * (y[i] - yhat[i]) * (y[i] - yhat[i]);
  s.sigma2 = s.quality.n > p ? rss_raw / (s.quality.n - p) : kNaN;

  std::vector<bool> determined = s.identifiability.identified;
  Eigen::MatrixXd cov;
  if (options.loss == LossKind::Huber) {
    cov = huber_sandwich(law, fit.params.data(), data, options, w, determined);
    s.covariance_kind = "sandwich";
  } else {
    cov = s.sigma2 * ScaledNormal(fit.normal.data(), p).pseudo_inverse(determined);
    s.covariance_kind = "least-squares";
  }
  s.covariance.assign(static_cast<std::size_t>(p) * p, kNaN);
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j)
      if (determined[i] && determined[j]) s.covariance[i * p + j] = cov(i, j);

  for (int k = 0; k < p; ++k) {
    const ParamSpec& spec = law.info.params[k];
    ParameterEstimate e;
    e.name = spec.name;
    e.value = fit.params[k];
    e.identified = s.identifiability.identified[k];
    e.se = determined[k] ? std::sqrt(cov(k, k)) : kNaN;
    e.reported_name = spec.reported_name;
    e.reported = spec.reported;
    const bool exp = spec.reported == Reported::Exp;
    e.reported_value = exp ? std::exp(e.value) : e.value;
    e.reported_se = exp ? e.reported_value * e.se : e.se;
    e.at_bound = at_bound(spec, e.value);
    s.params.push_back(std::move(e));
  }
  return s;
}

}  // namespace shannonfit
