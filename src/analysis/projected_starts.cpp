#include "analysis/projected_starts.hpp"

#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "shannonfit/formula/evaluate.hpp"

namespace shannonfit {
namespace {

using formula::CompiledLaw;
using formula::LinearPart;

// Values per axis of a coordinate scan, and scans of every axis per seed.
constexpr int kScanPoints = 400;
constexpr int kScanSweeps = 3;
constexpr int kReducedIterations = 200;

// The reduced problem at one theta: the residuals W^1/2 (y - offset - Phi c) with c solved.
class Projection {
 public:
  Projection(const CompiledLaw& law, const PointsView<double>& points, const double* weights)
      : law_(law), part_(*law.linear), points_(points), root_w_(points.n), x_(points.n, 0.0) {
    for (int i = 0; i < points.n; ++i) root_w_[i] = std::sqrt(weights ? weights[i] : 1.0);
    if (points.x) std::copy(points.x, points.x + points.n, x_.begin());
  }

  int theta_size() const { return static_cast<int>(part_.theta.size()); }
  int points() const { return points_.n; }

  // params: the law's parameters in solver space, theta read from `theta`. On return the
  // coefficients hold c, `residuals` (when not null, n values) the residuals; the result is
  // the sum of squares, +inf when anything is not finite.
  double solve(const double* theta, double* params, double* residuals = nullptr) const {
    const int m = static_cast<int>(part_.coef_params.size()), n = points_.n;
    for (int j = 0; j < theta_size(); ++j) params[part_.theta[j]] = theta[j];
    // Column k of the weighted basis at a[k * n ...], the weighted target less the offset at b.
    thread_local std::vector<double> a, b;
    a.resize(static_cast<std::size_t>(n) * m);
    b.resize(n);
    evaluate(part_.offset, params, b.data());
    for (int k = 0; k < m; ++k) evaluate(part_.basis[k], params, a.data() + k * n);
    for (int i = 0; i < n; ++i) {
      b[i] = root_w_[i] * (points_.target[i] - b[i]);
      for (int k = 0; k < m; ++k) a[k * n + i] *= root_w_[i];
    }
    // The normal equations with unit-scaled columns and a ridge at rounding level: c need not be
    // exact (the batch's LM polishes it), only finite where the basis is nearly dependent.
    using Small = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kMaxParams, kMaxParams>;
    using SmallVector = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kMaxParams, 1>;
    Small normal(m, m);
    SmallVector rhs(m), scale(m);
    for (int k = 0; k < m; ++k) {
      const Eigen::Map<const Eigen::VectorXd> ak(a.data() + k * n, n);
      for (int l = 0; l <= k; ++l)
        normal(k, l) = normal(l, k) = ak.dot(Eigen::Map<const Eigen::VectorXd>(a.data() + l * n, n));
      rhs[k] = ak.dot(Eigen::Map<const Eigen::VectorXd>(b.data(), n));
    }
    if (!normal.allFinite() || !rhs.allFinite()) return kInf;
    for (int k = 0; k < m; ++k) scale[k] = normal(k, k) > 0 ? 1 / std::sqrt(normal(k, k)) : 0.0;
    normal = scale.asDiagonal() * normal * scale.asDiagonal();
    normal.diagonal().array() += 1e-13;
    const SmallVector c = scale.asDiagonal() * normal.ldlt().solve(scale.asDiagonal() * rhs);
    double rss = 0;
    for (int i = 0; i < n; ++i) {
      double ri = b[i];
      for (int k = 0; k < m; ++k) ri -= a[k * n + i] * c[k];
      if (residuals) residuals[i] = ri;
      rss += ri * ri;
    }
    if (!std::isfinite(rss)) return kInf;
    for (int k = 0; k < m; ++k) params[part_.coef_params[k]] = c[k];
    return rss;
  }

