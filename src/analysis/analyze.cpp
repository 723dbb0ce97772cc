#include "analysis/analyze.hpp"

#include <algorithm>
#include <deque>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "analysis/compute_optimal.hpp"
#include "analysis/fit_stats.hpp"
#include "analysis/law_value.hpp"
#include "analysis/model_selection.hpp"
#include "analysis/prediction_interval.hpp"
#include "analysis/result_json.hpp"
#include "analysis/uncertainty.hpp"
#include "io/csv.hpp"
#include "laws/equivalence.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::analysis {

using nlohmann::json;
using report::number;
using report::Table;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kCurveSizes = 8;      // model sizes drawn as curves; more would not be readable
constexpr int kCurvePoints = 48;    // points per curve
constexpr int kPerturbationSettings = 6;
// The figures' bands (curves.csv): the percentile interval at each point of a curve.
constexpr std::string_view kCurveMethod = "percentile";

const std::string kConfidence = to_string(IntervalKind::Confidence);
const std::string kPrediction = to_string(IntervalKind::Prediction);

Quantity loss_at(const LawEntry& law, const PredictionPoint& at) {
  return [&law, at](const double* p) { return predicted_loss(law, p, at); };
}

std::vector<double> log_grid(double lo, double hi, int count) {
  std::vector<double> g(count);
  for (int i = 0; i < count; ++i)
    g[i] = std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * i / (count - 1));
  return g;
}

// At most `count` values spread evenly (by rank) over the sorted distinct values, ends kept.
std::vector<double> spread(const std::set<double>& values, int count) {
  std::vector<double> all(values.begin(), values.end());
  if (static_cast<int>(all.size()) <= count) return all;
  std::vector<double> out;
  for (int i = 0; i < count; ++i)
    out.push_back(all[static_cast<std::size_t>(std::lround(i * (all.size() - 1.0) / (count - 1)))]);
  return out;
}

// A table's header: `before`, a column per variable of the points (PointKeys::table_places),
// then `after`.
std::vector<std::string> with_places(std::vector<std::string> before, const PointKeys& keys,
                                     const std::vector<std::string>& after) {
  for (char place : keys.table_places()) before.push_back(keys.name(place));
  before.insert(before.end(), after.begin(), after.end());
  return before;
}

// Row i of the data as a point.
PredictionPoint row_point(const Dataset& data, std::size_t i) {
  return {data.n[i], data.d[i], data.has_x() ? data.x[i] : kNaN};
}

struct Ranges {
  double d_lo, d_hi, x_lo = 0, x_hi = 0;
  std::set<double> sizes;
};

Ranges ranges(const Dataset& data, const std::vector<Target>& targets) {
  Ranges r;
  r.d_lo = *std::min_element(data.d.begin(), data.d.end()) / 1.5;
  r.d_hi = *std::max_element(data.d.begin(), data.d.end()) * 1.5;
  for (const auto& t : targets) r.d_hi = std::max(r.d_hi, t.at.d * 1.2);
  r.sizes.insert(data.n.begin(), data.n.end());
  if (data.has_x()) {
    r.x_lo = *std::min_element(data.x.begin(), data.x.end());
    r.x_hi = *std::max_element(data.x.begin(), data.x.end());
  }
  return r;
}

class Builder {
 public:
  Builder(const AnalyzeRequest& req, report::Folder& folder, std::string split_note)
      : req_(req), data_(*req.data), folder_(folder), range_(ranges(data_, req.targets)),
        split_note_(std::move(split_note)) {}

  void add_data_table() {
    Table t(with_places({"line"}, req_.keys, {"loss", "weight"}));
    for (std::size_t i = 0; i < data_.size(); ++i)
      place_cells(t.row().cell(data_.line[i]), row_point(data_, i))
          .cell(data_.loss[i]).cell(data_.weight.empty() ? 1.0 : data_.weight[i]);
    folder_.tables.emplace("data.csv", std::move(t));
  }

