#include "analysis/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>

#include <fmt/format.h>

#include "analysis/model_selection.hpp"
#include "analysis/uncertainty.hpp"
#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::analysis {

const char* to_string(SplitKind s) {
  switch (s) {
    case SplitKind::LargestModel: return "largest-model";
    case SplitKind::Corner: return "corner";
    case SplitKind::LateTokens: return "late-tokens";
  }
  return "unknown";
}

SplitKind parse_split_kind(const std::string& name) {
  for (SplitKind s : {SplitKind::LargestModel, SplitKind::Corner, SplitKind::LateTokens})
    if (name == to_string(s)) return s;
  throw InputError("--splits: unknown split '" + name +
                   "' (choose largest-model, corner or late-tokens)");
}

namespace {

// What a split hides along: the model (N, or a law's first own variable) and the curve along it
// (D, or the law's second), as the n and d of a dataset the split rules read (model_selection.hpp),
// and how messages name them.
struct SplitAxes {
  Dataset rows;  // n: the model, d: the curve; loss and line as the data's
  std::string model, curve;                   // "N", "D" or the law's own names
  std::string models = "model sizes", steps = "token counts";
};

SplitAxes split_axes(const Dataset& data, const PointKeys& keys) {
  SplitAxes a;
  a.rows = data;
  a.model = "N", a.curve = "D";
  if (!keys.own_columns() || keys.order.size() < 2) return a;
  const std::vector<double>& model = values_at(data, keys.order[0]);
  const std::vector<double>& curve = values_at(data, keys.order[1]);
  if (model.size() != data.size() || curve.size() != data.size()) return a;
  a.rows.n = model;
  a.rows.d = curve;
  a.model = keys.name(keys.order[0]);
  a.curve = keys.name(keys.order[1]);
  a.models = "values of " + a.model;
  a.steps = "values of " + a.curve;
  return a;
}

// The rows a split leaves to fit on.
Dataset training_rows(const Dataset& data, const std::vector<char>& hidden) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (!hidden[i]) rows.push_back(i);
  return io::subset(data, rows);
}

std::size_t distinct(const std::vector<double>& v) { return std::set<double>(v.begin(), v.end()).size(); }

std::vector<char> hidden_rows(const Dataset& data, SplitKind kind, double fraction) {
  switch (kind) {
    case SplitKind::LargestModel: return largest_model_rows(data);
    case SplitKind::Corner: return corner_rows(data, fraction);
    case SplitKind::LateTokens: return late_token_rows(data, fraction);
  }
  return {};
}

// Why `kind` cannot be run, or "" when it can.
std::string unusable(const SplitAxes& axes, SplitKind kind, const std::vector<char>& hidden,
                     double fraction) {
  const Dataset& data = axes.rows;
  const long held = std::count(hidden.begin(), hidden.end(), 1);
  const Dataset train = training_rows(data, hidden);
  if (held == 0 || train.size() == 0) return "nothing to hide or nothing left to fit";
  if (kind != SplitKind::LateTokens && distinct(train.n) < 3)
    return fmt::format("{} {} would remain to fit on (at least 3 are needed)", distinct(train.n),
                       axes.models);
  if (kind == SplitKind::Corner) {
    if (!(token_cut(data, fraction) > 0)) return "no " + axes.curve + " lies below the cut";
    if (hidden == largest_model_rows(data))
      return fmt::format("no row of the smaller {} lies beyond the {} cut (the same as "
                         "largest-model)", axes.models, axes.curve);
  }
  if (distinct(train.d) < 2) return "fewer than 2 " + axes.steps + " would remain to fit on";
  return "";
}

std::string describe_split(const SplitAxes& axes, SplitKind kind, const std::vector<char>& hidden,
                           double fraction) {
  const Dataset& data = axes.rows;
  const long held = std::count(hidden.begin(), hidden.end(), 1);
  const double max_n = *std::max_element(data.n.begin(), data.n.end());
  const std::string& m = axes.model;
  const std::string& c = axes.curve;
  switch (kind) {
    case SplitKind::LargestModel:
      return fmt::format("hide {} = {} ({} rows); fit {} < {}", m, io::format_quantity(max_n),
                         held, m, io::format_quantity(max_n));
    case SplitKind::Corner:
      return fmt::format("hide {} = {} and {} > {} ({} rows); fit the rest", m,
                         io::format_quantity(max_n), c,
                         io::format_quantity(token_cut(data, fraction)), held);
    case SplitKind::LateTokens:
      return fmt::format("hide {} > {} ({} rows); fit the rest", c,
                         io::format_quantity(token_cut(data, fraction)), held);
  }
  return "";
}

HiddenRow score_row(const std::string& law, const Dataset& data, std::size_t i, double estimate) {
  HiddenRow row;
  row.law = law;
  row.line = data.line[i];
  row.n = data.n[i];
  row.d = data.d[i];
  row.at = {data.n[i], data.d[i], data.has_x() ? data.x[i] : 0.0};
  row.loss = data.loss[i];
  row.estimate = estimate;
  return row;
}

