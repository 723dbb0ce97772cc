#pragma once
// The independent reference path: a plain, dense, double-precision Levenberg–Marquardt written
// with Eigen, sharing no code with the batch solver (lm.hpp, jet.hpp, small_linalg.hpp).
// Jacobians come from Eigen's AutoDiffScalar; the step uses classic Marquardt damping (×10/÷10)
// and an LDLT solve. It is slow on purpose: readable enough to trust, used to verify the fast
// paths in tests and available as --backend reference.
#include <Eigen/Dense>
#include <unsupported/Eigen/AutoDiff>
#include <cmath>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit::reference {

struct Problem {
  Eigen::VectorXd ln_n, ln_d, x, target, weight;
  Eigen::VectorXd lo, hi;
  FitOptions options;
};

// AD: the derivative type. A formula law's tape keeps its values in raw slots that are never
// destroyed (formula/evaluate.hpp), so it takes derivatives of a bounded size, held inline.
template <class Law, class AD = Eigen::AutoDiffScalar<Eigen::VectorXd>>
class Fitter {
 public:
  Fitter(const Law& law, const Problem& problem) : law_(law), pr_(problem) {}

  // Residuals r and Jacobian J at p.
  void residuals(const Eigen::VectorXd& p, Eigen::VectorXd& r, Eigen::MatrixXd* jac) const {
    const int n = static_cast<int>(pr_.target.size());
    const int k = static_cast<int>(p.size());
    r.resize(n);
    if (jac) jac->resize(n, k);
    std::vector<AD> pa(k);
    for (int j = 0; j < k; ++j) pa[j] = AD(p[j], k, j);
    for (int i = 0; i < n; ++i) {
      AD f = law_.template log_loss<AD, double>(pa.data(), pr_.ln_n[i], pr_.ln_d[i], pr_.x[i]);
      if (pr_.options.space == Space::Linear) f = exp(f);
      r[i] = f.value() - pr_.target[i];
      if (jac) jac->row(i) = f.derivatives().transpose();
    }
  }

  // Huber (or squared) cost and the IRLS weights psi(r)/r it implies.
  double cost(const Eigen::VectorXd& r, Eigen::VectorXd* irls) const {
    const double delta = pr_.options.huber_delta;
    const bool huber = pr_.options.loss == LossKind::Huber;
    double c = 0;
    if (irls) irls->setOnes(r.size());
    for (int i = 0; i < r.size(); ++i) {
      const double a = std::abs(r[i]);
      if (huber && a > delta) {
        c += pr_.weight[i] * delta * (a - 0.5 * delta);
        if (irls) (*irls)[i] = delta / a;
      } else {
        c += pr_.weight[i] * 0.5 * r[i] * r[i];
      }
    }
    return c;
  }

  FitResult fit(const Eigen::VectorXd& start) const {
    const int k = static_cast<int>(start.size());
    Eigen::VectorXd p = start.cwiseMax(pr_.lo).cwiseMin(pr_.hi);
    Eigen::VectorXd r, irls;
    Eigen::MatrixXd jac;
    residuals(p, r, &jac);
    double c = cost(r, &irls);
    FitResult out;
    out.n_params = k;
    out.status = FitStatus::MaxIterations;
    if (!std::isfinite(c) || !jac.allFinite()) {
      out.status = FitStatus::NonFinite;
      return finish(p, out);
    }
    double mu = 1e-3;
    // Generous iteration cap: ×10 damping wastes iterations and this path is never timed.
    const int max_iterations = 20 * pr_.options.max_iterations;
    for (int it = 1; it <= max_iterations; ++it) {
      out.iterations = it;
      const Eigen::VectorXd w = pr_.weight.cwiseProduct(irls);
      const Eigen::MatrixXd a = jac.transpose() * w.asDiagonal() * jac;
      const Eigen::VectorXd g = jac.transpose() * (w.cwiseProduct(r));
      if (gradient_converged(p, g, a.diagonal(), c)) {
        out.status = FitStatus::ConvergedGradient;
        break;
      }
      // Parameters on a bound that the gradient pushes outwards stay put; the step is solved for
      // the others (clipping a full step would crawl along the bound).
      Eigen::MatrixXd damped = a;
      damped.diagonal() += mu * a.diagonal().cwiseMax(1e-30);
      Eigen::VectorXd rhs = -g;
      for (int j = 0; j < k; ++j) {
        if (!blocked(p, g, j)) continue;
        damped.row(j).setZero();
        damped.col(j).setZero();
        damped(j, j) = 1;
        rhs[j] = 0;
      }
      const Eigen::VectorXd step = damped.ldlt().solve(rhs);
      const Eigen::VectorXd trial = (p + step).cwiseMax(pr_.lo).cwiseMin(pr_.hi);
      if ((trial - p).norm() <= pr_.options.step_tol * (p.norm() + pr_.options.step_tol)) {
        out.status = FitStatus::ConvergedStep;
        break;
      }
      Eigen::VectorXd r_trial;
      residuals(trial, r_trial, nullptr);
      const double c_trial = cost(r_trial, nullptr);
      if (std::isfinite(c_trial) && c_trial < c) {
        const double relative = (c - c_trial) / c;
        p = trial;
        residuals(p, r, &jac);
        c = cost(r, &irls);
        mu = std::max(mu / 10, 1e-15);
        if (relative <= pr_.options.cost_tol) {
          out.status = FitStatus::ConvergedCost;
          break;
        }
      } else {
        mu *= 10;
        if (mu > 1e32) {
          out.status = FitStatus::ConvergedStep;
          break;
        }
      }
    }
    return finish(p, out);
  }