  void add_law(const LawEntry& law, BootstrapResult&& moved) {
    runs_.push_back({&law, std::move(moved)});
    const BootstrapResult& run = runs_.back().run;
    const FitSummary summary = summarize_fit(law, run.full, data_, req_.bootstrap.fit.options);
    const auto intervals = parameter_intervals(run, law.info, req_.level, summary.covariance);
    json j = {{"name", law.info.name},
              {"formula", law.info.formula},
              {"source", law.info.source},
              {"note", law.info.note},
              {"fit", fit_json(fit_record(run.plan, data_, data_.source, run.full, run.full_starts))},
              {"resamples", static_cast<long>(run.resamples.size())},
              {"failed_resamples", run.failed()},
              {"scheme", to_string(run.scheme)}};
    json params = json::array();
    for (std::size_t k = 0; k < intervals.size(); ++k) {
      const ParameterEstimate& est = summary.params[k];
      const QuantityInterval& q = intervals[k];
      const ShownInterval chosen = shown(q, *req_.method);
      const Interval& iv = chosen.interval;
      params.push_back({{"name", est.reported_name},
                        {"solver_name", est.name},
                        {"value", number(est.reported_value)},
                        {"se", number(est.reported_se)},
                        {"bootstrap_se", number(q.se)},
                        {"lo", number(iv.lo)},
                        {"hi", number(iv.hi)},
                        {"kind", kConfidence},
                        {"level", req_.level},
                        {"method", chosen.method->name},
                        {"identified", est.identified},
                        {"at_bound", est.at_bound}});
      params_.row().cell(law.info.name).cell(est.reported_name).cell(est.reported_value)
          .cell(est.reported_se).cell(q.se).cell(iv.lo).cell(iv.hi)
          .cell(std::string(est.identified ? "true" : "false"))
          .cell(std::string(est.at_bound ? "true" : "false")).cell(kConfidence).cell(req_.level);
      if (!est.identified)
        diagnostics_.push_back(fmt::format(
            "WARNING {}: parameter {} is not identified by this data (a flat direction of the "
            "fit); its standard error is omitted.", law.info.name, est.reported_name));
      if (est.at_bound)
        diagnostics_.push_back(fmt::format(
            "WARNING {}: parameter {} sits on its bound; its standard error ignores the "
            "constraint.",
            law.info.name, est.reported_name));
    }
    j["params"] = params;
    laws_.push_back(j);

    const std::string warning = best_fit_warning(law.info, run.full);
    if (!warning.empty()) diagnostics_.push_back("WARNING " + law.info.name + ": " + warning + ".");
    const StartOutcomes& starts = run.full_starts;
    if (starts.total() > starts.converged)
      diagnostics_.push_back(fmt::format("{}: full-data fit from {} (the best one is used).",
                                         law.info.name, describe(starts)));
    if (run.failed() > 0)
      diagnostics_.push_back(fmt::format("{}: {} of {} bootstrap resamples failed to fit and are "
                                         "left out of every interval.", law.info.name,
                                         run.failed(), run.resamples.size()));
    if (!law.info.note.empty()) diagnostics_.push_back(law.info.name + ": " + law.info.note);

    Score score;
    score.law = &law;
    score.fit_warning = warning;
    score.quality = summary.quality;
    score.plan = run.plan;
    score.full = run.full;
    scores_.push_back(std::move(score));
    add_fitted(law, run, summary.quality.space);
    add_predictions(law, run, summary.covariance, summary.quality.space);
    add_compute_optimal(law, run, summary.covariance);
    add_curves(law, run);
    add_draws(law, run);
  }

  // How the rows were resampled and whether there were enough resamples and models for the
  // level asked, in report.json and (as warnings) in the diagnostics.
  void describe_resampling(json& j) {
    const bool cluster = req_.bootstrap.scheme == Scheme::Cluster;
    const int clusters = static_cast<int>(data_.group_names.size());
    j["bootstrap"] = {{"scheme", to_string(req_.bootstrap.scheme)},
                      {"grouping", req_.grouping},
                      {"clusters", cluster ? clusters : 0},
                      {"resamples", req_.bootstrap.resamples},
                      {"min_resamples", min_resamples(req_.level)},
                      {"level", req_.level}};
    if (cluster)
      diagnostics_.insert(diagnostics_.begin(),
                          fmt::format("Bootstrap resamples whole models ({} clusters: {}), "
                                      "since rows of one model are not independent.",
                                      clusters, req_.grouping));
    else if (!req_.grouping.empty())
      diagnostics_.insert(diagnostics_.begin(),
                          fmt::format("Bootstrap resamples single rows ({} scheme, chosen) "
                                      "although rows share models ({}): intervals ignore the "
                                      "correlation within a model.",
                                      to_string(req_.bootstrap.scheme), req_.grouping));
    const std::string few = resample_count_warning(req_.bootstrap.resamples, req_.level);
    if (!few.empty()) diagnostics_.insert(diagnostics_.begin(), "WARNING bootstrap: " + few + ".");
    if (cluster) {
      const std::string few_models = cluster_count_warning(clusters, req_.level);
      if (!few_models.empty())
        diagnostics_.insert(diagnostics_.begin(), "WARNING bootstrap: " + few_models + ".");
    }
  }

  void add_failure(const LawEntry& law, const std::string& why) {
    laws_.push_back({{"name", law.info.name}, {"formula", law.info.formula},
                     {"source", law.info.source}, {"note", law.info.note}, {"fit", nullptr},
                     {"error", why}, {"params", json::array()}});
    diagnostics_.push_back(law.info.name + ": " + why);
  }

  void finish() {
    auto& j = folder_.json;
    j["confidence"] = req_.level;
    // What the tables' variable columns and "loss" column hold, for readers and the figures.
    j["variables"] = json::array();
    for (char place : req_.keys.table_places()) j["variables"].push_back(req_.keys.name(place));
    j["response"] = req_.response;
    describe_resampling(j);
    j["laws"] = laws_;
    add_selection();
    j["predictions"] = predictions_json_;
    if (req_.budget > 0) j["compute_optimal"] = optimal_json_;
    j["headline"] = headline();
    j["diagnostics"] = diagnostics_;
    folder_.tables.emplace("params.csv", std::move(params_));
    folder_.tables.emplace("predictions.csv", std::move(predictions_));
    folder_.tables.emplace("fitted.csv", std::move(fitted_));
    folder_.tables.emplace("curves.csv", std::move(curves_));
    folder_.tables.emplace("bootstrap.csv", std::move(draws_));
    if (req_.budget > 0) folder_.tables.emplace("compute_optimal.csv", std::move(optimal_));
  }

