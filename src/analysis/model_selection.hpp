#pragma once
// Model selection between laws fitted to the same data (docs/laws.md §5): cross-validation (k-fold
// and leave-one-group-out), held-out scores on an extrapolation split, and bootstrap win-rates.
//
// Every procedure is a set of weightings of one dataset (training rows weight ≥ 1, the others 0),
// so each law runs as ONE batch of starts × weightings on whatever backend was chosen.
//
// Conventions: residuals live in the space the fits use (FitOptions::space: ln L or L), as in
// fit_stats.hpp. A held-out score is unweighted over the rows it predicts: MSE = mean r², and
// R² = 1 − Σr² / Σ(y − ȳ)² with ȳ the mean of those rows' targets.
//
// Pooling over datasets fitted separately (one fit per --by slice): the held-out rows of all of
// them form one set, each predicted by its own dataset's fit; R² = 1 − Σ SSE / Σ(y − ȳ)² with ȳ
// the mean over the whole set (pooled_score).
#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/fit_plan.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit {

// How every fit inside a procedure runs for one law: as refits (fit_plan.hpp) of its plan.
struct LawFitter {
  FitPlan plan;
  std::vector<double> starts;  // the starts the refits share: plan.refit_starts(full-data fit)
  // Polled by the backend between fits; once set, fit_weightings throws InterruptedError.
  const std::atomic<bool>* cancel = nullptr;
};
// The fitter of `plan`'s refits around its full-data fit `full`.
LawFitter refits_of(const FitPlan& plan, const FitResult& full,
                    const std::atomic<bool>* cancel = nullptr);

// Best fit for each weighting: `weights` holds R rows of data.size() weights (R ≥ 1). Throws
// InterruptedError when f.cancel was set during the batch: its results would be partial.
std::vector<FitResult> fit_weightings(const LawFitter& f, const Dataset& data,
                                      const std::vector<double>& weights);

// A fit that can be scored: converged or not, it reached a finite objective.
bool usable(const FitResult& r);

struct PredictionScore {
  long n = 0;
  double sse = 0;  // Σ r²
  double mse = std::numeric_limits<double>::quiet_NaN();
  double r2 = std::numeric_limits<double>::quiet_NaN();  // NaN with fewer than 2 rows or no spread
};
// The law with `params` predicting `rows` of `data`.
PredictionScore score_rows(const LawEntry& law, const double* params, const Dataset& data,
                           Space space, const std::vector<std::size_t>& rows);

// Σ(y − ȳ)² of `y`.
double total_sum_of_squares(const std::vector<double>& y);
// Score of `n` rows whose residuals sum to `sse` and whose targets have total sum of squares
// `sst`: R² is NaN unless n ≥ 2 and sst > 0.
PredictionScore pooled_score(double sse, long n, double sst);

// k folds of near-equal size: the rows in a Philox-shuffled order (seeded), dealt in turn.
// Throws InputError unless 2 ≤ k ≤ n.
std::vector<int> kfold_assignment(std::size_t n, int k, std::uint64_t seed);

struct CvResult {
  int folds = 0;
  int failed = 0;  // folds whose fit reached no finite objective; their rows are not scored
  long scored = 0;
  double mse = std::numeric_limits<double>::quiet_NaN();  // over every scored row
};
// Row i is predicted by the fit on every row whose fold differs (fold[i] in [0, n_folds)).
// Leave-one-group-out is fold = data.group.
CvResult cross_validate(const LawFitter& f, const Dataset& data, const std::vector<int>& fold,
                        int n_folds);

struct GroupScore {
  std::string name;
  PredictionScore score;
};
struct HoldoutScores {
  PredictionScore pooled;          // every held-out row
  std::vector<GroupScore> groups;  // per group with held-out rows (data.group; empty without)
};
// The law with `params` predicting the rows with held_out[i] != 0, pooled and per group.
HoldoutScores score_holdout(const LawEntry& law, const double* params, const Dataset& data,
                            Space space, const std::vector<char>& held_out);

struct HoldoutResult : HoldoutScores {
  FitResult fit;  // on the training rows
  long n_train = 0;
};
// Fits on the rows with held_out[i] == 0 and predicts the others. Throws InputError when either
// side is empty.
HoldoutResult evaluate_holdout(const LawFitter& f, const Dataset& data,
                               const std::vector<char>& held_out);

// Extrapolation splits (1 marks a held-out row), as the paper's protocol and `backtest` use
// them. largest_model_rows: every row of the largest model (largest N). token_cut: the largest
// D value measured at or below `fraction` of the largest D (0 when there is none), so that
// 0.6 of Pythia's 300B tokens is its 180B checkpoint. corner_rows: the largest model's rows and
// every row beyond token_cut — the paper's N <= 6.9B, D <= 180B split.
std::vector<char> largest_model_rows(const Dataset& data);
double token_cut(const Dataset& data, double fraction);
std::vector<char> corner_rows(const Dataset& data, double fraction);
// Rows beyond the token cut only (token extrapolation for every model).
std::vector<char> late_token_rows(const Dataset& data, double fraction);
// The same on any positive column: the largest value at or below `fraction` of the largest, and
// the rows beyond it.
double value_cut(const std::vector<double>& values, double fraction);
std::vector<char> rows_beyond(const std::vector<double>& values, double cut);

struct WinRates {
  int resamples = 0;
  int valid = 0;  // resamples in which every law was fitted and had rows to predict
  // Per law: share of valid resamples in which its candidate had the lowest held-out MSE. Laws
  // that are one function (`candidate`: fitted_candidates, laws/equivalence.hpp) are one
  // candidate and share its rate; a win tied between candidates is split between them.
  std::vector<double> rate;
  // Per law, per resample: held-out MSE and R² (NaN where that law's fit failed), and the fit.
  std::vector<std::vector<double>> mse, r2;
  std::vector<std::vector<FitResult>> fits;
};
// Bootstrap of the training rows (resample.hpp's Philox draws under `seed`): single rows with
// Scheme::Case, whole groups (data.group) with Scheme::Cluster. In resample r every law is
// fitted to the same resampled rows and scored on the held-out rows when `held_out` is given,
// else on the rows that resample left out (out-of-bag). The lowest MSE wins.
WinRates bootstrap_win_rates(const std::vector<LawFitter>& laws, const Dataset& data,
                             const std::vector<char>* held_out, int resamples, std::uint64_t seed,
                             Scheme scheme, const std::vector<std::size_t>& candidate);

}  // namespace shannonfit
