#pragma once
// The `analyze` job as a library call: every requested law fitted and bootstrapped on one
// dataset, compared, and evaluated at the requested targets, assembled into a report folder's
// contents (report.json and its CSV tables). The CLI adds the command line, the data's
// provenance and the writing; tests call this directly.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/intervals.hpp"
#include "analysis/prediction.hpp"
#include "analysis/report.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit::analysis {

// A point to predict at, with the --at text it came from as its label.
struct Target {
  std::string label;
  PredictionPoint at;
};

struct AnalyzeRequest {
  const Dataset* data = nullptr;
  std::vector<const LawEntry*> laws;
  std::vector<Target> targets;
  // What the data's variables are called (N, D and x, or a formula law's own columns): the
  // tables' columns, the curves drawn and the notes name them so.
  PointKeys keys;
  // What the response is called in the report's text: "loss", or the column's name for a
  // response that is no loss (an accuracy).
  std::string response = "loss";
  double budget = 0;               // compute budget C = 6ND for the compute-optimal split; 0: none
  double budget_x = 0;             // perturbation strength the compute-optimal split assumes
  double level = 0.9;              // interval coverage
  // The interval shown for parameters, predictions and the compute-optimal split (shown()).
  const IntervalMethod* method = &default_interval_method();
  BootstrapOptions bootstrap;      // resamples, seed, scheme, and the fit plan's config
  int kfold = 5;                   // folds of k-fold cross-validation (< 2: none; not run
                                   //   when the rows are grouped: leave-one-model-out instead)
  std::vector<char> held_out;      // rows to predict, not fit (--extrapolate); empty: none, or
                                   //   the extrapolation protocol when a target is beyond the data
  std::string grouping;            // how rows share models (assign_model_groups); "" none
  // Polled between laws and bootstrap chunks; when it becomes true, analyze throws
  // InterruptedError and fills nothing.
  const std::atomic<bool>* cancel = nullptr;
};

struct LawOutcome {
  const LawEntry* law = nullptr;
  BootstrapResult run;
};

// Bootstrap progress of one law, named.
using LawProgressFn = std::function<void(const std::string& law, const BootstrapProgress&)>;

// Runs every law (progress per law through `progress`) and fills `folder` with report.json's
// results part and the tables params.csv, predictions.csv, selection.csv, data.csv, fitted.csv,
// curves.csv and bootstrap.csv. Every interval names its kind (prediction_interval.hpp) and
// level; report.json's "headline" is the prediction interval at the first target, law-averaged
// when several laws were fitted, with the confidence band and each law's interval beside it. A law whose full fit fails is reported as failed, not thrown,
// unless every law fails (FitError).
void analyze(const AnalyzeRequest& request, report::Folder& folder,
             const LawProgressFn& progress = {});

}  // namespace shannonfit::analysis