 private:
  struct Score {
    const LawEntry* law = nullptr;
    // Laws that are one function share it (laws/equivalence.hpp: fitted_candidates): the index
    // into scores_ of the first of them, and its name.
    std::size_t candidate_index = 0;
    std::string candidate;
    std::string fit_warning;  // the full-data fit's warning (on a bound, not converged); "" none
    FitQuality quality;
    FitPlan plan;              // how the law was fitted
    FitResult full;            // the full-data fit
    CvResult kfold, logo;
    HoldoutResult holdout;
    double win_rate = kNaN;
    double key = kNaN;         // what the ranking compares (lower is better)
  };

  void add_fitted(const LawEntry& law, const BootstrapResult& run, Space space) {
    const std::vector<double> y = targets(data_, space);
    const std::vector<double> yhat = predict(law, run.full.params.data(), data_, space);
    for (std::size_t i = 0; i < data_.size(); ++i) {
      const double x = data_.has_x() ? data_.x[i] : 0.0;
      const double fitted = prediction_in_space(law, run.full.params.data(), std::log(data_.n[i]),
                                                std::log(data_.d[i]), x, Space::Linear);
      place_cells(fitted_.row().cell(law.info.name).cell(data_.line[i]), row_point(data_, i))
          .cell(data_.loss[i]).cell(fitted).cell(y[i] - yhat[i]);
    }
  }

  // Both kinds at every target: the confidence band of the mean curve and the prediction
  // interval of a new run's loss, each a row of its own naming kind and level.
  void add_predictions(const LawEntry& law, const BootstrapResult& run,
                       const std::vector<double>& covariance, Space space) {
    const LawRun lr{&law, &run};
    for (const Target& t : req_.targets) {
      const QuantityInterval band = confidence_band(lr, t.at, req_.level, covariance, t.label);
      const QuantityInterval pred = prediction_interval(lr, data_, space, t.at, req_.level, t.label);
      for (const auto& [kind, q] : {std::pair<const std::string&, const QuantityInterval&>{kConfidence, band},
                                    {kPrediction, pred}}) {
        const ShownInterval chosen = shown(q, *req_.method);
        const Interval& iv = chosen.interval;
        place_cells(predictions_.row().cell(law.info.name).cell(t.label), t.at)
            .cell(q.estimate).cell(iv.lo).cell(iv.hi).cell(q.se).cell(kind).cell(req_.level);
        json p = {{"law", law.info.name}, {"label", t.label}, {"N", t.at.n}, {"D", t.at.d},
                  {"at", point_json(req_.keys, t.at)}, {"kind", kind}, {"level", req_.level},
                  {"method", chosen.method->name},
                  {"loss", number(q.estimate)}, {"lo", number(iv.lo)}, {"hi", number(iv.hi)},
                  {"se", number(q.se)}, {"invalid_resamples", q.invalid}};
        if (data_.has_x()) p["x"] = t.at.x;
        predictions_json_.push_back(p);
      }
    }
  }

  // N*, D* and L* at the budget, each with its bootstrap interval: an optimum is only as
  // certain as the exponents behind it.
  void add_compute_optimal(const LawEntry& law, const BootstrapResult& run,
                           const std::vector<double>& covariance) {
    if (!(req_.budget > 0)) return;
    if (const std::string why = compute_optimal_unavailable(law); !why.empty()) {
      diagnostics_.push_back(law.info.name + ": no compute-optimal split: " + why + ".");
      return;
    }
    ComputeOptimalOptions o;
    o.x = req_.budget_x;
    validate(o, req_.budget);
    const Optimum best = compute_optimal(law, run.full.params.data(), req_.budget, o);
    json j = {{"law", law.info.name}, {"budget", req_.budget}, {"ok", best.ok},
              {"on_bound", best.on_bound}};
    const std::pair<const char*, double Optimum::*> parts[] = {
        {"N", &Optimum::n}, {"D", &Optimum::d}, {"loss", &Optimum::loss}};
    for (const auto& [name, member] : parts) {
      const Quantity q = [&, member = member](const double* p) {
        const Optimum opt = compute_optimal(law, p, req_.budget, o);
        return opt.ok ? opt.*member : kNaN;
      };
      const QuantityInterval qi = quantity_interval(run, name, q, req_.level, covariance);
      const ShownInterval chosen = shown(qi, *req_.method);
      const Interval& iv = chosen.interval;
      j[name] = {{"value", number(qi.estimate)}, {"lo", number(iv.lo)}, {"hi", number(iv.hi)},
                 {"kind", kConfidence}, {"level", req_.level}, {"method", chosen.method->name}};
      optimal_.row().cell(law.info.name).cell(req_.budget).cell(std::string(name))
          .cell(qi.estimate).cell(iv.lo).cell(iv.hi)
          .cell(std::string(best.on_bound ? "true" : "false")).cell(kConfidence).cell(req_.level);
    }
    if (best.on_bound)
      diagnostics_.push_back(fmt::format("WARNING {}: the compute-optimal N at C = {} lies on "
                                         "the edge of the searched range; the optimum may be "
                                         "beyond it.",
                                         law.info.name, io::format_quantity(req_.budget)));
    optimal_json_.push_back(j);
  }

