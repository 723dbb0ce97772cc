// What can be said about a formula law before it is fitted: its exact gradient at a point, and
// the parameters the data cannot identify at the starts.
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit::formula {

template Jet<double, kMaxParams> evaluate<Jet<double, kMaxParams>, double>(
    const Tape&, const Jet<double, kMaxParams>*, double, double, double, const double*);

double log_loss_gradient(const Tape& tape, const double* params, double ln_n, double ln_d,
                         double x, double* grad, const double* columns) {
  // One Jet width for every parameter count, the unused slots zero: host statistics and the
  // identifiability check call this a few times per point, so a solver-sized Jet per count
  // would buy nothing but ten instantiations of the tape.
  using J = Jet<double, kMaxParams>;
  const int p_count = tape.n_params;
  J p[kMaxParams];
  for (int k = 0; k < p_count; ++k) p[k] = J::variable(params[k], k);
  const J f = evaluate<J, double>(tape, p, ln_n, ln_d, x, columns);
  for (int k = 0; k < p_count; ++k) grad[k] = f.v[k];
  return f.a;
}

namespace {

// A direction is flat when the Jacobian's smallest singular values fall below this fraction of
// its largest, columns scaled to unit norm: an exactly flat direction comes out near 1e-16
// (rounding), and the built-in laws on real designs stay far above it.
constexpr double kFlatSingularRatio = 1e-10;
// Starts tried, strided through the list: a direction must be flat at all of them.
constexpr int kStartsTried = 8;

}  // namespace

IdentifiabilityCheck check_identifiability(const CompiledLaw& law, const PointsView<double>& points,
                                           const std::vector<double>& starts) {
  const int p = law.n_params();
  IdentifiabilityCheck out;
  const long n_starts = static_cast<long>(starts.size()) / p;
  if (n_starts == 0 || points.n == 0) return out;
  const long stride = std::max(1L, n_starts / kStartsTried);
  std::vector<bool> moves(p, false);
  // Null directions of each start's Jacobian (unscaled coordinates, unit length).
  std::vector<Eigen::MatrixXd> nulls;
  for (long s = 0; s < n_starts; s += stride) {
    const double* start = starts.data() + s * p;
    Eigen::MatrixXd jac(points.n, p);
    bool finite = true;
    for (int i = 0; i < points.n; ++i) {
      double grad[kMaxParams];
      const double x = points.x ? points.x[i] : 0.0;
      const double v = log_loss_gradient(law.tape, start, points.ln_n[i], points.ln_d[i], x, grad);
      finite = finite && std::isfinite(v);
      for (int k = 0; k < p; ++k) {
        jac(i, k) = grad[k];
        finite = finite && std::isfinite(grad[k]);
      }
    }
    if (!finite) continue;  // the fit reports such a start itself (NonFinite)
    Eigen::VectorXd scale(p);
    for (int k = 0; k < p; ++k) {
      const double norm = jac.col(k).norm();
      if (norm > 0) moves[k] = true;
      scale(k) = norm > 0 ? 1.0 / norm : 0.0;
    }
    const Eigen::MatrixXd scaled = jac * scale.asDiagonal();
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(scaled, Eigen::ComputeFullV);
    const Eigen::VectorXd sv = svd.singularValues();
    const double largest = sv.size() ? sv(0) : 0.0;
    std::vector<Eigen::VectorXd> flat;
    for (int k = 0; k < p; ++k) {
      const double sigma = k < sv.size() ? sv(k) : 0.0;
      if (sigma <= kFlatSingularRatio * largest) {
        // Back to the parameters' own coordinates. An unused parameter's zero column gives
        // a zero vector here: it is reported as unused instead.
        Eigen::VectorXd v = scale.asDiagonal() * svd.matrixV().col(k);
        if (v.norm() > 0) flat.push_back(v.normalized());
      }
    }
    Eigen::MatrixXd basis(p, static_cast<int>(flat.size()));
    for (std::size_t k = 0; k < flat.size(); ++k) basis.col(static_cast<int>(k)) = flat[k];
    nulls.push_back(basis);
  }
  for (int k = 0; k < p; ++k)
    if (!law.tape.reads_param[k] || (!nulls.empty() && !moves[k])) out.unused.push_back(k);
  if (nulls.empty()) return out;
  // Directions flat at the first start tried that stay flat (in the others' null spaces).
  for (int c = 0; c < nulls[0].cols(); ++c) {
    const Eigen::VectorXd v = nulls[0].col(c);
    bool everywhere = true;
    for (std::size_t s = 1; s < nulls.size() && everywhere; ++s) {
      const Eigen::MatrixXd& b = nulls[s];
      const double inside = b.cols() ? (b * (b.transpose() * v)).norm() : 0.0;
      everywhere = inside > 1 - 1e-6;
    }
    if (everywhere) out.flat_directions.emplace_back(v.data(), v.data() + p);
  }
  return out;
}

std::string IdentifiabilityCheck::describe(const CompiledLaw& law) const {
  std::string out;
  for (int k : unused)
    out += "parameter '" + law.info.params[k].reported_name +
           "' does not affect the loss: the data cannot identify it\n";
  for (const std::vector<double>& v : flat_directions) {
    double largest = 0;
    for (double c : v) largest = std::max(largest, std::fabs(c));
    std::string terms, names;
    for (std::size_t k = 0; k < v.size(); ++k) {
      const double c = v[k] / largest;
      if (std::fabs(c) < 1e-3) continue;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%+.3g", c);
      terms += std::string(terms.empty() ? "" : ", ") + law.info.params[k].name + " " + buf;
      names += (names.empty() ? "" : ", ") + law.info.params[k].reported_name;
    }
    out += "flat direction: moving " + terms + " (times any t) leaves the loss unchanged, so " +
           names + " cannot all be identified; fix one of them\n";
  }
  return out;
}

}  // namespace shannonfit::formula
