#pragma once
// Compute-optimal allocation: for a FLOP budget C = k·N·D, the N minimising L(N, C/(kN)).
//
// Found numerically for every law (a scan in ln N, then Brent's method around the best scan
// point), so laws that are not monotone in N or D are handled; a minimiser on a bound of the
// search range is flagged, since the true optimum may lie beyond it.
#include <array>
#include <string>

#include "shannonfit/batch.hpp"

namespace shannonfit {

struct ComputeOptimalOptions {
  double flops_per_token_param = 6;  // k in C = k N D
  double n_min = 1e6, n_max = 1e15;  // searched model sizes
  double d_min = 1e6, d_max = 1e16;  // searched token counts
  double x = 0;                      // perturbation strength for laws that take one
};

struct Optimum {
  double n = 0, d = 0, loss = 0;
  bool on_bound = false;  // the minimiser sits on an end of the feasible range of N
  bool ok = false;        // false: no feasible N, or the law is not finite anywhere on it
};

// "" when the law is a function of N and D themselves; else what it reads instead ("acc reads
// params, tokens"): a formula law over other columns, or one that does not read both N and D.
std::string reads_other_than_n_and_d(const LawEntry& law);
// "" when a budget C = k N D can be split for the law (a law of N and D); else why not.
std::string compute_optimal_unavailable(const LawEntry& law);

// Throws InputError for a non-positive budget or k, or bounds that are not ordered and positive.
void validate(const ComputeOptimalOptions& options, double budget);

// Throws InputError for a law compute_optimal_unavailable refuses.
Optimum compute_optimal(const LawEntry& law, const double* params, double budget,
                        const ComputeOptimalOptions& options);

// Hoffmann et al.'s closed form for the lse Chinchilla law (a, b, e, α, β) with C = k N D:
// N* = G (C/k)^{β/(α+β)}, G = (αA / (βB))^{1/(α+β)}.
double chinchilla_optimal_n(const double* lse_params, double budget, double flops_per_token_param);

}  // namespace shannonfit