  // The point's values in the columns with_places gave the table.
  Table& place_cells(Table& t, const PredictionPoint& at) const {
    for (char place : req_.keys.table_places()) t.cell(value_at(at, place));
    return t;
  }

  void curve_point(const LawEntry& law, const BootstrapResult& run, const char* kind,
                   const PredictionPoint& at) {
    const QuantityInterval q = quantity_interval(run, "", loss_at(law, at), req_.level, {});
    const Interval& band = q.interval(kCurveMethod);
    place_cells(curves_.row().cell(law.info.name).cell(std::string(kind)), at)
        .cell(q.estimate).cell(band.lo).cell(band.hi).cell(kConfidence).cell(req_.level);
  }

  // A law over its own columns: the law against the variable the data vary most, one curve per
  // value (at most kCurveSizes, the targets' added) of the next, any third held at its median.
  void add_variable_curves(const LawEntry& law, const BootstrapResult& run) {
    std::vector<std::pair<std::size_t, char>> by_spread;
    for (char place : req_.keys.table_places()) {
      const std::vector<double>& v = column_of(place);
      by_spread.push_back({std::set<double>(v.begin(), v.end()).size(), place});
    }
    std::stable_sort(by_spread.begin(), by_spread.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const char sweep = by_spread[0].second;
    PredictionPoint base{1, 1, 0};
    if (by_spread.size() > 2) {
      std::vector<double> v = column_of(by_spread[2].second);
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      value_at(base, by_spread[2].second) = v[v.size() / 2];
    }
    std::vector<double> family{0};
    const char family_place = by_spread.size() > 1 ? by_spread[1].second : 0;
    if (family_place) {
      const std::vector<double>& v = column_of(family_place);
      family = spread(std::set<double>(v.begin(), v.end()), kCurveSizes);
      for (const Target& t : req_.targets)
        if (std::find(family.begin(), family.end(), value_at(t.at, family_place)) == family.end())
          family.push_back(value_at(t.at, family_place));
    }
    const std::vector<double>& swept = column_of(sweep);
    double lo = *std::min_element(swept.begin(), swept.end());
    double hi = *std::max_element(swept.begin(), swept.end());
    for (const Target& t : req_.targets) {
      lo = std::min(lo, value_at(t.at, sweep));
      hi = std::max(hi, value_at(t.at, sweep));
    }
    // Positive scales on a log grid with a margin, as the token curves; other columns evenly.
    const bool positive = lo > 0;
    std::vector<double> grid(kCurvePoints);
    if (positive) {
      grid = log_grid(lo / 1.5, hi * 1.5, kCurvePoints);
    } else {
      for (int i = 0; i < kCurvePoints; ++i) grid[i] = lo + (hi - lo) * i / (kCurvePoints - 1);
    }
    for (double f : family)
      for (double v : grid) {
        PredictionPoint at = base;
        if (family_place) value_at(at, family_place) = f;
        value_at(at, sweep) = v;
        curve_point(law, run, "sweep", at);
      }
  }

  const std::vector<double>& column_of(char place) const {
    return place == 'n' ? data_.n : place == 'd' ? data_.d : data_.x;
  }

  void add_curves(const LawEntry& law, const BootstrapResult& run) {
    if (req_.keys.own_columns()) return add_variable_curves(law, run);
    std::set<double> sizes(range_.sizes);
    std::vector<double> drawn = spread(sizes, kCurveSizes);
    for (const Target& t : req_.targets)
      if (std::find(drawn.begin(), drawn.end(), t.at.n) == drawn.end()) drawn.push_back(t.at.n);
    const std::vector<double> grid = log_grid(range_.d_lo, range_.d_hi, kCurvePoints);
    for (double n : drawn)
      for (double d : grid) curve_point(law, run, "tokens", {n, d, range_.x_lo});
    if (law.info.needs != Needs::Perturbation || !(range_.x_hi > range_.x_lo)) return;
    // Settings that were measured at several strengths are the ones with a basin to show.
    std::map<std::pair<double, double>, std::set<double>> strengths;
    for (std::size_t i = 0; i < data_.size(); ++i) strengths[{data_.n[i], data_.d[i]}].insert(data_.x[i]);
    std::vector<std::pair<double, double>> settings;
    for (const auto& [nd, xs] : strengths)
      if (xs.size() > 1) settings.push_back(nd);
    if (static_cast<int>(settings.size()) > kPerturbationSettings) {
      std::vector<std::pair<double, double>> picked;
      for (int i = 0; i < kPerturbationSettings; ++i)
        picked.push_back(settings[static_cast<std::size_t>(
            std::lround(i * (settings.size() - 1.0) / (kPerturbationSettings - 1)))]);
      settings = picked;
    }
    for (const auto& [n, d] : settings)
      for (int i = 0; i < kCurvePoints; ++i)
        curve_point(law, run, "perturbation",
                    {n, d,
                     range_.x_lo + (range_.x_hi * 1.1 - range_.x_lo) * i / (kCurvePoints - 1)});
  }

  void add_draws(const LawEntry& law, const BootstrapResult& run) {
    for (std::size_t r = 0; r < run.resamples.size(); ++r) {
      if (!run.resamples[r].ok()) continue;
      const std::vector<double> p = reported_params(law.info, run.resamples[r].params.data());
      for (std::size_t k = 0; k < p.size(); ++k)
        draws_.row().cell(law.info.name).cell(static_cast<long>(r))
            .cell(law.info.params[k].reported_name).cell(p[k]);
    }
  }

  // Out-of-sample checks of every law, each refit starting from its full-data optimum (as the
  // bootstrap's resamples do): k-fold CV (only when the rows are not grouped: random folds over
  // a model's checkpoints leak between folds), leave-one-model-out CV, the held-out split, and
  // the bootstrap win-rate (whole models under the cluster scheme). Laws are ranked by
  // held-out error, else leave-one-model-out error, else k-fold error, else AICc.
  void run_selection() {
    const bool split = !req_.held_out.empty();
    const bool grouped = data_.group_names.size() >= 2;
    std::vector<int> folds;
    if (req_.kfold >= 2 && !grouped)
      folds = kfold_assignment(data_.size(), req_.kfold, req_.bootstrap.seed);
    std::vector<LawFitter> fitters;
    for (Score& s : scores_) {
      const LawFitter f = refits_of(s.plan, s.full);
      if (!folds.empty()) s.kfold = cross_validate(f, data_, folds, req_.kfold);
      if (grouped)
        s.logo = cross_validate(f, data_, data_.group, static_cast<int>(data_.group_names.size()));
      if (split) s.holdout = evaluate_holdout(f, data_, req_.held_out);
      s.key = split     ? s.holdout.pooled.mse
              : grouped ? s.logo.mse
              : !folds.empty() ? s.kfold.mse
                               : s.quality.criteria.aicc;
      fitters.push_back(f);
    }
    ranked_by_ = split              ? "held-out MSE" + split_note_
                 : grouped          ? std::string("leave-one-model-out CV MSE")
                 : !folds.empty()   ? std::to_string(req_.kfold) + "-fold CV MSE"
                                    : "AICc";
    std::vector<FittedLaw> fitted;
    for (const Score& s : scores_) fitted.push_back({s.law, s.full.params.data()});
    const std::vector<std::size_t> candidate = fitted_candidates(fitted, data_);
    for (std::size_t l = 0; l < scores_.size(); ++l) {
      scores_[l].candidate_index = candidate[l];
      scores_[l].candidate = candidate_name(*scores_[candidate[l]].law);
    }
    if (fitters.size() < 2) return;
    const Scheme scheme = req_.bootstrap.scheme == Scheme::Cluster ? Scheme::Cluster : Scheme::Case;
    const WinRates w =
        bootstrap_win_rates(fitters, data_, split ? &req_.held_out : nullptr,
                            req_.bootstrap.resamples, req_.bootstrap.seed, scheme, candidate);
    win_valid_ = w.valid;
    for (std::size_t l = 0; l < scores_.size(); ++l) scores_[l].win_rate = w.rate[l];
  }

  void add_selection() {
    Table t({"law", "candidate", "k", "n", "rss", "r2", "aic", "aicc", "bic", "delta_aic",
             "delta_bic", "akaike_weight", "cv_mse", "logo_mse", "holdout_mse", "holdout_r2",
             "win_rate"});
    json& sel = folder_.json["selection"];
    if (scores_.empty()) {
      folder_.tables.emplace("selection.csv", std::move(t));
      return;
    }
    run_selection();
    std::vector<const Score*> order;
    for (const Score& s : scores_) order.push_back(&s);
    // Laws that are one function rank as their candidate: side by side, so that rounding never
    // puts one name of a function above another.
    std::stable_sort(order.begin(), order.end(), [this](const Score* a, const Score* b) {
      const std::size_t ca = a->candidate_index, cb = b->candidate_index;
      if (ca == cb) return false;
      const double ka = scores_[ca].key, kb = scores_[cb].key;
      if (std::isfinite(ka) != std::isfinite(kb)) return std::isfinite(ka);
      if (ka != kb) return ka < kb;
      return ca < cb;
    });
    const bool split = !req_.held_out.empty();
    SelectionSummary summary;
    summary.ranked_by = ranked_by_;
    summary.win_rate_resamples_used = win_valid_;
    if (req_.bootstrap.resamples > 0) summary.win_rate_scheme = to_string(req_.bootstrap.scheme);
    int rank = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
      const Score& s = *order[i];
      if (i == 0 || s.candidate_index != order[i - 1]->candidate_index) ++rank;
      SelectionEntry e;
      e.law = s.law;
      e.candidate = s.candidate;
      e.rank = rank;
      e.quality = s.quality;
      e.cv_mse = s.kfold.mse;
      e.logo_mse = s.logo.mse;
      if (split) {
        e.holdout_mse = s.holdout.pooled.mse;
        e.holdout_r2 = s.holdout.pooled.r2;
      }
      e.win_rate = s.win_rate;
      summary.laws.push_back(std::move(e));
    }
    sel = selection_json(summary);
    // The table is the JSON's rows, so the two never disagree.
    for (const json& row : sel["laws"]) {
      auto value = [&row](const char* key) {
        return row[key].is_null() ? kNaN : row[key].get<double>();
      };
      t.row().cell(row["law"].get<std::string>()).cell(row["candidate"].get<std::string>())
          .cell(row["k"].get<long>()).cell(value("n")).cell(value("rss")).cell(value("r2"))
          .cell(value("aic")).cell(value("aicc")).cell(value("bic")).cell(value("delta_aic"))
          .cell(value("delta_bic")).cell(value("akaike_weight")).cell(value("cv_mse"))
          .cell(value("logo_mse")).cell(value("holdout_mse")).cell(value("holdout_r2"))
          .cell(value("win_rate"));
    }
    winner_ = order.front()->law->info.name;
    sel["ranked_by"] = ranked_by_;
    sel["method"] = fmt::format(
        "Laws ranked by {}. Laws that are one function in two parametrisations are one "
        "candidate (the candidate column). Cross-validation and win-rate refits start from each "
        "law's full-data optimum. Win rate: share of the {} usable bootstrap resamples (of {}; "
        "{}) in which the law's candidate had the lowest {} error, ties split. Akaike weights exp(-ΔAIC/2) are normalised over the laws "
        "(Gaussian likelihood of the fit-space residuals); Burnham & Anderson (2002) read ΔAIC "
        "below 2 as both laws well supported, 4-7 as considerably less, above 10 as essentially "
        "none.",
        ranked_by_, win_valid_, req_.bootstrap.resamples,
        req_.bootstrap.scheme == Scheme::Cluster ? "whole models resampled" : "rows resampled",
        split ? "held-out" : "out-of-bag");
    sel["winner"] = winner_;
    sel["verdict"] = verdict(order);
    folder_.tables.emplace("selection.csv", std::move(t));
  }

