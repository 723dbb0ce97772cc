#include "analysis/refine_optimum.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "analysis/law_value.hpp"

namespace shannonfit {
namespace {

constexpr int kMaxSteps = 12;
constexpr double kFirstStep = 1e-3;   // largest first step, relative to each parameter
constexpr double kContraction = 0.9;  // each step at most this fraction of the one before
constexpr double kSettled = 1e-15;    // a step this small (relative) ends the refinement

// W^1/2 r and W^1/2 J at params, over the points with positive weight, in the fit's space.
struct Linearization {
  Eigen::VectorXd residual;
  Eigen::MatrixXd jacobian;
  double cost = 0;      // sum of w r^2 / 2
  double rounding = 0;  // sum of w |y| |r|: the scale of the cost's rounding error
};

Linearization linearize_at(const LawEntry& law, const Dataset& data, Space space,
                           const double* params) {
  const int p = law.n_params;
  std::vector<Eigen::VectorXd> rows;
  std::vector<double> residuals;
  Linearization out;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double w = data.weight.empty() ? 1.0 : data.weight[i];
    if (!(w > 0)) continue;
    Eigen::VectorXd grad(p);
    const double f = prediction_in_space(law, params, std::log(data.n[i]), std::log(data.d[i]),
                                         data.has_x() ? data.x[i] : 0.0, space, grad.data());
    const double y = space == Space::Log ? std::log(data.loss[i]) : data.loss[i];
    const double root_w = std::sqrt(w);
    residuals.push_back(root_w * (y - f));
    rows.push_back(root_w * grad);
    out.rounding += w * std::fabs(y) * std::fabs(y - f);
  }
  const int n = static_cast<int>(rows.size());
  out.residual = Eigen::Map<Eigen::VectorXd>(residuals.data(), n);
  out.jacobian.resize(n, p);
  for (int i = 0; i < n; ++i) out.jacobian.row(i) = rows[i].transpose();
  out.cost = 0.5 * out.residual.squaredNorm();
  return out;
}

double relative_size(const Eigen::VectorXd& step, const double* params) {
  double largest = 0;
  for (int k = 0; k < step.size(); ++k)
    largest = std::max(largest, std::fabs(step[k]) /
                                    std::max(std::fabs(params[k]), std::numeric_limits<double>::min()));
  return largest;
}

bool inside(const LawInfo& info, const double* params) {
  for (std::size_t k = 0; k < info.params.size(); ++k)
    if (!(params[k] > info.params[k].lo && params[k] < info.params[k].hi)) return false;
  return true;
}

}  // namespace

bool refine_least_squares_optimum(const LawEntry& law, const Dataset& data,
                                  const FitOptions& options, FitResult& fit) {
  const int p = law.n_params;
  if (options.loss != LossKind::L2 || !converged(fit.status) || !inside(law.info, fit.params.data()))
    return false;
  const Linearization start = linearize_at(law, data, options.space, fit.params.data());
  if (!start.jacobian.allFinite() || !start.residual.allFinite()) return false;
  std::array<double, kMaxParams> params = fit.params;
  Linearization at = start;
  double previous = std::numeric_limits<double>::infinity();
  for (int s = 0; s < kMaxSteps; ++s) {
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(at.jacobian);
    if (qr.rank() < p) return false;
    // r = y - f, so the Gauss–Newton step solves J step = r.
    const Eigen::VectorXd step = qr.solve(at.residual);
    const double size = relative_size(step, params.data());
    if (!step.allFinite() || size > (s == 0 ? kFirstStep : kContraction * previous)) break;
    std::array<double, kMaxParams> next = params;
    for (int k = 0; k < p; ++k) next[k] += step[k];
    if (!inside(law.info, next.data())) break;
    const Linearization there = linearize_at(law, data, options.space, next.data());
    if (!there.jacobian.allFinite() || !there.residual.allFinite()) break;
    params = next;
    at = there;
    previous = size;
    if (size <= kSettled) break;
  }
  const double eps = std::numeric_limits<double>::epsilon();
  if (params == fit.params || !(at.cost <= start.cost + 4 * eps * start.rounding)) return false;
  fit.params = params;
  fit.cost = at.cost;
  fit.rss = 2 * at.cost;
  const Eigen::MatrixXd normal = at.jacobian.transpose() * at.jacobian;
  int idx = 0;
  for (int i = 0; i < p; ++i)
    for (int j = i; j < p; ++j) fit.normal[idx++] = normal(i, j);
  return true;
}

}  // namespace shannonfit
