// The law-independent half of law_testing.hpp, compiled once for all the test programs.
#include "law_testing.hpp"

#include <Eigen/Dense>

namespace shannonfit::lawtest {

Jacobian log_loss_jacobian(const LawEntry& law, const std::vector<double>& p,
                           const synth::Design& g) {
  Jacobian jac;
  jac.rows = static_cast<int>(g.size());
  jac.cols = law.n_params;
  jac.values.resize(static_cast<std::size_t>(jac.rows) * static_cast<std::size_t>(jac.cols));
  for (std::size_t i = 0; i < g.size(); ++i)
    law.log_loss_gradient(p.data(), g.ln_n[i], g.ln_d[i], g.x[i],
                          jac.values.data() + i * static_cast<std::size_t>(jac.cols));
  return jac;
}

double scaled_condition(const Jacobian& jac) {
  const Eigen::MatrixXd j =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          jac.values.data(), jac.rows, jac.cols);
  const Eigen::VectorXd norms = j.colwise().norm();
  if (!j.allFinite() || (norms.array() <= 0).any()) return INFINITY;
  const Eigen::MatrixXd scaled = j * norms.cwiseInverse().asDiagonal();
  const Eigen::VectorXd ev =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(scaled.transpose() * scaled).eigenvalues();
  return ev[0] > 0 ? ev[jac.cols - 1] / ev[0] : INFINITY;
}

Truth draw_truth(const LawEntry& law, const std::vector<double>& centre, const synth::Design& g,
                 std::mt19937_64& rng, bool require_identifiable) {
  LawInfo info = law.info;
  for (std::size_t k = 0; k < centre.size(); ++k) info.params[k].fixed_value = centre[k];
  Truth t;
  for (;;) {
    t.params.clear();
    for (const auto& spec : info.params) {
      const Interval iv = truth_interval(spec);
      t.params.push_back(std::uniform_real_distribution<double>(iv.lo, iv.hi)(rng));
    }
    if (!require_identifiable ||
        scaled_condition(log_loss_jacobian(law, t.params, g)) <= kMaxCondition)
      return t;
    if (++t.redraws >= kMaxRedraws) {
      ADD_FAILURE() << info.name << ": " << kMaxRedraws
                    << " random truths in a row are unidentifiable on the test design "
                       "(scaled condition of J^T J > "
                    << kMaxCondition << "); using the last one";
      return t;
    }
  }
}

}  // namespace shannonfit::lawtest
