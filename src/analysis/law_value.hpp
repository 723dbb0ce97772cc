#pragma once
// A law's prediction at one point in the space a fit compares it with the data: ln L̂ in log
// space, L̂ in linear space. For a formula law in linear space that is its value tape
// (formula::CompiledLaw::value), of any sign, as its fit ran; otherwise exp of ln L̂, the same
// number wherever L̂ > 0.
#include "shannonfit/batch.hpp"

namespace shannonfit {

// The prediction, and its gradient in the solver's parameters (grad[law.n_params]) when grad is
// not null.
double prediction_in_space(const LawEntry& law, const double* params, double ln_n, double ln_d,
                           double x, Space space, double* grad = nullptr);

}  // namespace shannonfit
