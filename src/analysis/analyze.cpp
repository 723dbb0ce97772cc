#include "analysis/analyze.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "analysis/compute_optimal.hpp"
#include "analysis/model_selection.hpp"
#include "analysis/uncertainty.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/stats.hpp"

namespace shannonfit::analysis {

using nlohmann::json;
using report::number;
using report::Table;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kCurveSizes = 8;      // model sizes drawn as curves; more would not be readable
constexpr int kCurvePoints = 48;    // points per curve
constexpr int kPerturbationSettings = 6;

// The interval a reader should see: BCa when it exists, else the percentile interval.
Interval chosen(const QuantityInterval& q) {
  return std::isfinite(q.bca.lo) && std::isfinite(q.bca.hi) ? q.bca : q.percentile;
}

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
  Builder(const AnalyzeRequest& req, report::Folder& folder)
      : req_(req), data_(*req.data), folder_(folder), range_(ranges(data_, req.targets)) {}

  void add_data_table() {
    Table t({"line", "N", "D", "x", "loss", "weight"});
    for (std::size_t i = 0; i < data_.size(); ++i)
      t.row().cell(data_.line[i]).cell(data_.n[i]).cell(data_.d[i])
          .cell(data_.has_x() ? data_.x[i] : kNaN).cell(data_.loss[i])
          .cell(data_.weight.empty() ? 1.0 : data_.weight[i]);
    folder_.tables.emplace("data.csv", std::move(t));
  }

