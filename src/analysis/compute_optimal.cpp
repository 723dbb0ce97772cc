#include "analysis/compute_optimal.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "analysis/scan_minimize.hpp"
#include "io/csv.hpp"
#include "shannonfit/formula/formula.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

std::string reads_other_than_n_and_d(const LawEntry& law) {
  if (!law.formula) return "";
  const formula::ColumnBinding& b = law.formula->columns;
  const bool reads_n = b.uses_n && b.n.empty(), reads_d = b.uses_d && b.d.empty();
  if (reads_n && reads_d) return "";
  std::vector<std::string> reads;
  if (reads_n) reads.push_back("N");
  if (reads_d) reads.push_back("D");
  for (const std::string* column : {&b.x, &b.n, &b.d})
    if (!column->empty()) reads.push_back(*column);
  if (b.uses_x && b.x.empty()) reads.push_back("x");
  return law.info.name + " reads " +
         (reads.empty() ? std::string("no data") : io::join_names(reads));
}

std::string compute_optimal_unavailable(const LawEntry& law) {
  const std::string reads = reads_other_than_n_and_d(law);
  return reads.empty() ? ""
                       : "the compute-optimal split of a budget C = 6ND needs a law of N and D; " +
                             reads;
}

void validate(const ComputeOptimalOptions& o, double budget) {
  if (!(budget > 0) || !std::isfinite(budget))
    throw InputError("--budget must be a positive number of FLOPs (got " + std::to_string(budget) +
                     ")");
  if (!(o.flops_per_token_param > 0))
    throw InputError("--flops-per-token-param must be positive (got " +
                     std::to_string(o.flops_per_token_param) + ")");
  if (!(o.n_min > 0 && o.n_min < o.n_max && o.d_min > 0 && o.d_min < o.d_max))
    throw InputError("compute-optimal search bounds must satisfy 0 < min < max for N and D");
}

Optimum compute_optimal(const LawEntry& law, const double* params, double budget,
                        const ComputeOptimalOptions& o) {
  if (const std::string why = compute_optimal_unavailable(law); !why.empty()) throw InputError(why);
  Optimum best;
  const double ln_budget = std::log(budget / o.flops_per_token_param);  // ln(N D)
  const double lo = std::max(std::log(o.n_min), ln_budget - std::log(o.d_max));
  const double hi = std::min(std::log(o.n_max), ln_budget - std::log(o.d_min));
  if (!(lo < hi)) return best;
  const ScanMinimum m = scan_minimize(
      [&](double ln_n) { return law.log_loss(params, ln_n, ln_budget - ln_n, o.x); }, lo, hi);
  if (!m.ok) return best;
  best.n = std::exp(m.arg);
  best.d = std::exp(ln_budget - m.arg);
  best.loss = std::exp(m.value);
  best.on_bound = m.on_bound;
  best.ok = true;
  return best;
}

double chinchilla_optimal_n(const double* p, double budget, double k) {
  const double alpha = p[3], beta = p[4];
  const double g = std::pow(alpha * std::exp(p[0]) / (beta * std::exp(p[1])), 1 / (alpha + beta));
  return g * std::pow(budget / k, beta / (alpha + beta));
}

}  // namespace shannonfit