  // A verdict names a winner only when the evidence determines one: two candidates, enough
  // resamples for the interval level, no tie, a winner whose full fit converged off its bounds,
  // and a win rate whose 95% Wilson interval lies above one half (or, without win rates, an AIC
  // lead above 2). Otherwise it says "not determined" and why.
  std::string verdict(const std::vector<const Score*>& order) const {
    const Score& first = *order.front();
    const Score* second = nullptr;
    for (const Score* s : order)
      if (s->candidate != first.candidate) {
        second = s;
        break;
      }
    if (!second)
      return first.candidate + " is the only candidate fitted" +
             (order.size() > 1 ? " (the other laws are the same function)." : ".");
    const std::string lead = fmt::format("lowest {}: {} ({:.4g}, against {:.4g} for {})",
                                         ranked_by_, first.law->info.name, first.key, second->key,
                                         second->law->info.name);
    const auto undetermined = [&](const std::string& why) {
      return "Not determined: " + lead + ", but " + why + ".";
    };
    if (!std::isfinite(first.key)) return "Not determined: no law could be scored by " + ranked_by_ + ".";
    if (std::isfinite(second->key) && std::abs(first.key - second->key) <= 1e-9 * std::abs(first.key))
      return undetermined("the two are tied");
    if (!first.fit_warning.empty())
      return undetermined("its full-data fit is not a verified optimum (" + first.fit_warning + ")");
    const double rate = first.win_rate;
    const double gap = second->quality.criteria.aic - first.quality.criteria.aic;
    const std::string aic = fmt::format("ΔAIC ({} − {}) = {:.3g}", second->law->info.name,
                                        first.law->info.name, gap);
    if (!std::isfinite(rate)) {
      if (!(gap > 2)) return undetermined(aic + ", not above 2");
      return fmt::format("{} wins {}: {}; {}.", first.law->info.name,
                         gap > 10 ? "decisively" : gap > 4 ? "clearly" : "modestly", lead, aic);
    }
    const int needed = min_resamples(req_.level);
    if (win_valid_ < needed)
      return undetermined(fmt::format("only {} usable bootstrap resamples (at least {} are needed "
                                      "at the {:.4g}% level)", win_valid_, needed,
                                      100 * req_.level));
    const long won = std::lround(rate * win_valid_);
    const Interval ci = wilson_interval(won, win_valid_, 0.95);
    const std::string rate_text = fmt::format(
        "lowest {} error in {:.0f}% of {} bootstrap resamples (95% Wilson interval {:.0f}–{:.0f}%)",
        req_.held_out.empty() ? "out-of-bag" : "held-out", 100 * rate, win_valid_, 100 * ci.lo,
        100 * ci.hi);
    if (!(ci.lo > 0.5)) return undetermined(rate_text);
    const char* strength = rate >= 0.95 ? "decisively" : rate >= 0.75 ? "clearly" : "modestly";
    // The ranking's evidence (held-out or cross-validated error) can disagree with the in-sample
    // AIC: a law that fits the rows best need not predict beyond them. Say so instead of letting
    // a negative ΔAIC read as support.
    const std::string aic_reading =
        gap < -2 ? fmt::format("in-sample, the AIC favours {} instead ({})", second->law->info.name,
                               aic)
                 : aic;
    return fmt::format("{} wins {}: {}; {}; {}.", first.law->info.name, strength, lead, rate_text,
                       aic_reading);
  }

