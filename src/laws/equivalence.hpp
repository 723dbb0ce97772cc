#pragma once
// Laws that are one function in different parametrisations (chinchilla and chinchilla-plain:
// ln A against A) reach the same optimum and predict the same losses. Rankings, win rates and
// verdicts treat them as one candidate, or two names of one function would "win" against
// each other by rounding.
#include <string>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// The name of the candidate `law` stands for in rankings: the registry's name of the function
// it computes (its own name unless the registry declares it a reparametrisation of another).
const std::string& candidate_name(const LawEntry& law);

// Whether two laws compute the same function.
bool same_function(const LawEntry& a, const LawEntry& b);

}  // namespace shannonfit
