#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "shannonfit/stats.hpp"

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
  double sw = 0, swy = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    sw += weight_at(w, i);
    swy += weight_at(w, i) * y[i];
  }
  const double mean = swy / sw;
  double rss = 0, tss = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double wi = weight_at(w, i);
    rss += wi * (y[i] - yhat[i]) * (y[i] - yhat[i]);
    tss += wi * (y[i] - mean) * (y[i] - mean);
  }
  return tss > 0 ? 1.0 - rss / tss : kNaN;
}

InformationCriteria information_criteria(double rss, double n, int k) {
  const double kk = k + 1.0;  // σ² is estimated too
  InformationCriteria c;
  c.log_likelihood = -0.5 * n * (std::log(2 * M_PI * rss / n) + 1);
  c.aic = 2 * kk - 2 * c.log_likelihood;
  c.aicc = n - kk - 1 > 0 ? c.aic + 2 * kk * (kk + 1) / (n - kk - 1) : kNaN;
  c.bic = kk * std::log(n) - 2 * c.log_likelihood;
  return c;
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
    const double f = law.log_loss(params, std::log(data.n[i]), std::log(data.d[i]),
                                  data.has_x() ? data.x[i] : 0.0);
    out[i] = space == Space::Log ? f : std::exp(f);
  }
  return out;
}

FitQuality fit_quality(const LawEntry& law, const double* params, const Dataset& data, Space space,
                       const std::vector<double>* weights) {
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
  q.criteria = information_criteria(q.rss, q.n, q.k);
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

// The scaled normal matrix, its eigen-decomposition and the scale, shared by identifiability()
// and the covariance.
struct ScaledNormal {
  Eigen::VectorXd scale;  // D
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig;
  double largest;

  ScaledNormal(const double* packed, int p) : scale(p) {
    const Eigen::MatrixXd h = unpack(packed, p);
    for (int i = 0; i < p; ++i) scale(i) = h(i, i) > 0 ? 1.0 / std::sqrt(h(i, i)) : 1.0;
    eig.compute(scale.asDiagonal() * h * scale.asDiagonal());
    largest = eig.eigenvalues().maxCoeff();
  }
  double relative(int i) const { return largest > 0 ? eig.eigenvalues()(i) / largest : 0.0; }
};

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
  s.quality = fit_quality(law, fit.params.data(), data, options.space, weights);
  s.identifiability = identifiability(law.info, fit.normal.data());

  // σ² from the raw weights: it must carry the same weight scale as JᵀWJ.
  const std::vector<double>* w = effective_weights(data, weights);
  const std::vector<double> y = targets(data, options.space);
  const std::vector<double> yhat = predict(law, fit.params.data(), data, options.space);
  double rss_raw = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    rss_raw += weight_at(w, i) * (y[i] - yhat[i]) * (y[i] - yhat[i]);
  s.sigma2 = s.quality.n > p ? rss_raw / (s.quality.n - p) : kNaN;

  // σ² D (Σ over identified eigen-directions of v vᵀ / λ) D: the pseudo-inverse, which for every
  // identified parameter equals what any generalised inverse would give.
  const ScaledNormal sn(fit.normal.data(), p);
  Eigen::MatrixXd inv = Eigen::MatrixXd::Zero(p, p);
  for (int i = 0; i < p; ++i) {
    if (sn.relative(i) < kFlatThreshold) continue;
    const Eigen::VectorXd v = sn.eig.eigenvectors().col(i);
    inv += v * v.transpose() / sn.eig.eigenvalues()(i);
  }
  const Eigen::MatrixXd cov = s.sigma2 * (sn.scale.asDiagonal() * inv * sn.scale.asDiagonal());
  s.covariance.assign(static_cast<std::size_t>(p) * p, kNaN);
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j)
      if (s.identifiability.identified[i] && s.identifiability.identified[j])
        s.covariance[i * p + j] = cov(i, j);

  for (int k = 0; k < p; ++k) {
    const ParamSpec& spec = law.info.params[k];
    ParameterEstimate e;
    e.name = spec.name;
    e.value = fit.params[k];
    e.identified = s.identifiability.identified[k];
    e.se = e.identified ? std::sqrt(cov(k, k)) : kNaN;
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