  // Why the law average and the verdict may favour different laws, and whether they do here: the
  // average picks per resample by out-of-bag error so that its interval carries the uncertainty
  // of the choice; the verdict ranks by the protocol that answers "which law to trust" (held-out
  // error on the split when there is one). Both are right for their question; a reader must not
  // see two unexplained "best laws".
  std::string law_choice(const LawAveraged& avg) const {
    std::string text = fmt::format(
        "The law average picks, in each resample, the law with the lowest out-of-bag error, so "
        "that its interval includes the uncertainty of the choice of law; the verdict ranks the "
        "laws by {}.",
        ranked_by_);
    const auto most = std::max_element(avg.picked.begin(), avg.picked.end());
    if (most == avg.picked.end() || scores_.empty()) return text;
    const std::string& picked = avg.candidates[most - avg.picked.begin()];
    const Score* first = nullptr;
    for (const Score& s : scores_)
      if (s.law->info.name == winner_) first = &s;
    if (!first || first->candidate == picked) return text + " Here both favour " + picked + ".";
    return text + fmt::format(
                      " Here they differ: the average picked {} most often ({:.0f}% of "
                      "resamples), the ranking puts {} first. For a prediction, read the "
                      "averaged interval; for which law to trust, the verdict.",
                      picked, 100 * *most, first->candidate);
  }

