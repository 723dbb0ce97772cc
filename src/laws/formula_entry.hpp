#pragma once
// Registry entries for laws written as formulas (formula/formula.hpp). The solver needs the
// parameter count at compile time, so the CPU batch is instantiated once per count, each in a
// translation unit of its own (cmake/law_shards.cmake, formula_entry_impl.hpp); the entry
// picks the one for its formula.
#include <memory>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// The CPU batch of a formula law with P parameters (law.formula->n_params() == P).
template <int P>
std::vector<FitResult> formula_fit_batch_cpu(const LawEntry& law, const BatchRequest& req);

// A linear-space request as the solver runs a formula's value tape (CompiledLaw::value): the
// tape's output is L̂ itself, of any sign, so the solver is told "log space" (no exponential on
// top) and given the targets L as they are: req's own, else the data's for every weighting,
// kept in `targets`.
BatchRequest value_space_request(const BatchRequest& req, std::vector<double>& targets);

// The entry of a compiled formula: its batch functions on the CPU, reference and (in a CUDA
// build) CUDA backends, its host evaluations and its separable form.
LawEntry make_formula_entry(std::shared_ptr<const formula::CompiledLaw> law);

}  // namespace shannonfit
