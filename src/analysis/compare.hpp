#pragma once
// `compare`'s analysis of one dataset, reachable from every front end: each law's full-data
// fit, k-fold and leave-one-group-out cross-validation, held-out scores on a split (pooled and
// per held-out group), bootstrap win-rates with percentile intervals on the held-out scores,
// the loss-minimising token count D*, and the ranking; and the held-out scores of several
// slices pooled into one set.
#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "analysis/extrapolation.hpp"
#include "analysis/fit_record.hpp"
#include "analysis/intervals.hpp"
#include "analysis/model_selection.hpp"

namespace shannonfit {

// What to compare on one dataset.
struct CompareRequest {
  std::vector<FitPlan> plans;  // one per law, made for this dataset
  int kfold = 5;               // < 2: no k-fold cross-validation
  std::vector<char> held_out;  // rows to predict, not fit; empty: no split
  int resamples = 0;           // bootstrap win-rate resamples; 0: none
  // What the win-rate resamples draw: single rows, or whole groups (data.group) when rows share
  // a model, as the bootstrap of intervals does (default_scheme).
  Scheme scheme = Scheme::Case;
  double level = 0.9;
  std::vector<double> basin_n;  // model sizes at which to find D*
  double basin_x = 0;
  // Polled by the backend; once set, the running batch ends and InterruptedError is thrown.
  const std::atomic<bool>* cancel = nullptr;
};

// One law on one slice: its full-data fit and how it scored.
struct LawComparison {
  FitRecord full;
  CvResult kfold, logo;
  HoldoutResult holdout;
  // Over the bootstrap resamples (with a split and --resamples): pooled held-out R² and MSE,
  // R² per held-out group (as holdout.groups), and each resample's held-out Σ r² (NaN where the
  // fit failed) for pooling over --by slices.
  QuantityInterval holdout_r2, holdout_mse;
  std::vector<QuantityInterval> group_r2;
  std::vector<double> resample_sse;
  double win_rate = std::numeric_limits<double>::quiet_NaN();
  std::vector<TokenOptimum> basin;                       // one per --basin-n
  std::vector<std::pair<double, double>> basin_interval;  // percentile interval of D*
};

// Every law on one dataset (one --by slice), ranked.
struct SliceComparison {
  const Dataset* data = nullptr;
  std::string label, by_value, ranked_by;
  std::vector<LawComparison> laws;  // in the request's order
  std::vector<std::size_t> order;  // ranking
  // Per law (request order): its rank (laws that are one function share one) and the index of
  // its candidate (laws/equivalence.hpp: fitted_candidates).
  std::vector<int> rank;
  std::vector<std::size_t> candidate;
  std::vector<char> held_out;
  std::vector<double> held_y;  // targets (in the fit's space) of the held-out rows
  Scheme scheme = Scheme::Case;  // of the win-rate resamples
  std::string grouping;          // how rows share models (assign_model_groups); "" none
  int win_valid = 0;
};

// Percentile interval of a statistic over the resamples, leaving out the non-finite ones.
QuantityInterval resample_interval(const char* name, double estimate,
                                   const std::vector<double>& values, double level);

// Every law of `req` on `data`, ranked by held-out MSE, else leave-one-group-out CV MSE (rows
// grouped), else k-fold CV MSE, else AICc. `seed` is this slice's: slices draw independent
// folds and resamples.
SliceComparison compare_slice(const Dataset& data, const std::string& label,
                              const std::string& by_value, const CompareRequest& req,
                              std::uint64_t seed);

// The held-out rows of every --by slice as one set, each slice's rows predicted by that slice's
// own fit. Resample r of the pooled statistic sums resample r of every slice; the slices draw
// their resamples independently (their seeds differ), so this is a stratified bootstrap.
struct PooledLaw {
  const LawEntry* law = nullptr;
  std::size_t index = 0;  // into SliceComparison::laws
  int rank = 0;           // laws that are one function in every slice share one
  PredictionScore score;
  QuantityInterval r2, mse;
  double win_rate = std::numeric_limits<double>::quiet_NaN();
};
struct PooledSlices {
  long rows = 0;
  std::vector<PooledLaw> laws;  // ranked by pooled held-out MSE
  int win_valid = 0;
};

PooledSlices pool_slices(const std::vector<SliceComparison>& slices, int resamples, double level);

}  // namespace shannonfit