  // The first target's answer: the law-averaged prediction interval (the winner's when only one
  // candidate was fitted, or under the residual scheme, which leaves no rows out of bag), its
  // confidence band, and each law's prediction interval with the spread of their estimates.
  json headline() const {
    if (req_.targets.empty() || runs_.empty()) return nullptr;
    const Target& t = req_.targets.front();
    json target = {{"label", t.label}, {"N", t.at.n}, {"D", t.at.d},
                   {"at", point_json(req_.keys, t.at)}};
    if (data_.has_x()) target["x"] = t.at.x;
    json laws = json::array();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const json& p : predictions_json_) {
      if (p["label"] != t.label || p["kind"] != kPrediction) continue;
      laws.push_back({{"law", p["law"]}, {"estimate", p["loss"]}, {"lower", p["lo"]},
                      {"upper", p["hi"]}, {"kind", kPrediction}, {"level", req_.level}});
      if (p["loss"].is_number()) {
        lo = std::min(lo, p["loss"].get<double>());
        hi = std::max(hi, p["loss"].get<double>());
      }
    }
    json h = {{"target", target}, {"kind", kPrediction}, {"level", req_.level},
              {"laws", laws}, {"spread", {{"min", number(lo)}, {"max", number(hi)}}}};
    std::vector<LawRun> runs;
    for (const KeptRun& k : runs_) runs.push_back({k.law, &k.run});
    std::vector<FittedLaw> fitted;
    for (const LawRun& lr : runs) fitted.push_back({lr.law, lr.run->full.params.data()});
    const std::vector<std::size_t> candidate = fitted_candidates(fitted, data_);
    std::size_t candidates = 0;
    for (std::size_t i = 0; i < candidate.size(); ++i) candidates += candidate[i] == i;
    if (candidates >= 2 && req_.bootstrap.scheme != Scheme::Residual) {
      const LawAveraged avg =
          law_averaged(runs, data_, req_.bootstrap.fit.options.space, t.at, req_.level);
      h["estimate"] = number(avg.prediction.estimate);
      h["lower"] = number(avg.prediction.interval("percentile").lo);
      h["upper"] = number(avg.prediction.interval("percentile").hi);
      h["law"] = "law-averaged";
      h["method"] = std::string(kPredictionMethod) + "; " + kLawAveragedMethod;
      h["confidence_band"] = {{"lower", number(avg.confidence.interval("percentile").lo)},
                              {"upper", number(avg.confidence.interval("percentile").hi)},
                              {"kind", kConfidence}};
      json picked = json::object();
      for (std::size_t c = 0; c < avg.candidates.size(); ++c)
        picked[avg.candidates[c]] = avg.picked[c];
      h["picked"] = picked;
      h["resamples_used"] = avg.used;
      h["law_choice"] = law_choice(avg);
      return h;
    }
    for (const json& p : predictions_json_) {
      if (p["label"] != t.label || p["law"] != winner_) continue;
      if (p["kind"] == kPrediction) {
        h["estimate"] = p["loss"];
        h["lower"] = p["lo"];
        h["upper"] = p["hi"];
      } else {
        h["confidence_band"] = {{"lower", p["lo"]}, {"upper", p["hi"]}, {"kind", kConfidence}};
      }
    }
    h["law"] = winner_;
    h["method"] = kPredictionMethod;
    return h;
  }

  const AnalyzeRequest& req_;
  const Dataset& data_;
  report::Folder& folder_;
  Ranges range_;
  std::string split_note_;  // why the held-out rows are what they are, when analyze chose them
  json laws_ = json::array();
  json predictions_json_ = json::array();
  json optimal_json_ = json::array();
  std::vector<std::string> diagnostics_;
  std::vector<Score> scores_;
  std::string winner_;
  std::string ranked_by_;
  int win_valid_ = 0;
  Table params_{{"law", "param", "value", "se", "bootstrap_se", "lo", "hi", "identified",
                 "at_bound", "interval", "level"}};
  Table predictions_{with_places({"law", "label"}, req_.keys,
                                 {"loss", "lo", "hi", "se", "kind", "level"})};
  Table fitted_{with_places({"law", "line"}, req_.keys, {"loss", "fitted", "residual"})};
  Table curves_{with_places({"law", "kind"}, req_.keys, {"loss", "lo", "hi", "interval", "level"})};
  Table draws_{{"law", "resample", "param", "value"}};
  Table optimal_{{"law", "budget", "quantity", "value", "lo", "hi", "on_bound", "interval",
                  "level"}};
  struct KeptRun {
    const LawEntry* law;
    BootstrapResult run;
  };
  std::deque<KeptRun> runs_;  // every fitted law's bootstrap, for the law-averaged headline
};

}  // namespace

