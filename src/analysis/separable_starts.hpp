#pragma once
// --starts separable: starts for a law that declares a SeparableForm (law.hpp),
//   L = sum_k c_k phi_k(theta; N, D, x),  c_k >= 0.
// Every point of a grid over theta alone gets its c from an exact nonnegative least-squares
// solve (nnls.hpp) and is scored with the fit's own objective (Huber or L2, on ln L or L); the
// best few distinct grid points, mapped to the law's parameters, are the starts the usual LM
// batch then runs. The solve is on L, with rows weighted by the fit's weights and, when the fit
// is on ln L, by 1/L^2 as well, so its squares approximate those of ln L (relative errors);
// the score is always the true objective.
//
// "Distinct" means local minima of the grid's scores (each better than all its grid
// neighbours, ties broken by grid index), best first; when there are fewer than the starts
// asked for, the best remaining grid points fill the list, so every weighting of a batch gets
// the same number of starts (BatchRequest::starts_per_weighting).
#include <string>
#include <vector>

#include "shannonfit/batch.hpp"

namespace shannonfit {

// Starts handed to LM per weighting: measured on the Epoch Chinchilla data (bench/README.md),
// where the optimum's basin is the grid's best local minimum.
constexpr int kSeparableStarts = 8;

// The law's separable form; throws InputError naming the law (and the separable laws) when it
// has none.
const SeparableForm& require_separable(const LawEntry& law);

// The registered laws that declare a separable form, comma-separated, for help and errors.
std::string separable_law_names();

// How many starts one weighting gets: min(max_starts, the form's grid size).
long separable_start_count(const SeparableForm& form, int max_starts);

// Starts for one weighting: min(max_starts, grid size) rows of P values in solver space, best
// first. `weights` (null: all 1) and points.target are the fit's. The grid's points are shared
// among `threads` CPU threads (0: all cores).
std::vector<double> separable_starts(const LawEntry& law, const SeparableForm& form,
                                     const PointsView<double>& points, const double* weights,
                                     const FitOptions& options, int max_starts, int threads);

// The same for `count` weightings at once (a bootstrap chunk), one weighting per thread: rows
// of `weights` (n each; null: the data's own) and of `targets` (null: the points' own), and the
// starts laid out as BatchRequest::starts_per_weighting reads them. Weighting r's starts do not
// depend on the other weightings or on the thread count.
std::vector<double> separable_starts_batch(const LawEntry& law, const Dataset& data,
                                           const FitOptions& options, const double* weights,
                                           const double* targets, long count, int max_starts,
                                           int threads);

}  // namespace shannonfit
