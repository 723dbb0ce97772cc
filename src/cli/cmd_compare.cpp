// `shannonfit compare`: several laws on the same data, ranked. In-sample RSS, R², AIC, AICc,
// BIC; k-fold and leave-one-group-out cross-validation; held-out scores on an extrapolation
// split (--holdout EXPR or --extrapolate N<=..,D<=..), per held-out group and pooled; bootstrap
// win-rates with intervals (--resamples); with --by and a split, the held-out scores pooled over
// every slice; and the loss-minimising token count D* (--basin-n).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <memory>
#include <set>

#include "analysis/compare.hpp"
#include "analysis/compute_optimal.hpp"
#include "analysis/extrapolation.hpp"
#include "analysis/fit_stats.hpp"
#include "analysis/intervals.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/fitting.hpp"
#include "cli/interrupt.hpp"
#include "cli/validate.hpp"
#include "io/filter.hpp"
#include "io/text_table.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {

namespace {

struct CompareArgs {
  DataArgs data;
  LawArgs laws;
  SolverArgs solver;
  OutputArgs output;
  int kfold = 5;
  std::uint64_t seed = 1;
  std::string holdout;
  std::string extrapolate;
  int resamples = 0;
  std::string scheme = "auto";
  double level = kDefaultLevel;
  std::vector<double> basin_n;
  double basin_x = 0;
  bool curves = false;
};

// Rows of `data` that --holdout EXPR selects, matched by file line.
std::vector<char> holdout_rows(const std::string& path, const std::string& expr,
                               const Dataset& data) {
  const io::Table table = io::read_csv(path);
  const io::Filter filter(expr, table.header, "--holdout");
  std::set<long> lines;
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    if (filter.matches(table.rows[r], table.source + ":" + std::to_string(table.line[r])))
      lines.insert(table.line[r]);
  std::vector<char> out(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) out[i] = lines.count(data.line[i]) > 0;
  return out;
}

// What compare asks of one slice: each law's plan on it, and the rows --holdout and
// --extrapolate hide.
CompareRequest compare_request(const CompareArgs& a, const std::vector<const LawEntry*>& laws,
                               const Dataset& data) {
  CompareRequest req;
  for (const LawEntry* law : laws) req.plans.push_back(a.solver.plan(*law, data));
  if (!a.holdout.empty()) req.held_out = holdout_rows(a.data.path, a.holdout, data);
  if (!a.extrapolate.empty()) {
    const auto beyond_split =
        beyond(data, parse_split(a.extrapolate, "--extrapolate", point_keys(laws)));
    if (req.held_out.empty()) req.held_out.assign(data.size(), 0);
    for (std::size_t i = 0; i < data.size(); ++i) req.held_out[i] |= beyond_split[i];
  }
  req.kfold = a.kfold;
  req.resamples = a.resamples;
  req.scheme = resolve_scheme(a.scheme, data);
  req.level = a.level;
  req.basin_n = a.basin_n;
  req.basin_x = a.basin_x;
  req.cancel = InterruptGuard::flag();
  return req;
}

std::string fmt(double v) { return io::format_number(v, 4); }

std::string with_interval(double v, const QuantityInterval& q) {
  if (q.n == 0) return fmt(v);
  const Interval& percentile = q.interval("percentile");
  return fmt(v) + " [" + fmt(percentile.lo) + ", " + fmt(percentile.hi) + "]";
}

nlohmann::json score_json(const PredictionScore& s) {
  return {{"n", s.n}, {"mse", s.mse}, {"r2", s.r2}};
}

nlohmann::json cv_json(const CvResult& cv) {
  return {{"folds", cv.folds}, {"failed_folds", cv.failed}, {"rows_scored", cv.scored},
          {"mse", cv.mse}};
}

// What the win-rate resamples drew, for the text output.
std::string resampled_units(const SliceComparison& s) {
  if (s.scheme != Scheme::Cluster) return "case-bootstrap resamples of the training rows";
  return "cluster-bootstrap resamples of whole models (grouped by " + s.grouping + ")";
}

std::string slice_text(const CompareArgs& a, const SliceComparison& s, Space space) {
  const bool split = !s.held_out.empty();
  std::string out = s.label + ": " + std::to_string(s.laws.size()) + " laws ranked by " +
                    s.ranked_by + " (residuals on " + (space == Space::Log ? "ln L" : "L") + ")\n";
  std::vector<std::string> header = {"rank", "law", "k", "RSS", "R2", "AIC", "AICc", "BIC"};
  if (a.kfold >= 2) header.push_back(std::to_string(a.kfold) + "-fold MSE");
  const bool logo = !s.laws.empty() && s.laws[0].logo.folds > 0;
  if (logo) header.push_back("LOGO MSE");
  if (split) header.insert(header.end(), {"held-out MSE", "held-out R2"});
  if (a.resamples > 0) header.push_back("win rate");
  io::TextTable t(header);
  for (std::size_t r = 0; r < s.order.size(); ++r) {
    const LawComparison& o = s.laws[s.order[r]];
    const FitQuality& q = o.full.summary.quality;
    std::vector<std::string> row = {std::to_string(s.rank[s.order[r]]), o.full.law->info.name,
                                    std::to_string(q.k), fmt(q.rss), fmt(q.r2),
                                    fmt(q.criteria.aic), fmt(q.criteria.aicc),
                                    fmt(q.criteria.bic)};
    if (a.kfold >= 2) row.push_back(fmt(o.kfold.mse));
    if (logo) row.push_back(fmt(o.logo.mse));
    if (split)
      row.insert(row.end(), {with_interval(o.holdout.pooled.mse, o.holdout_mse),
                             with_interval(o.holdout.pooled.r2, o.holdout_r2)});
    if (a.resamples > 0) row.push_back(fmt(o.win_rate));
    t.add_row(row);
  }
  out += t.render();
  out += "  full-data fits\n";
  for (std::size_t idx : s.order) {
    const FitRecord& f = s.laws[idx].full;
    out += "    " + f.law->info.name + ": " + describe(f.starts) + "\n";
    const std::string warning = best_fit_warning(f.law->info, f.result);
    if (!warning.empty()) out += "    WARNING " + f.law->info.name + ": " + warning + "\n";
  }
  if (split) {
    long held = std::count(s.held_out.begin(), s.held_out.end(), 1);
    out += "\n  held out " + std::to_string(held) + " of " + std::to_string(s.held_out.size()) +
           " rows";
    if (a.resamples > 0)
      out += "; MSE and R2 intervals: " + fmt(100 * a.level) + "% percentile over " +
             std::to_string(a.resamples) + " " + resampled_units(s);
    out += "\n";
    if (!s.laws.empty() && !s.laws[0].holdout.groups.empty()) {
      std::vector<std::string> gh = {"law"};
      for (const auto& g : s.laws[0].holdout.groups) gh.push_back(g.name + " R2");
      io::TextTable gt(gh);
      for (std::size_t idx : s.order) {
        const LawComparison& o = s.laws[idx];
        std::vector<std::string> row = {o.full.law->info.name};
        for (std::size_t g = 0; g < o.holdout.groups.size(); ++g)
          row.push_back(g < o.group_r2.size() ? with_interval(o.holdout.groups[g].score.r2, o.group_r2[g])
                                              : fmt(o.holdout.groups[g].score.r2));
        gt.add_row(row);
      }
      out += "\n  held-out R2 per group\n" + gt.render();
    }
  }
  if (a.resamples > 0)
    out += "  win rate: share of " + std::to_string(s.win_valid) + " usable of " +
           std::to_string(a.resamples) + " " + resampled_units(s) +
           " in which the law had the lowest " + (split ? "held-out" : "out-of-bag") + " MSE\n";
  if (!a.basin_n.empty()) {
    io::TextTable bt({"law", "N", "x", "D*", "L(D*)", ""});
    for (std::size_t idx : s.order)
      for (std::size_t b = 0; b < a.basin_n.size(); ++b) {
        const LawComparison& o = s.laws[idx];
        const TokenOptimum& t = o.basin[b];
        std::string d = t.ok ? fmt(t.d) : "n/a";
        if (!o.basin_interval.empty())
          d += " [" + fmt(o.basin_interval[b].first) + ", " + fmt(o.basin_interval[b].second) + "]";
        bt.add_row({o.full.law->info.name, fmt(a.basin_n[b]), fmt(a.basin_x), d,
                    t.ok ? fmt(t.loss) : "n/a",
                    t.on_bound ? "on the search bound: no interior minimum in [1e6, 1e16]" : ""});
      }
    out += "\n  loss-minimising tokens D* at fixed N and x\n" + bt.render();
  }
  return out;
}

nlohmann::json slice_json(const CompareArgs& a, const SliceComparison& s, const std::string& by) {
  SelectionSummary summary;
  summary.ranked_by = s.ranked_by;
  summary.win_rate_resamples_used = s.win_valid;
  if (a.resamples > 0) summary.win_rate_scheme = to_string(s.scheme);
  for (std::size_t idx : s.order) {
    const LawComparison& o = s.laws[idx];
    SelectionEntry e;
    e.law = o.full.law;
    e.candidate = s.laws[s.candidate[idx]].full.law->info.name;
    e.rank = s.rank[idx];
    e.quality = o.full.summary.quality;
    e.cv_mse = o.kfold.mse;
    e.logo_mse = o.logo.mse;
    if (!s.held_out.empty()) {
      e.holdout_mse = o.holdout.pooled.mse;
      e.holdout_r2 = o.holdout.pooled.r2;
    }
    e.win_rate = o.win_rate;
    summary.laws.push_back(std::move(e));
  }
  nlohmann::json slice = selection_json(summary);
  slice["label"] = s.label;
  // Beside each law's selection line: its fit and the details of each score.
  for (std::size_t r = 0; r < s.order.size(); ++r) {
    const LawComparison& o = s.laws[s.order[r]];
    nlohmann::json& j = slice["laws"][r];
    j["fit"] = fit_json(o.full, by);
    if (a.kfold >= 2) j["kfold"] = cv_json(o.kfold);
    if (o.logo.folds > 0) j["leave_one_group_out"] = cv_json(o.logo);
    if (!s.held_out.empty()) {
      nlohmann::json groups = nlohmann::json::array();
      for (std::size_t g = 0; g < o.holdout.groups.size(); ++g) {
        nlohmann::json gj = score_json(o.holdout.groups[g].score);
        gj["group"] = o.holdout.groups[g].name;
        if (g < o.group_r2.size() && o.group_r2[g].n > 0) gj["r2_interval"] = percentile_interval_json(o.group_r2[g]);
        groups.push_back(gj);
      }
      nlohmann::json pooled = score_json(o.holdout.pooled);
      if (o.holdout_r2.n > 0) pooled["r2_interval"] = percentile_interval_json(o.holdout_r2);
      if (o.holdout_mse.n > 0) pooled["mse_interval"] = percentile_interval_json(o.holdout_mse);
      j["holdout"] = {{"rows_train", o.holdout.n_train},
                      {"status", to_string(o.holdout.fit.status)},
                      {"params", std::vector<double>(o.holdout.fit.params.begin(),
                                                     o.holdout.fit.params.begin() + o.holdout.fit.n_params)},
                      {"pooled", pooled},
                      {"groups", groups}};
      if (a.curves && usable(o.holdout.fit)) {
        nlohmann::json curve = nlohmann::json::array();
        for (const auto& c :
             predicted_curve(*o.full.law, o.holdout.fit.params.data(), *s.data, s.held_out))
          curve.push_back({{"group", c.group}, {"N", c.n}, {"D", c.d}, {"x", c.x},
                           {"actual", c.actual}, {"predicted", c.predicted}});
        j["holdout"]["curve"] = curve;
      }
    }
    if (!a.basin_n.empty()) {
      nlohmann::json basin = nlohmann::json::array();
      for (std::size_t b = 0; b < a.basin_n.size(); ++b) {
        const TokenOptimum& t = o.basin[b];
        nlohmann::json bj = {{"N", a.basin_n[b]}, {"x", a.basin_x}, {"ok", t.ok},
                             {"D_star", t.d}, {"loss", t.loss}, {"on_bound", t.on_bound}};
        if (!o.basin_interval.empty())
          bj["D_star_interval"] = {o.basin_interval[b].first, o.basin_interval[b].second};
        basin.push_back(bj);
      }
      j["loss_basin"] = basin;
    }
  }
  return slice;
}

std::string pooled_text(const CompareArgs& a, const std::vector<SliceComparison>& slices,
                        const PooledSlices& p) {
  std::string out = "pooled over the " + std::to_string(slices.size()) + " --by " + a.data.map.by +
                    " slices: " + std::to_string(p.rows) +
                    " held-out rows, each predicted by its own slice's fit; ranked by held-out MSE\n";
  std::vector<std::string> header = {"rank", "law"};
  for (const SliceComparison& s : slices) header.push_back(s.by_value + " R2");
  header.insert(header.end(), {"pooled MSE", "pooled R2"});
  if (a.resamples > 0) header.push_back("win rate");
  io::TextTable t(header);
  for (std::size_t r = 0; r < p.laws.size(); ++r) {
    const PooledLaw& pl = p.laws[r];
    std::vector<std::string> row = {std::to_string(pl.rank), pl.law->info.name};
    for (const SliceComparison& s : slices) {
      const LawComparison& o = s.laws[pl.index];
      row.push_back(with_interval(o.holdout.pooled.r2, o.holdout_r2));
    }
    row.insert(row.end(), {with_interval(pl.score.mse, pl.mse), with_interval(pl.score.r2, pl.r2)});
    if (a.resamples > 0) row.push_back(fmt(pl.win_rate));
    t.add_row(row);
  }
  out += t.render();
  if (a.resamples > 0)
    out += "  intervals: " + fmt(100 * a.level) + "% percentile over " +
           std::to_string(a.resamples) + " resamples, each slice resampled on its own; win rate: share of " +
           std::to_string(p.win_valid) + " usable resamples with the lowest pooled held-out MSE\n";
  return out;
}

nlohmann::json pooled_json(const std::vector<SliceComparison>& slices, const PooledSlices& p) {
  nlohmann::json laws = nlohmann::json::array();
  for (std::size_t r = 0; r < p.laws.size(); ++r) {
    const PooledLaw& pl = p.laws[r];
    nlohmann::json per_slice = nlohmann::json::array();
    for (const SliceComparison& s : slices) {
      const LawComparison& o = s.laws[pl.index];
      nlohmann::json sj = score_json(o.holdout.pooled);
      sj["by"] = s.by_value;
      if (o.holdout_r2.n > 0) sj["r2_interval"] = percentile_interval_json(o.holdout_r2);
      per_slice.push_back(sj);
    }
    nlohmann::json j = score_json(pl.score);
    j["law"] = pl.law->info.name;
    j["rank"] = pl.rank;
    j["slices"] = per_slice;
    if (pl.r2.n > 0) j["r2_interval"] = percentile_interval_json(pl.r2);
    if (pl.mse.n > 0) j["mse_interval"] = percentile_interval_json(pl.mse);
    if (std::isfinite(pl.win_rate)) j["win_rate"] = pl.win_rate;
    laws.push_back(j);
  }
  return {{"rows", p.rows}, {"ranked_by", "held-out MSE"}, {"laws", laws},
          {"win_rate_resamples_used", p.win_valid}};
}

void run(const CompareArgs& a) {
  // As in fit: a Ctrl-C stops the running batch (the full-data fit or one law's folds, held-out
  // fit or resamples) within about one fit per thread and exits 130 before anything is written.
  const InterruptGuard guard;
  const CheckedInputs in = load_checked(a.data, a.laws, a.solver, a.output);
  const auto& laws = in.laws;
  const io::LoadedData& loaded = in.loaded;
  if (!a.basin_n.empty())
    for (const LawEntry* law : laws)
      if (const std::string reads = reads_other_than_n_and_d(*law); !reads.empty())
        throw InputError("--basin-n: the loss-minimising token count D* at fixed N needs a law "
                         "of N and D; " + reads + " (compare it without --basin-n)");

  nlohmann::json slices = nlohmann::json::array();
  std::string text;
  std::vector<SliceComparison> results;
  // Each slice with its model groups (as analyze and bootstrap group rows), kept alive for the
  // comparisons that point at it.
  std::deque<Dataset> grouped;
  for (const auto& slice : loaded.slices) {
    const std::string label = slice_label(a.data, slice);
    const std::uint64_t seed = a.seed + static_cast<std::uint64_t>(results.size());
    Dataset& data = grouped.emplace_back(slice.data);
    const std::string grouping = assign_model_groups(data, point_keys(laws));
    results.push_back(
        compare_slice(data, label, slice.by_value, compare_request(a, laws, data), seed));
    results.back().grouping = grouping;
    const SliceComparison& s = results.back();
    if (a.resamples > 0) {
      // The resamples draw among the training rows' models only.
      std::set<int> training_groups;
      for (std::size_t i = 0; i < data.group.size(); ++i)
        if (s.held_out.empty() || !s.held_out[i]) training_groups.insert(data.group[i]);
      const int groups = static_cast<int>(training_groups.size());
      for (const std::string& w :
           {resample_count_warning(a.resamples, a.level),
            s.scheme == Scheme::Cluster ? cluster_count_warning(groups, a.level) : std::string()})
        if (!w.empty()) note(a.output, "warning: " + label + ": win rates: " + w);
    }
    for (const LawComparison& o : s.laws) warn_best_fit(a.output, o.full);
    slices.push_back(slice_json(a, s, a.data.map.by));
    text += (text.empty() ? "" : "\n") + slice_text(a, s, a.solver.config(laws).options.space);
  }
  const bool split = !a.holdout.empty() || !a.extrapolate.empty();
  nlohmann::json pooled;
  if (split && results.size() > 1) {
    const PooledSlices p = pool_slices(results, a.resamples, a.level);
    pooled = pooled_json(results, p);
    text += "\n" + pooled_text(a, results, p);
  }
  nlohmann::json settings = {{"kfold", a.kfold}, {"seed", a.seed}, {"resamples", a.resamples},
                             {"scheme", a.scheme}, {"level", a.level}};
  if (!a.holdout.empty()) settings["holdout"] = a.holdout;
  if (!a.extrapolate.empty())
    settings["extrapolate"] =
        describe(parse_split(a.extrapolate, "--extrapolate", point_keys(laws)));
  nlohmann::json doc = result_document("compare", {{"data", describe(a.data, loaded)},
                                                   {"solver", describe(a.solver, laws)},
                                                   {"settings", settings},
                                                   {"slices", slices}});
  if (!pooled.is_null()) doc["pooled_over_slices"] = pooled;
  InterruptGuard::stop_before_writing();
  emit_json(a.output, doc);
  if (show_text(a.output)) {
    std::printf("%s", text.c_str());
    if (!a.output.out.empty()) std::printf("wrote %s\n", a.output.out.c_str());
  }
}

}  // namespace