namespace {

// The ranking that matters for a prediction beyond the data is how well each law extrapolates:
// with no split given, a target beyond the largest model holds out the largest model's rows
// (when at least three sizes remain to fit on), and a target beyond the longest run the rows
// beyond 60% of the largest D. A law over its own columns holds out, the same way, the rows
// beyond 60% of the first positive variable a target lies beyond. Returns the note the ranking
// carries; "" leaves the request as is.
std::string extrapolation_protocol(AnalyzeRequest& req) {
  const Dataset& data = *req.data;
  if (!req.held_out.empty() || req.targets.empty() || data.size() == 0) return "";
  std::vector<char> held;
  std::string note;
  if (req.keys.own_columns()) {
    for (char place : req.keys.table_places()) {
      const std::vector<double>& v = values_at(data, place);
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      bool beyond = false;
      for (const Target& t : req.targets) beyond = beyond || value_at(t.at, place) > *hi;
      if (!(*lo > 0) || !beyond) continue;
      const std::string& name = req.keys.name(place);
      const double cut = value_cut(v, 0.6);
      held = rows_beyond(v, cut);
      note = fmt::format(" on the rows beyond {} = {}, fitted on the rest: the extrapolation "
                         "protocol, since a target lies beyond the data's {}",
                         name, io::format_quantity(cut), name);
      break;
    }
    if (held.empty()) return "";
  } else {
    const double max_n = *std::max_element(data.n.begin(), data.n.end());
    const double max_d = *std::max_element(data.d.begin(), data.d.end());
    bool beyond_n = false, beyond_d = false;
    for (const Target& t : req.targets) {
      beyond_n = beyond_n || t.at.n > max_n;
      beyond_d = beyond_d || t.at.d > max_d;
    }
    const std::set<double> sizes(data.n.begin(), data.n.end());
    if (beyond_n && sizes.size() >= 4) {
      held = largest_model_rows(data);
      note = fmt::format(" on the largest model (N = {}), fitted on the rest: the extrapolation "
                         "protocol, since a target lies beyond the data's model sizes",
                         io::format_quantity(max_n));
    } else if (beyond_d) {
      held = late_token_rows(data, 0.6);
      note = fmt::format(" on the rows beyond D = {}, fitted on the rest: the extrapolation "
                         "protocol, since a target lies beyond the data's token counts",
                         io::format_quantity(token_cut(data, 0.6)));
    } else {
      return "";
    }
  }
  std::size_t kept = 0;
  for (char h : held) kept += !h;
  std::size_t most_params = 0;
  for (const LawEntry* law : req.laws) most_params = std::max<std::size_t>(most_params, law->n_params);
  if (kept <= most_params || kept == held.size()) return "";
  req.held_out = std::move(held);
  return note;
}

}  // namespace

void analyze(const AnalyzeRequest& request, report::Folder& folder, const LawProgressFn& progress) {
  AnalyzeRequest req = request;
  const std::string split_note = extrapolation_protocol(req);
  Builder b(req, folder, split_note);
  b.add_data_table();
  int fitted = 0;
  for (const LawEntry* entry : req.laws) {
    const LawEntry& law = *entry;
    try {
      ProgressFn law_progress;
      if (progress)
        law_progress = [&](const BootstrapProgress& p) { progress(law.info.name, p); };
      BootstrapResult run = run_bootstrap(*req.data, law, req.bootstrap, law_progress, req.cancel);
      if (run.interrupted || (req.cancel && req.cancel->load()))
        throw InterruptedError("analyze stopped during " + law.info.name +
                               "; no report was written");
      b.add_law(law, std::move(run));
      ++fitted;
    } catch (const FitError& e) {
      b.add_failure(law, e.what());
    }
  }
  if (fitted == 0) throw FitError("analyze: no law could be fitted to this data");
  b.finish();
}

}  // namespace shannonfit::analysis