  void add_law(const LawEntry& law, const BootstrapResult& run, long full_starts) {
    const FitSummary summary = summarize_fit(law, run.full, data_, req_.bootstrap.fit);
    const auto intervals = parameter_intervals(run, law.info, req_.level, summary.covariance);
    json j = {{"name", law.info.name},
              {"formula", law.info.formula},
              {"source", law.info.source},
              {"note", law.info.note},
              {"status", to_string(run.full.status)},
              {"converged", converged(run.full.status)},
              {"iterations", run.full.iterations},
              {"n_starts", full_starts},
              {"failed_starts", run.full.failed_starts},
              {"start_outcomes", to_json(run.full_starts)},
              {"best_fit", best_fit_json(law.info, run.full)},
              {"space", to_string(summary.quality.space)},
              {"rss", number(summary.quality.rss)},
              {"r2", number(summary.quality.r2)},
              {"aic", number(summary.quality.criteria.aic)},
              {"aicc", number(summary.quality.criteria.aicc)},
              {"bic", number(summary.quality.criteria.bic)},
              {"likelihood", summary.quality.likelihood},
              {"covariance_kind", summary.covariance_kind},
              {"resamples", static_cast<long>(run.resamples.size())},
              {"failed_resamples", run.failed()},
              {"scheme", to_string(run.scheme)}};
    json params = json::array();
    for (std::size_t k = 0; k < intervals.size(); ++k) {
      const ParameterEstimate& est = summary.params[k];
      const QuantityInterval& q = intervals[k];
      const Interval iv = chosen(q);
      params.push_back({{"name", est.reported_name},
                        {"solver_name", est.name},
                        {"value", number(est.reported_value)},
                        {"se", number(est.reported_se)},
                        {"bootstrap_se", number(q.se)},
                        {"lo", number(iv.lo)},
                        {"hi", number(iv.hi)},
                        {"identified", est.identified},
                        {"at_bound", est.at_bound}});
      params_.row().cell(law.info.name).cell(est.reported_name).cell(est.reported_value)
          .cell(est.reported_se).cell(q.se).cell(iv.lo).cell(iv.hi)
          .cell(std::string(est.identified ? "true" : "false"))
          .cell(std::string(est.at_bound ? "true" : "false"));
      if (!est.identified)
        diagnostics_.push_back(fmt::format(
            "{}: parameter {} is not identified by this data (a flat direction of the fit); its "
            "standard error is omitted.", law.info.name, est.reported_name));
      if (est.at_bound)
        diagnostics_.push_back(fmt::format(
            "{}: parameter {} sits on its bound; its standard error ignores the constraint.",
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
    score.quality = summary.quality;
    score.best.assign(run.full.params.begin(), run.full.params.begin() + law.n_params);
    scores_.push_back(std::move(score));
    add_fitted(law, run, summary.quality.space);
    add_predictions(law, run, summary.covariance);
    add_compute_optimal(law, run, summary.covariance);
    add_curves(law, run);
    add_draws(law, run);
  }

  void add_failure(const LawEntry& law, const std::string& why) {
    laws_.push_back({{"name", law.info.name}, {"formula", law.info.formula},
                     {"source", law.info.source}, {"converged", false},
                     {"status", "failed"}, {"error", why}, {"params", json::array()}});
    diagnostics_.push_back(law.info.name + ": " + why);
  }

  void finish() {
    auto& j = folder_.json;
    j["confidence"] = req_.level;
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
    FitQuality quality;
    std::vector<double> best;  // full-data fit, solver space
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
      const double fitted =
          std::exp(law.log_loss(run.full.params.data(), std::log(data_.n[i]), std::log(data_.d[i]), x));
      fitted_.row().cell(law.info.name).cell(data_.line[i]).cell(data_.n[i]).cell(data_.d[i])
          .cell(data_.has_x() ? x : kNaN).cell(data_.loss[i]).cell(fitted).cell(y[i] - yhat[i]);
    }
  }

  void add_predictions(const LawEntry& law, const BootstrapResult& run,
                       const std::vector<double>& covariance) {
    for (const Target& t : req_.targets) {
      const QuantityInterval q =
          quantity_interval(run, t.label, loss_at(law, t.at), req_.level, covariance);
      const Interval iv = chosen(q);
      predictions_.row().cell(law.info.name).cell(t.label).cell(t.at.n).cell(t.at.d)
          .cell(t.at.x).cell(q.estimate).cell(iv.lo).cell(iv.hi).cell(q.se);
      json p = {{"law", law.info.name}, {"label", t.label}, {"N", t.at.n}, {"D", t.at.d},
                {"loss", number(q.estimate)}, {"lo", number(iv.lo)}, {"hi", number(iv.hi)},
                {"se", number(q.se)}, {"invalid_resamples", q.invalid}};
      if (data_.has_x()) p["x"] = t.at.x;
      predictions_json_.push_back(p);
    }
  }

  // N*, D* and L* at the budget, each with its bootstrap interval: an optimum is only as
  // certain as the exponents behind it.
  void add_compute_optimal(const LawEntry& law, const BootstrapResult& run,
                           const std::vector<double>& covariance) {
    if (!(req_.budget > 0)) return;
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
      const Interval iv = chosen(qi);
      j[name] = {{"value", number(qi.estimate)}, {"lo", number(iv.lo)}, {"hi", number(iv.hi)}};
      optimal_.row().cell(law.info.name).cell(req_.budget).cell(std::string(name))
          .cell(qi.estimate).cell(iv.lo).cell(iv.hi)
          .cell(std::string(best.on_bound ? "true" : "false"));
    }
    if (best.on_bound)
      diagnostics_.push_back(fmt::format("{}: the compute-optimal N at C = {:.3g} lies on the "
                                         "edge of the searched range; the optimum may be beyond "
                                         "it.", law.info.name, req_.budget));
    optimal_json_.push_back(j);
  }

  void curve_point(const LawEntry& law, const BootstrapResult& run, const char* kind, double n,
                   double d, double x) {
    const QuantityInterval q = quantity_interval(run, "", loss_at(law, {n, d, x}), req_.level, {});
    curves_.row().cell(law.info.name).cell(std::string(kind)).cell(n).cell(d).cell(x)
        .cell(q.estimate).cell(q.percentile.lo).cell(q.percentile.hi);
  }

  void add_curves(const LawEntry& law, const BootstrapResult& run) {
    std::set<double> sizes(range_.sizes);
    std::vector<double> drawn = spread(sizes, kCurveSizes);
    for (const Target& t : req_.targets)
      if (std::find(drawn.begin(), drawn.end(), t.at.n) == drawn.end()) drawn.push_back(t.at.n);
    const std::vector<double> grid = log_grid(range_.d_lo, range_.d_hi, kCurvePoints);
    for (double n : drawn)
      for (double d : grid) curve_point(law, run, "tokens", n, d, range_.x_lo);
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
        curve_point(law, run, "perturbation", n, d,
                    range_.x_lo + (range_.x_hi * 1.1 - range_.x_lo) * i / (kCurvePoints - 1));
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
  // bootstrap's resamples do): k-fold and leave-one-group-out CV, the held-out split, and the
  // bootstrap win-rate. Laws are ranked the way `compare` ranks them: held-out error, else CV
  // error, else AICc.
  void run_selection() {
    const bool split = !req_.held_out.empty();
    std::vector<int> folds;
    if (req_.kfold >= 2) folds = kfold_assignment(data_.size(), req_.kfold, req_.bootstrap.seed);
    std::vector<LawFitter> fitters;
    for (Score& s : scores_) {
      LawFitter f;
      f.law = s.law;
      f.fn = resolve_backend(*s.law, req_.bootstrap.backend);
      f.starts = s.best;
      f.options = req_.bootstrap.fit;
      f.threads = req_.bootstrap.threads;
      if (!folds.empty()) s.kfold = cross_validate(f, data_, folds, req_.kfold);
      if (data_.group_names.size() >= 2)
        s.logo = cross_validate(f, data_, data_.group, static_cast<int>(data_.group_names.size()));
      if (split) s.holdout = evaluate_holdout(f, data_, req_.held_out);
      s.key = split ? s.holdout.pooled.mse : !folds.empty() ? s.kfold.mse : s.quality.criteria.aicc;
      fitters.push_back(f);
    }
    ranked_by_ = split             ? "held-out MSE"
                 : !folds.empty() ? std::to_string(req_.kfold) + "-fold CV MSE"
                                  : "AICc";
    if (fitters.size() < 2) return;
    const WinRates w = bootstrap_win_rates(fitters, data_, split ? &req_.held_out : nullptr,
                                           req_.bootstrap.resamples, req_.bootstrap.seed);
    win_valid_ = w.valid;
    for (std::size_t l = 0; l < scores_.size(); ++l) scores_[l].win_rate = w.rate[l];
  }

  void add_selection() {
    Table t({"law", "k", "n", "rss", "r2", "aic", "aicc", "bic", "delta_aic", "delta_bic",
             "akaike_weight", "cv_mse", "logo_mse", "holdout_mse", "holdout_r2", "win_rate"});
    json rows = json::array();
    json& sel = folder_.json["selection"];
    if (scores_.empty()) {
      folder_.tables.emplace("selection.csv", std::move(t));
      return;
    }
    run_selection();
    double best_aic = std::numeric_limits<double>::infinity(), best_bic = best_aic;
    for (const Score& s : scores_) {
      if (std::isfinite(s.quality.criteria.aic)) best_aic = std::min(best_aic, s.quality.criteria.aic);
      if (std::isfinite(s.quality.criteria.bic)) best_bic = std::min(best_bic, s.quality.criteria.bic);
    }
    double weight_sum = 0;
    for (const Score& s : scores_) weight_sum += std::exp(-0.5 * (s.quality.criteria.aic - best_aic));
    std::vector<const Score*> order;
    for (const Score& s : scores_) order.push_back(&s);
    std::stable_sort(order.begin(), order.end(), [](const Score* a, const Score* b) {
      if (std::isfinite(a->key) != std::isfinite(b->key)) return std::isfinite(a->key);
      return a->key < b->key;
    });
    const bool split = !req_.held_out.empty();
    for (const Score* s : order) {
      const auto& c = s->quality.criteria;
      const double weight = std::exp(-0.5 * (c.aic - best_aic)) / weight_sum;
      const double holdout_mse = split ? s->holdout.pooled.mse : kNaN;
      const double holdout_r2 = split ? s->holdout.pooled.r2 : kNaN;
      t.row().cell(s->law->info.name).cell(static_cast<long>(s->law->n_params))
          .cell(s->quality.n).cell(s->quality.rss).cell(s->quality.r2).cell(c.aic).cell(c.aicc)
          .cell(c.bic).cell(c.aic - best_aic).cell(c.bic - best_bic).cell(weight)
          .cell(s->kfold.mse).cell(s->logo.mse).cell(holdout_mse).cell(holdout_r2)
          .cell(s->win_rate);
      rows.push_back({{"law", s->law->info.name}, {"k", s->law->n_params},
                      {"rss", number(s->quality.rss)}, {"r2", number(s->quality.r2)},
                      {"aic", number(c.aic)}, {"bic", number(c.bic)},
                      {"delta_aic", number(c.aic - best_aic)},
                      {"delta_bic", number(c.bic - best_bic)}, {"akaike_weight", number(weight)},
                      {"cv_mse", number(s->kfold.mse)}, {"logo_mse", number(s->logo.mse)},
                      {"holdout_mse", number(holdout_mse)}, {"holdout_r2", number(holdout_r2)},
                      {"win_rate", number(s->win_rate)}});
    }
    winner_ = order.front()->law->info.name;
    sel["ranked_by"] = ranked_by_;
    sel["method"] = fmt::format(
        "Laws ranked by {}. Cross-validation and win-rate refits start from each law's full-data "
        "optimum. Win rate: share of the {} usable bootstrap resamples (of {}) in which the law "
        "had the lowest {} error. Akaike weights exp(-ΔAIC/2) are normalised over the laws "
        "(Gaussian likelihood of the fit-space residuals); Burnham & Anderson (2002) read ΔAIC "
        "below 2 as both laws well supported, 4-7 as considerably less, above 10 as essentially "
        "none.",
        ranked_by_, win_valid_, req_.bootstrap.resamples, split ? "held-out" : "out-of-bag");
    sel["winner"] = winner_;
    sel["verdict"] = verdict(order);
    sel["table"] = rows;
    folder_.tables.emplace("selection.csv", std::move(t));
  }

  std::string verdict(const std::vector<const Score*>& order) const {
    const Score& first = *order.front();
    if (order.size() < 2) return first.law->info.name + " is the only law fitted.";
    const Score& second = *order[1];
    const double rate = first.win_rate;
    const double gap = second.quality.criteria.aic - first.quality.criteria.aic;
    const char* strength = std::isfinite(rate)
                               ? (rate >= 0.95   ? "decisively"
                                  : rate >= 0.75 ? "clearly"
                                  : rate >= 0.5  ? "modestly"
                                                 : "narrowly")
                               : (gap > 10 ? "decisively" : gap > 4 ? "clearly" : "narrowly");
    std::string text = fmt::format("{} wins {}: lowest {} ({:.4g}, against {:.4g} for {})",
                                   first.law->info.name, strength, ranked_by_, first.key,
                                   second.key, second.law->info.name);
    if (std::isfinite(rate))
      text += fmt::format("; lowest {} error in {:.0f}% of {} bootstrap resamples",
                          req_.held_out.empty() ? "out-of-bag" : "held-out", 100 * rate,
                          win_valid_);
    return text + fmt::format("; ΔAIC to {} = {:.3g}.", second.law->info.name, gap);
  }

  json headline() const {
    for (const json& p : predictions_json_)
      if (p["law"] == winner_) return p;
    return nullptr;
  }

  const AnalyzeRequest& req_;
  const Dataset& data_;
  report::Folder& folder_;
  Ranges range_;
  json laws_ = json::array();
  json predictions_json_ = json::array();
  json optimal_json_ = json::array();
  std::vector<std::string> diagnostics_;
  std::vector<Score> scores_;
  std::string winner_;
  std::string ranked_by_;
  int win_valid_ = 0;
  Table params_{{"law", "param", "value", "se", "bootstrap_se", "lo", "hi", "identified",
                 "at_bound"}};
  Table predictions_{{"law", "label", "N", "D", "x", "loss", "lo", "hi", "se"}};
  Table fitted_{{"law", "line", "N", "D", "x", "loss", "fitted", "residual"}};
  Table curves_{{"law", "kind", "N", "D", "x", "loss", "lo", "hi"}};
  Table draws_{{"law", "resample", "param", "value"}};
  Table optimal_{{"law", "budget", "quantity", "value", "lo", "hi", "on_bound"}};
};

}  // namespace

void analyze(const AnalyzeRequest& req, report::Folder& folder, const LawProgressFn& progress) {
  Builder b(req, folder);
  b.add_data_table();
  int fitted = 0;
  for (std::size_t i = 0; i < req.laws.size(); ++i) {
    const LawEntry& law = *req.laws[i];
    BootstrapOptions options = req.bootstrap;
    if (i < req.full_starts.size()) options.full_starts = req.full_starts[i];
    try {
      ProgressFn law_progress;
      if (progress)
        law_progress = [&](const BootstrapProgress& p) { progress(law.info.name, p); };
      const BootstrapResult run =
          run_bootstrap(*req.data, law, options, law_progress, req.cancel);
      if (run.interrupted || (req.cancel && req.cancel->load()))
        throw InterruptedError("analyze stopped during " + law.info.name +
                               "; no report was written");
      const std::size_t full_starts =
          (options.full_starts.empty() ? start_grid(law.info) : options.full_starts).size() /
          law.n_params;
      b.add_law(law, run, static_cast<long>(full_starts));
      ++fitted;
    } catch (const FitError& e) {
      b.add_failure(law, e.what());
    }
  }
  if (fitted == 0) throw FitError("analyze: no law could be fitted to this data");
  b.finish();
}

}  // namespace shannonfit::analysis