 private:
  bool blocked(const Eigen::VectorXd& p, const Eigen::VectorXd& g, int j) const {
    return (p[j] <= pr_.lo[j] && g[j] > 0) || (p[j] >= pr_.hi[j] && g[j] < 0);
  }

  // The relative test the batch solver uses (lm.hpp, gradient_converged): the gradient, the
  // cost and the curvature all scale with the weights, so their ratio does not.
  bool gradient_converged(const Eigen::VectorXd& p, const Eigen::VectorXd& g,
                          const Eigen::VectorXd& curvature, double c) const {
    const double bound = pr_.options.grad_tol * std::sqrt(2 * c);
    for (int j = 0; j < p.size(); ++j)
      if (!blocked(p, g, j) && std::abs(g[j]) > bound * std::sqrt(curvature[j])) return false;
    return true;
  }

  FitResult finish(const Eigen::VectorXd& p, FitResult out) const {
    const int k = static_cast<int>(p.size());
    Eigen::VectorXd r;
    Eigen::MatrixXd jac;
    residuals(p, r, &jac);
    out.cost = cost(r, nullptr);
    out.rss = pr_.weight.dot(r.cwiseProduct(r));
    const Eigen::MatrixXd a = jac.transpose() * pr_.weight.asDiagonal() * jac;
    int idx = 0;
    for (int i = 0; i < k; ++i) {
      out.params[i] = p[i];
      for (int j = i; j < k; ++j) out.normal[idx++] = a(i, j);
    }
    if (!std::isfinite(out.cost) || !std::isfinite(out.rss)) out.status = FitStatus::NonFinite;
    return out;
  }

  const Law& law_;
  const Problem& pr_;
};

template <class Law, class AD = Eigen::AutoDiffScalar<Eigen::VectorXd>>
std::vector<FitResult> fit_batch_with(const Law& fit_law, const LawEntry& law,
                                      const BatchRequest& req) {
  const int k = law.n_params;
  const Dataset& data = *req.data;
  const int n = static_cast<int>(data.size());
  Problem pr;
  pr.options = req.options;
  pr.ln_n.resize(n);
  pr.ln_d.resize(n);
  pr.x.setZero(n);
  pr.target.resize(n);
  for (int i = 0; i < n; ++i) {
    pr.ln_n[i] = std::log(data.n[i]);
    pr.ln_d[i] = std::log(data.d[i]);
    if (data.has_x()) pr.x[i] = data.x[i];
    pr.target[i] = req.options.space == Space::Log ? std::log(data.loss[i]) : data.loss[i];
  }
  pr.lo.resize(k);
  pr.hi.resize(k);
  for (int j = 0; j < k; ++j) {
    pr.lo[j] = law.info.params[j].lo;
    pr.hi[j] = law.info.params[j].hi;
  }
  const int n_starts = static_cast<int>(req.n_starts(k));
  std::vector<FitResult> out;
  for (int w = 0; w < req.n_weightings; ++w) {
    pr.weight = Eigen::VectorXd::Ones(n);
    for (int i = 0; i < n; ++i) {
      if (req.weights) pr.weight[i] = req.weights[static_cast<long>(w) * n + i];
      else if (!data.weight.empty()) pr.weight[i] = data.weight[i];
      if (req.targets) pr.target[i] = req.targets[static_cast<long>(w) * n + i];
    }
    const Fitter<Law, AD> fitter(fit_law, pr);
    FitResult best;
    int failed = 0;
    for (int s = 0; s < n_starts; ++s) {
      FitResult r = fitter.fit(Eigen::Map<const Eigen::VectorXd>(req.start(w, s, k), k));
      r.best_start = s;
      if (!converged(r.status)) ++failed;
      if (req.keep_all_starts) {
        r.failed_starts = converged(r.status) ? 0 : 1;
        out.push_back(r);
      } else if (best.best_start < 0 || better_fit(r, best)) {
        best = r;
      }
    }
    if (!req.keep_all_starts) {
      best.failed_starts = failed;
      out.push_back(best);
    }
  }
  return out;
}

template <class Law>
std::vector<FitResult> fit_batch(const LawEntry& law, const BatchRequest& req) {
  return fit_batch_with<Law>(Law{}, law, req);
}

}  // namespace shannonfit::reference
