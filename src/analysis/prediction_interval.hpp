#pragma once
// The two kinds of interval a prediction gets, and the law-averaged prediction.
//
// A confidence band covers the law's MEAN curve at a point: the spread of the fitted curve over
// bootstrap resamples (uncertainty.hpp). A prediction interval covers the loss a NEW training
// run would show there: the curve's uncertainty plus the scatter of runs and checkpoints
// around the curve. It is what a measured loss should fall in, and what a budget proposal needs.
//
// Method (kPredictionMethod): in bootstrap resample r the law's fit θ_r predicts g(θ_r) at the
// target, in the space the fit uses (ln L by default); to it is added one residual drawn from
// that same resample's fit, y_i − g_r(x_i) over the rows the resample kept (Davison & Hinkley
// 1997, §6.3.3, Algorithm 6.4). The draw is cluster-aware: a model (group) is picked first, in
// proportion to how often the resample drew it, then a row of that model, so a model with many
// checkpoints weighs as one model. The residual is split into the model's offset from the curve
// (centred over the models) and the row's scatter around its model; fitted residuals understate
// both, so the offset is inflated by sqrt(G / (G − p)) (G models, p parameters) and the scatter
// by sqrt(n / (n − G)) (n rows), each floored at one degree of freedom. Without groups every row
// is its own model: sqrt(n / (n − p)), the ordinary rule. The interval is the percentile
// interval of the g(θ_r) + ε_r, mapped back to loss.
//
// Law-averaged prediction (kLawAveragedMethod): in each resample every candidate law (laws that
// are one function count once) is scored on the rows that resample left out (out-of-bag:
// whole models under the cluster scheme), the law with the lowest out-of-bag error is picked,
// and its value in that resample is kept. The pooled values give an interval that includes the
// uncertainty of which law is right: bootstrap model selection, "bagging" the selected model
// (Efron 2014, "Estimation and accuracy after model selection", JASA 109:991-1007). Its
// estimate is the mean of the picked laws' full-data predictions weighted by how often each was
// picked.
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/intervals.hpp"
#include "analysis/prediction.hpp"

namespace shannonfit {

enum class IntervalKind : unsigned char { Confidence, Prediction };
const char* to_string(IntervalKind kind);  // "confidence" | "prediction"
// "confidence band for the mean curve" | "prediction interval for a new run's loss" (or the
// response's name for one that is no loss: "... for a new run's lambada_acc")
std::string describe(IntervalKind kind, const std::string& response = "loss");

extern const char* const kPredictionMethod;
extern const char* const kLawAveragedMethod;

// One law's bootstrap with what its draws need: the data it was fitted to and the fit space.
struct LawRun {
  const LawEntry* law = nullptr;
  const BootstrapResult* run = nullptr;
};

// The confidence band of the law's loss at `at`.
QuantityInterval confidence_band(const LawRun& lr, const PredictionPoint& at, double level,
                                 const std::vector<double>& covariance, std::string name = "");

// Per resample, the loss a new run would show at `at` (NaN where the resample failed). The
// run must come from run_bootstrap on `data` with resample k being resample k (not a split
// range).
std::vector<double> new_run_losses(const LawRun& lr, const Dataset& data, Space space,
                                   const PredictionPoint& at);

// The prediction interval at `at` (new_run_interval of new_run_losses: the percentile
// interval; estimate: the full-data curve's loss there).
QuantityInterval prediction_interval(const LawRun& lr, const Dataset& data, Space space,
                                     const PredictionPoint& at, double level,
                                     std::string name = "");

struct LawAveraged {
  QuantityInterval confidence, prediction;  // percentile intervals of the pooled values
  std::vector<std::string> candidates;      // one name per candidate, in the laws' order
  std::vector<double> picked;               // share of used resamples that picked each
  int used = 0;                             // resamples with out-of-bag rows and a usable law
  int skipped = 0;
};

// Law-averaged intervals over `laws` (all bootstrapped on `data` with one scheme, seed and
// resample count). Throws std::invalid_argument when their resamples do not line up.
LawAveraged law_averaged(const std::vector<LawRun>& laws, const Dataset& data, Space space,
                         const PredictionPoint& at, double level);

}  // namespace shannonfit