void register_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compare", "Fit several laws to the same data and rank them: RSS, R2, AIC, AICc, BIC, "
                 "cross-validation, held-out scores and bootstrap win-rates");
  auto args = std::make_shared<CompareArgs>();
  add_data_options(*cmd, args->data);
  add_law_option(*cmd, args->laws, "all");
  add_solver_options(*cmd, args->solver);
  add_output_options(*cmd, args->output, "write the comparison as JSON to FILE");
  const char* g = "Comparison";
  cmd->add_option("--kfold", args->kfold, "folds of k-fold cross-validation (0: none)")
      ->check(kfold_check())->capture_default_str()->group(g);
  cmd->add_option("--seed", args->seed,
                  "seed of the fold assignment and the bootstrap (the k-th --by slice, from 0, "
                  "uses SEED + k, so slices resample independently)")
      ->check(seed_check())->capture_default_str()->group(g);
  cmd->add_option("--holdout", args->holdout,
                  "rows to hold out and predict, as a filter expression on the CSV's columns "
                  "(e.g. \"params > 6.9e9 || tokens > 180e9\")")->group(g);
  cmd->add_option("--extrapolate", args->extrapolate,
                  "train on N<=VALUE,D<=VALUE and predict every other row (e.g. "
                  "N<=6.9e9,D<=180e9; D<=180e9 alone is token-only extrapolation)")->group(g);
  cmd->add_option("--resamples,-B", args->resamples,
                  "bootstrap resamples for win-rates and intervals (0: none)")
      ->check(count_check(0, kMaxResamples))->group(g);
  cmd->add_option("--scheme", args->scheme,
                  "what the win-rate resamples draw: auto (whole models when rows share one: a "
                  "--group-col, or one N measured at several D; else rows), case (single rows, "
                  "an explicit choice) or cluster (whole groups)")
      ->check(CLI::IsMember({"auto", "case", "cluster"}))->capture_default_str()->group(g);
  cmd->add_option("--level", args->level, "interval level")->capture_default_str()->group(g);
  cmd->add_option("--basin-n", args->basin_n,
                  "report the loss-minimising token count D* at these model sizes")
      ->transform(quantity())->group(g);
  cmd->add_option("--basin-x", args->basin_x, "perturbation strength x for --basin-n")
      ->capture_default_str()->group(g);
  cmd->add_flag("--curves", args->curves,
                "with a split: put the predicted-vs-actual loss of every held-out row in the JSON")
      ->group(g);
  cmd->footer(
      "Examples:\n"
      "  shannonfit compare data/synthetic_chinchilla.csv --law chinchilla,kaplan --kfold 5\n"
      "  shannonfit compare pythia_evals.csv --n-col params --d-col tokens --loss-col lambada_loss \\\n"
      "      --filter \"step > 512\" --group-col model --extrapolate N<=6.9e9,D<=180e9 \\\n"
      "      --law chinchilla,kaplan,kaplan-e --resamples 200");
  cmd->callback([args] {
    validate_level(args->level);
    run(*args);
  });
}

}  // namespace shannonfit::cli