SplitOutcome run_split(const BacktestRequest& req, const SplitAxes& axes, SplitKind kind,
                       const std::vector<char>& hidden) {
  const Dataset& data = *req.data;
  SplitOutcome out;
  out.kind = kind;
  out.description = describe_split(axes, kind, hidden, req.token_fraction);
  Dataset train = training_rows(data, hidden);
  assign_model_groups(train, req.keys);
  BootstrapOptions options = req.bootstrap;
  if (req.auto_scheme) options.scheme = default_scheme(train);
  out.scheme = to_string(options.scheme);
  out.clusters = options.scheme == Scheme::Cluster ? static_cast<int>(train.group_names.size()) : 0;
  out.train_rows = static_cast<long>(train.size());
  out.hidden_rows = std::count(hidden.begin(), hidden.end(), 1);

  std::deque<BootstrapResult> runs;
  std::vector<LawRun> law_runs;
  for (const LawEntry* law : req.laws) {
    try {
      runs.push_back(run_bootstrap(train, *law, options));
      law_runs.push_back({law, &runs.back()});
      out.failed_resamples.push_back(runs.back().failed());
    } catch (const FitError& e) {
      out.failed_laws.push_back(law->info.name + ": " + e.what());
      out.failed_resamples.push_back(-1);
    }
  }
  const Space space = options.fit.options.space;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!hidden[i]) continue;
    const PredictionPoint at{data.n[i], data.d[i], data.has_x() ? data.x[i] : 0.0};
    for (const LawRun& lr : law_runs) {
      const std::vector<double> draws = new_run_losses(lr, train, space, at);
      std::vector<double> finite;
      for (double v : draws)
        if (std::isfinite(v)) finite.push_back(v);
      HiddenRow row = score_row(lr.law->info.name, data, i,
                                predicted_loss(*lr.law, lr.run->full.params.data(), at));
      for (double level : req.levels) {
        row.confidence.push_back(shown(confidence_band(lr, at, level, {})).interval);
        row.prediction.push_back(
            bootstrap_interval("", row.estimate, finite, 0, {}, level, NAN).interval("percentile"));
      }
      out.rows.push_back(std::move(row));
    }
    if (law_runs.size() >= 2 && options.scheme != Scheme::Residual) {
      HiddenRow row = score_row("law-averaged", data, i, NAN);
      for (double level : req.levels) {
        const LawAveraged avg = law_averaged(law_runs, train, space, at, level);
        row.estimate = avg.prediction.estimate;
        row.confidence.push_back(avg.confidence.interval("percentile"));
        row.prediction.push_back(avg.prediction.interval("percentile"));
      }
      out.rows.push_back(std::move(row));
    }
  }
  return out;
}

}  // namespace

std::vector<CoverageCell> coverage_table(const std::vector<const HiddenRow*>& rows,
                                         const std::vector<double>& levels) {
  std::vector<std::string> laws;
  for (const HiddenRow* r : rows)
    if (std::find(laws.begin(), laws.end(), r->law) == laws.end()) laws.push_back(r->law);
  std::vector<CoverageCell> cells;
  for (const std::string& law : laws)
    for (const IntervalKind kind : {IntervalKind::Prediction, IntervalKind::Confidence})
      for (std::size_t l = 0; l < levels.size(); ++l) {
        CoverageCell c;
        c.law = law;
        c.kind = to_string(kind);
        c.level = levels[l];
        double width = 0;
        for (const HiddenRow* r : rows) {
          if (r->law != law) continue;
          const Interval& iv = kind == IntervalKind::Prediction ? r->prediction[l] : r->confidence[l];
          ++c.total;
          // An interval that could not be formed covers nothing: it is counted, not dropped.
          if (iv.lo <= r->loss && r->loss <= iv.hi) ++c.covered;
          if (std::isfinite(iv.lo) && std::isfinite(iv.hi)) width += (iv.hi - iv.lo) / r->loss;
        }
        c.wilson = wilson_interval(c.covered, c.total, 0.95);
        c.mean_relative_width = c.total > 0 ? width / c.total : NAN;
        cells.push_back(c);
      }
  return cells;
}

BacktestResult backtest(const BacktestRequest& req) {
  const Dataset& data = *req.data;
  if (data.size() == 0) throw InputError(data.source + ": no rows to backtest");
  for (double level : req.levels) validate_level(level);
  BacktestResult result;
  std::vector<SplitKind> splits = req.splits;
  const SplitAxes axes = split_axes(data, req.keys);
  const auto try_split = [&](SplitKind kind) {
    const std::vector<char> hidden = hidden_rows(axes.rows, kind, req.token_fraction);
    const std::string why = unusable(axes, kind, hidden, req.token_fraction);
    if (!why.empty()) {
      result.skipped.push_back(std::string(to_string(kind)) + ": " + why);
      return false;
    }
    result.splits.push_back(run_split(req, axes, kind, hidden));
    return true;
  };
  bool any = false;
  for (SplitKind kind : splits) any = try_split(kind) || any;
  const bool late_asked =
      std::find(splits.begin(), splits.end(), SplitKind::LateTokens) != splits.end();
  if (!any && req.late_tokens_fallback && !late_asked) try_split(SplitKind::LateTokens);
  std::vector<const HiddenRow*> rows;
  for (const SplitOutcome& s : result.splits)
    for (const HiddenRow& r : s.rows) rows.push_back(&r);
  result.coverage = coverage_table(rows, req.levels);
  return result;
}

}  // namespace shannonfit::analysis