  double clamp(double v, int j) const {
    const ParamSpec& p = law_.info.params[part_.theta[j]];
    return std::min(std::max(v, p.lo), p.hi);
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  const CompiledLaw& law_;
  // A value tape at every point, kBlock points per dispatch.
  void evaluate(const formula::Tape& tape, const double* params, double* out) const {
    for (int i = 0; i < points_.n; i += kBlock) {
      const int m = std::min(kBlock, points_.n - i);
      formula::evaluate_block<kBlock, double, double>(tape, params, points_.ln_n + i,
                                                      points_.ln_d + i, x_.data() + i, m, out + i);
    }
  }

  static constexpr int kBlock = 16;
  const LinearPart& part_;
  const PointsView<double>& points_;
  std::vector<double> root_w_, x_;
};

// Levenberg–Marquardt on the reduced problem from theta (refined in place), with forward
// differences for its Jacobian; params ends at the refined theta and its c. Returns the sum of
// squares there.
double refine(const Projection& pr, std::vector<double>& theta, double* params) {
  const int q = pr.theta_size(), n = pr.points();
  Eigen::VectorXd r(n), shifted(n);
  std::vector<double> scratch(params, params + kMaxParams);
  double cost = pr.solve(theta.data(), params, r.data());
  if (!std::isfinite(cost) || q == 0) return cost;
  Eigen::MatrixXd jac(n, q);
  double lambda = 1e-3;
  for (int it = 0; it < kReducedIterations; ++it) {
    bool finite = true;
    for (int j = 0; j < q && finite; ++j) {
      std::vector<double> t = theta;
      const double h = 1e-7 * std::max(std::fabs(t[j]), 1e-6);
      t[j] += h;
      finite = std::isfinite(pr.solve(t.data(), scratch.data(), shifted.data()));
      jac.col(j) = (shifted - r) / h;
    }
    if (!finite) break;
    const Eigen::MatrixXd h = jac.transpose() * jac;
    const Eigen::VectorXd g = jac.transpose() * r;
    bool accepted = false;
    while (!accepted && lambda < 1e16) {
      Eigen::MatrixXd damped = h;
      for (int j = 0; j < q; ++j) damped(j, j) += lambda * std::max(h(j, j), 1e-300);
      const Eigen::VectorXd step = damped.ldlt().solve(-g);
      std::vector<double> t = theta;
      double step_norm = 0, theta_norm = 0;
      for (int j = 0; j < q; ++j) {
        t[j] = pr.clamp(theta[j] + step[j], j);
        step_norm += (t[j] - theta[j]) * (t[j] - theta[j]);
        theta_norm += theta[j] * theta[j];
      }
      if (!step.allFinite() || std::sqrt(step_norm) <= 1e-12 * (std::sqrt(theta_norm) + 1e-12))
        return cost;
      const double trial = pr.solve(t.data(), scratch.data(), shifted.data());
      if (trial < cost) {
        const bool small = cost - trial <= 1e-14 * cost;
        theta = t;
        cost = trial;
        r = shifted;
        std::copy(scratch.begin(), scratch.end(), params);
        lambda = std::max(lambda / 3, 1e-12);
        accepted = true;
        if (small) return cost;
      } else {
        lambda *= 4;
      }
    }
    if (!accepted) break;
  }
  return cost;
}

// Improves theta one axis at a time: each axis's scan values are tried with the others held,
// and the best kept, kScanSweeps times over.
void coordinate_scan(const Projection& pr, const LinearPart& part, const CompiledLaw& law,
                     std::vector<double>& theta, double* params) {
  double best = pr.solve(theta.data(), params);
  for (int sweep = 0; sweep < kScanSweeps; ++sweep) {
    for (std::size_t j = 0; j < theta.size(); ++j) {
      double keep = theta[j];
      for (double v : law.search[part.theta[j]].scan(kScanPoints)) {
        theta[j] = v;
        const double cost = pr.solve(theta.data(), params);
        if (cost < best) best = cost, keep = v;
      }
      theta[j] = keep;
    }
  }
}

}  // namespace

std::vector<double> projected_starts(const formula::CompiledLaw& law,
                                     const PointsView<double>& points, const double* weights,
                                     const std::vector<double>& starts, bool search, int threads) {
  const LinearPart& part = *law.linear;
  const int p = law.n_params(), q = static_cast<int>(part.theta.size());
  const Projection pr(law, points, weights);
  const int n_threads = threads > 0 ? threads : omp_get_max_threads();

  // Seeds: the plan's starts' theta, or the search's best scored draws (of which the default
  // search's starts are the first kDefaultSearchStarts).
  std::vector<std::vector<double>> seeds;
  const long n_starts = search ? 0 : static_cast<long>(starts.size()) / p;
  for (long s = 0; s < n_starts; ++s) {
    std::vector<double> theta(q);
    for (int j = 0; j < q; ++j) theta[j] = starts[s * p + part.theta[j]];
    seeds.push_back(std::move(theta));
  }
  const long searched_from = static_cast<long>(seeds.size());
  // A law linear in every parameter has one answer, the least-squares solve itself.
  if (search && q == 0) seeds.emplace_back();
  if (search && q > 0) {
    const std::vector<double> draws = formula::scattered_starts(law, kProjectedSamples);
    std::vector<double> score(kProjectedSamples);
#pragma omp parallel for schedule(static) num_threads(n_threads)
    for (int s = 0; s < kProjectedSamples; ++s) {
      double params[kMaxParams] = {};
      std::vector<double> theta(q);
      for (int j = 0; j < q; ++j) theta[j] = draws[static_cast<long>(s) * p + part.theta[j]];
      score[s] = pr.solve(theta.data(), params);
    }
    std::vector<int> order(kProjectedSamples);
    std::iota(order.begin(), order.end(), 0);
    // Ties (and +inf) keep draw order, so the seeds do not depend on the thread count.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] < score[b]; });
    for (int k = 0; k < kProjectedSeeds && std::isfinite(score[order[k]]); ++k) {
      std::vector<double> theta(q);
      for (int j = 0; j < q; ++j) theta[j] = draws[static_cast<long>(order[k]) * p + part.theta[j]];
      seeds.push_back(std::move(theta));
    }
  }

  std::vector<double> out(starts);
  out.resize(starts.size() + seeds.size() * p);
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads)
  for (long s = 0; s < static_cast<long>(seeds.size()); ++s) {
    double* row = out.data() + starts.size() + s * p;
    std::vector<double> theta = seeds[s];
    // Where the reduced problem has no finite answer the row stays the start it came from: a
    // plan's start, or a drawn theta with the other parameters at their defaults.
    if (s < searched_from) {
      std::copy(starts.begin() + s * p, starts.begin() + (s + 1) * p, row);
    } else {
      for (int k = 0; k < p; ++k) row[k] = law.info.params[k].fixed_value;
      for (int j = 0; j < q; ++j) row[part.theta[j]] = theta[j];
    }
    double params[kMaxParams] = {};
    std::copy(row, row + p, params);
    if (s >= searched_from) coordinate_scan(pr, part, law, theta, params);
    if (std::isfinite(refine(pr, theta, params))) std::copy(params, params + p, row);
  }
  return out;
}

}  // namespace shannonfit
