#pragma once
// `backtest`: how often intervals cover losses that were really measured. On a suite with
// several model sizes, hide what a forecaster would not have seen (the largest model; the
// largest-N × largest-D corner, as in the paper's ≤6.9B / ≤180B split), fit every law on the
// rest with the bootstrap `analyze` uses, and score whether each interval at each nominal level
// contains each hidden measured loss. Coverage is counted per law (and law-averaged), interval
// kind and level, with a Wilson interval and the mean interval width.
//
// For a law over its own columns the model is the law's first variable and the curve its second
// (PointKeys::order: params and tokens for a law over those), and every message names them.
//
// Hidden rows of one model are not independent (a model's whole curve sits above or below the
// law), so the binomial intervals are too narrow by the design effect of that correlation; the
// per-split counts let a reader see it.
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/prediction_interval.hpp"

namespace shannonfit::analysis {

enum class SplitKind : unsigned char { LargestModel, Corner, LateTokens };
const char* to_string(SplitKind s);  // "largest-model" | "corner" | "late-tokens"
SplitKind parse_split_kind(const std::string& name);

struct BacktestRequest {
  const Dataset* data = nullptr;
  std::vector<const LawEntry*> laws;
  PointKeys keys;  // the laws' variables (point_keys): which one the training rows' models are
  std::vector<SplitKind> splits = {SplitKind::LargestModel, SplitKind::Corner};
  // With fewer than three model sizes neither model split can be fitted; late tokens are then
  // hidden instead (when `late_tokens_fallback`).
  bool late_tokens_fallback = true;
  double token_fraction = 0.6;  // corner / late-tokens: D beyond token_cut(data, fraction)
  std::vector<double> levels = {0.5, 0.8, 0.9, 0.95};
  BootstrapOptions bootstrap;   // scheme Cluster/Case chosen per training set when auto_scheme
  bool auto_scheme = true;
};

// One hidden row scored by one law (or the law-averaged prediction).
struct HiddenRow {
  std::string law;              // law name or "law-averaged"
  long line = 0;                // data line of the row
  double n = 0, d = 0, loss = 0;
  PredictionPoint at;           // where it lies, in the laws' places (BacktestRequest::keys)
  double estimate = 0;
  // Per level (request order): [lo, hi] of the confidence band and the prediction interval.
  std::vector<Interval> confidence, prediction;
};

struct SplitOutcome {
  SplitKind kind{};
  std::string description;      // what was hidden, e.g. "N = 1.2e10 (16 rows)"
  long train_rows = 0, hidden_rows = 0;
  std::string scheme;           // resampling used on the training rows
  int clusters = 0;
  std::vector<std::string> failed_laws;  // laws whose training fit failed (with why)
  std::vector<int> failed_resamples;     // per law in request order (-1: law failed)
  std::vector<HiddenRow> rows;
};

struct CoverageCell {
  std::string law;
  std::string kind;  // "confidence" | "prediction"
  double level = 0;
  long covered = 0, total = 0;
  Interval wilson;           // 95% Wilson interval of covered / total
  double mean_relative_width = 0;  // mean of (hi − lo) / measured loss
};

struct BacktestResult {
  std::vector<SplitOutcome> splits;
  std::vector<std::string> skipped;  // splits that could not be run, with why
  std::vector<CoverageCell> coverage;  // pooled over the splits
};

BacktestResult backtest(const BacktestRequest& request);

// Coverage cells of `rows` (any set of scored rows: one suite, or several pooled).
std::vector<CoverageCell> coverage_table(const std::vector<const HiddenRow*>& rows,
                                         const std::vector<double>& levels);

}  // namespace shannonfit::analysis
