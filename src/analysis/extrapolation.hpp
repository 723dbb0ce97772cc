#pragma once
// The extrapolation protocol of the Shannon Scaling Law paper, and the loss basin.
//
// Protocol: fit every law on the rows with N ≤ n_max and D ≤ d_max, predict every other row
// (for Pythia: train on ≤ 6.9B parameters and ≤ 180B tokens, predict the 12B model's whole
// curve and the later checkpoints of the smaller models), and score per curve and pooled
// (model_selection.hpp's evaluate_holdout). Token-only extrapolation is n_max = ∞.
//
// Loss basin: for laws that are not monotone in D (shannon with δ > β, or under a perturbation),
// the token count D* minimising L(N, D, x) at fixed N and x.
#include <limits>
#include <string>
#include <vector>

#include "analysis/prediction.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit {

struct ExtrapolationSplit {
  double n_max = std::numeric_limits<double>::infinity();
  double d_max = std::numeric_limits<double>::infinity();
  double x_max = std::numeric_limits<double>::infinity();  // a law's own column in x's place
  PointKeys keys;  // what the limits' variables are called
};
// Parses "N<=6.9e9,D<=180e9" (either part may be left out; "D<=180e9" is token-only), or the
// same in a formula law's own variables ("params<=2.8B,tokens<=180B"). Throws InputError naming
// `option` otherwise.
ExtrapolationSplit parse_split(const std::string& text, const std::string& option,
                               const PointKeys& keys = {});
std::string describe(const ExtrapolationSplit& split);
// 1 for the rows beyond the split (to be predicted), 0 for the training rows.
std::vector<char> beyond(const Dataset& data, const ExtrapolationSplit& split);

struct CurvePoint {
  std::string group;  // data.group_names of the row ("" without groups)
  double n, d, x, actual, predicted;  // losses in nats
};
// Predicted against actual loss at every row with rows[i] != 0.
std::vector<CurvePoint> predicted_curve(const LawEntry& law, const double* params,
                                        const Dataset& data, const std::vector<char>& rows);

struct TokenOptimum {
  double d = 0, loss = 0;
  bool on_bound = false;  // D* on an end of [d_min, d_max]: L may keep falling beyond it
  bool ok = false;
};
// argmin over D ∈ [d_min, d_max] of L(N, D, x), by a scan and Brent in ln D.
TokenOptimum token_optimum(const LawEntry& law, const double* params, double n, double x,
                           double d_min = 1e6, double d_max = 1e16);

}  // namespace shannonfit
