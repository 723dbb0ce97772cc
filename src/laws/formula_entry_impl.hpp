#pragma once
// The definition of formula_fit_batch_cpu<P> (formula_entry.hpp). Included only by the
// generated per-parameter-count units.
#include "cpu/batch_cpu.hpp"
#include "laws/formula_entry.hpp"
#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit {

template <int P>
std::vector<FitResult> formula_fit_batch_cpu(const LawEntry& law, const BatchRequest& req) {
  if (req.options.space == Space::Log)
    return cpu::fit_batch_with(formula::FormulaLaw<P>{&law.formula->tape}, law, req);
  std::vector<double> targets;
  return cpu::fit_batch_with(formula::FormulaLaw<P>{&law.formula->value},
                             law, value_space_request(req, targets));
}

}  // namespace shannonfit
