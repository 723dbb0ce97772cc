#pragma once
// Laws that are one function in different parametrisations (chinchilla and chinchilla-plain:
// ln A against A) reach the same optimum and predict the same losses. Rankings, win rates and
// verdicts treat them as one candidate, or two names of one function would "win" against
// each other by rounding. The registry declares the pairs it knows; any other pair (a formula
// law that restates a built-in, a law that collapses onto another on this data) is found from
// the fits: two fitted laws whose predictions agree at every row are one candidate.
#include <cstddef>
#include <string>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// The name of the candidate `law` stands for in rankings: the registry's name of the function
// it computes (its own name unless the registry declares it a reparametrisation of another).
const std::string& candidate_name(const LawEntry& law);

// Whether two laws compute the same function.
bool same_function(const LawEntry& a, const LawEntry& b);

// Fitted ln L of two laws that agree within this at every row are one function on the data.
// Separate fits of one function agree to the solver's tolerance (chinchilla and chinchilla-plain
// on the shipped Pythia curves: 4e-9), distinct laws that fit the data about equally well
// differ by 1e-3 or more somewhere.
constexpr double kSamePredictionTolerance = 1e-6;

// A law with its fitted parameters (solver space).
struct FittedLaw {
  const LawEntry* law = nullptr;
  const double* params = nullptr;
};

// Whether two fitted laws predict the same ln L at every row of `data`, within
// kSamePredictionTolerance (false when either prediction is not finite).
bool same_predictions(const FittedLaw& a, const FittedLaw& b, const Dataset& data);

// Each law's candidate: the index of the first law in `laws` that it is one function with,
// declared (same_function) or found (same_predictions); its own index otherwise. A law without
// parameters (params null: its fit failed) is matched by declaration only.
std::vector<std::size_t> fitted_candidates(const std::vector<FittedLaw>& laws,
                                           const Dataset& data);

}  // namespace shannonfit
