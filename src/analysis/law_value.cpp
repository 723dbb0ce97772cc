#include "analysis/law_value.hpp"

#include <cmath>

#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit {

double prediction_in_space(const LawEntry& law, const double* params, double ln_n, double ln_d,
                           double x, Space space, double* grad) {
  if (space == Space::Linear && law.formula) {
    const formula::Tape& value = law.formula->value;
    return grad ? formula::log_loss_gradient(value, params, ln_n, ln_d, x, grad)
                : formula::evaluate<double, double>(value, params, ln_n, ln_d, x);
  }
  const double f = grad ? law.log_loss_gradient(params, ln_n, ln_d, x, grad)
                        : law.log_loss(params, ln_n, ln_d, x);
  if (space == Space::Log) return f;
  const double v = std::exp(f);
  if (grad)
    for (int k = 0; k < law.n_params; ++k) grad[k] *= v;
  return v;
}

}  // namespace shannonfit
