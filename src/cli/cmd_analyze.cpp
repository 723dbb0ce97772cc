// `shannonfit analyze`: the one command a researcher runs. Fits every law the data allows,
// bootstraps each, ranks them, predicts at the requested targets and writes a report folder
// (report.json, CSV tables, figures, report.html).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "analysis/analyze.hpp"
#include "analysis/compute_optimal.hpp"
#include "analysis/extrapolation.hpp"
#include "analysis/prediction_interval.hpp"
#include "analysis/report.hpp"
#include "analysis/result_json.hpp"
#include "cli/bootstrap_common.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "cli/validate.hpp"
#include "io/output.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {
namespace {

struct AnalyzeArgs {
  DataArgs data;
  LawArgs laws;
  SolverArgs solver = refitting_solver_args();
  OutputArgs output;
  std::vector<std::string> at;
  double budget = 0;
  int resamples = 200;
  std::uint64_t seed = 0;
  std::string scheme = "auto";
  double level = kDefaultLevel;
  std::string method{default_interval_method().name};
  int kfold = 5;
  std::string extrapolate;
  bool no_figures = false;
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

double or_nan(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : NAN; }

// "loss 1.40, 90% prediction interval for a new run [1.33, 1.47] (law-averaged); 90%
// confidence band of the mean curve [1.37, 1.44]; laws' estimates 1.28 to 1.43", the response
// named as analyze::AnalyzeRequest::response says.
std::string headline_text(const nlohmann::json& h, const std::string& response) {
  const double level = h["level"].get<double>();
  std::string text = fmt::format(
      "prediction at {}: {} {:.4g}, {:.4g}% {} [{:.4g}, {:.4g}] ({})\n",
      h["target"]["label"].get<std::string>(), response, or_nan(h["estimate"]), 100 * level,
      describe(IntervalKind::Prediction, response), or_nan(h["lower"]), or_nan(h["upper"]),
      h["law"].get<std::string>());
  if (h.contains("confidence_band"))
    text += fmt::format("  {:.4g}% {}: [{:.4g}, {:.4g}]\n", 100 * level,
                        describe(IntervalKind::Confidence),
                        or_nan(h["confidence_band"]["lower"]), or_nan(h["confidence_band"]["upper"]));
  if (h["laws"].size() > 1) {
    text += fmt::format("  laws' estimates range {:.4g} to {:.4g}:", or_nan(h["spread"]["min"]),
                        or_nan(h["spread"]["max"]));
    for (const auto& l : h["laws"])
      text += fmt::format(" {} {:.4g} [{:.4g}, {:.4g}];", l["law"].get<std::string>(),
                          or_nan(l["estimate"]), or_nan(l["lower"]), or_nan(l["upper"]));
    text.back() = '\n';
  }
  if (h.contains("law_choice")) text += "  " + h["law_choice"].get<std::string>() + "\n";
  return text;
}

void run(const AnalyzeArgs& a) {
  // Ctrl-C/SIGTERM, from here to the end, stop the run with exit 130 and leave the target folder
  // as it was: the new report is only swapped in once it is complete.
  const InterruptGuard guard;
  const std::string dir = a.output.out.empty() ? report::default_dir(a.data.path) : a.output.out;
  // Refuse before any fitting: an existing report costs the user nothing to protect.
  io::OutputPlan plan(a.output.force);
  plan.input(a.data.path, "DATA");
  plan.folder(dir, "--out", report::replaceable);
  report::require_report_tools();
  require_interval_resamples(a.resamples, a.level);

  std::vector<std::string> skipped;
  analysis::AnalyzeRequest req;
  req.laws = resolve_laws(a.laws, !a.data.perturbation.empty(), &skipped);
  const io::LoadedData loaded = load(a.data, req.laws, a.solver);
  fault_point("loaded");
  if (loaded.slices.size() != 1)
    throw InputError("analyze writes one report per dataset; instead of --by, run it once per "
                     "value with --filter and --out");
  Dataset data = loaded.slices.front().data;
  req.keys = point_keys(req.laws);
  const std::string grouping = assign_model_groups(data, req.keys);

  req.data = &data;
  for (const auto& why : skipped) note(a.output, "analyze: " + why);
  require_fittable(a.data, loaded, req.laws, &a.output);
  req.response = response_name(req.laws, loaded.columns.loss);
  for (const auto& spec : a.at) {
    req.targets.push_back({spec, parse_point(spec, req.keys)});
    for (const auto& why : outside_domain(data, req.targets.back().at, "--at " + spec, req.keys))
      note(a.output, why);
  }
  // Laws of N and D get the compute-optimal split and the others a note in the report; when no
  // law can, --budget asks for what cannot be given.
  if (a.budget > 0 && std::all_of(req.laws.begin(), req.laws.end(), [](const LawEntry* law) {
        return !compute_optimal_unavailable(*law).empty();
      }))
    throw InputError("--budget: " + compute_optimal_unavailable(*req.laws.front()) +
                     " (analyze it without --budget)");
  req.budget = a.budget;
  req.level = a.level;
  req.method = &find_interval_method(a.method);
  req.bootstrap.resamples = a.resamples;
  req.bootstrap.seed = a.seed;
  req.bootstrap.scheme = resolve_scheme(a.scheme, data);
  req.grouping = grouping;
  req.bootstrap.fit = a.solver.config(req.laws);
  req.kfold = a.kfold;
  if (!a.extrapolate.empty())
    req.held_out = beyond(data, parse_split(a.extrapolate, "--extrapolate", req.keys));

  report::Folder folder;
  auto& j = folder.json;
  // "tool" is how a later --force recognises the folder as an earlier report.
  j = result_document("analyze",
                      {{"tool", "shannonfit"}, {"command_line", report::command_line()}});
  j["seed"] = a.seed;
  j["resamples"] = a.resamples;
  j["scheme"] = to_string(req.bootstrap.scheme);
  j["interval_method"] = a.method;
  j["data"] = describe(a.data, loaded);
  j["data"]["path"] = a.data.path;
  j["data"]["sha256"] = report::sha256_file(a.data.path);
  j["data"]["rows"] = data.size();
  j["solver"] = describe(a.solver, req.laws);
  if (!a.extrapolate.empty()) j["extrapolate"] = a.extrapolate;

  const auto started = std::chrono::steady_clock::now();
  // One bar per law, labelled with its name; ProgressBar draws only on a terminal.
  std::unique_ptr<ProgressBar> bar;
  std::string bar_law;
  const analysis::LawProgressFn progress = [&](const std::string& law, const BootstrapProgress& p) {
    fault_point("bootstrap");
    if (law != bar_law) {
      if (bar) bar->finish();
      bar = std::make_unique<ProgressBar>(law, !show_text(a.output));
      bar_law = law;
    }
    bar->update(p);
  };
  req.cancel = InterruptGuard::flag();
  analysis::analyze(req, folder, progress);
  if (bar) bar->finish();
  fault_point("analyzed");
  InterruptGuard::stop_before_writing();
  // When and how long go to timing.json, so that report.json is byte-identical across runs.
  const nlohmann::json timing = {
      {"created_utc", utc_now()},
      {"seconds",
       std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}};

  io::StagedFolder staged(dir);
  const std::string& build = staged.path();
  report::write(folder, build);
  io::write_file((std::filesystem::path(build) / "timing.json").string(), timing.dump(2) + "\n",
                 true);
  fault_point("tables");
  const report::ScriptOutcome figures =
      a.no_figures ? report::ScriptOutcome{false, 0, "skipped (--no-figures)"}
                   : report::render_figures(build, !show_text(a.output));
  fault_point("figures");
  InterruptGuard::stop_before_writing();
  if (!figures.ran || figures.exit_code != 0) {
    j["figures_note"] = figures.ran ? fmt::format("plot_report.py failed (exit {})",
                                                  figures.exit_code)
                                    : "figures " + figures.why_not;
    if (!a.no_figures) note(a.output, j["figures_note"].get<std::string>());
    report::write(folder, build);  // report.json records why the page has no figures
  }
  // A page that cannot be written stops here, before the staged report replaces anything.
  report::render_html(build);
  fault_point("html");
  InterruptGuard::stop_before_writing();
  staged.commit(report::replaceable);

  // A best fit on a bound or short of convergence must be seen even with --json.
  for (const auto& d : j["diagnostics"])
    if (d.get<std::string>().rfind("WARNING ", 0) == 0 && !a.output.quiet)
      std::fprintf(stderr, "warning: %s\n", d.get<std::string>().substr(8).c_str());
  if (a.output.json) std::cout << j.dump(2) << "\n";
  if (!show_text(a.output)) return;
  const auto& head = j["headline"];
  if (!head.is_null()) std::cout << headline_text(head, req.response);
  if (j["selection"].contains("verdict"))
    std::cout << j["selection"]["verdict"].get<std::string>() << "\n";
  // Warnings first and marked as such; the routine notes after them.
  for (const bool warnings : {true, false})
    for (const auto& d : j["diagnostics"]) {
      const std::string text = d.get<std::string>();
      if ((text.rfind("WARNING ", 0) == 0) == warnings)
        std::cout << (warnings ? "WARNING: " + text.substr(8) : "note: " + text) << "\n";
    }
  std::cout << "report folder: " << dir << "/  (open " << dir << "/report.html)\n";
}

}  // namespace

void register_analyze(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "analyze",
      "Fit, bootstrap, compare and predict with every law the data allows; write a report folder");
  auto a = std::make_shared<AnalyzeArgs>();
  add_data_options(*cmd, a->data);
  add_law_option(*cmd, a->laws, "all");
  add_solver_options(*cmd, a->solver);
  add_output_options(*cmd, a->output, "report folder [default: reports/<data file name>]");
  const std::string g = "Analysis";
  cmd->add_option("--at", a->at,
                  "predict at N=...,D=...[,x=...], or a law's own columns (t=...) (repeatable); the "
                  "first is the headline")
      ->group(g);
  cmd->add_option("--budget", a->budget, "compute budget C = 6ND for the compute-optimal split")
      ->transform(quantity())->check(positive_finite_check())->group(g);
  cmd->add_option("--resamples,-B", a->resamples, "bootstrap resamples per law")
      ->check(count_check(1, kMaxResamples))->capture_default_str()->group(g);
  cmd->add_option("--seed", a->seed, "bootstrap seed (same seed, same numbers on any backend)")
      ->check(seed_check())->capture_default_str()->group(g);
  cmd->add_option("--scheme", a->scheme,
                  "bootstrap scheme: auto (cluster when rows share a model: a --group-col, or one "
                  "N measured at several D; else case), case (single rows), cluster (whole "
                  "models) or residual")
      ->check(CLI::IsMember({"auto", "case", "cluster", "residual"}))
      ->capture_default_str()->group(g);
  cmd->add_option("--level", a->level, "interval coverage")
      ->capture_default_str()->check(CLI::Range(0.5, 0.999))->group(g);
  add_interval_method_option(*cmd, a->method)->group(g);
  cmd->add_option("--kfold", a->kfold, "folds of k-fold cross-validation for ranking (0: none)")
      ->check(kfold_check())->capture_default_str()->group(g);
  cmd->add_option("--extrapolate", a->extrapolate,
                  "rank by predicting the rows beyond N<=...,D<=... from fits on the rest")
      ->group(g);
  cmd->add_flag("--no-figures", a->no_figures, "write no figures (report.html without them)")
      ->group(g);
  cmd->footer(R"(Examples:
  shannonfit analyze data/chinchilla_svg_extracted.csv --flops-col 'Training FLOP' \
      --drop-highest-loss 5 --at N=70B,D=1.4T --budget 5.76e23
  shannonfit analyze runs.csv --law chinchilla,kaplan-e --resamples 1000 --seed 7 --out rep/
  shannonfit analyze data/pythia_evals.csv --loss-col lambada_loss --filter 'step > 512' \
      --law shannon,chinchilla --extrapolate 'N<=2.8B,D<=180B'
  shannonfit analyze noisy.csv --perturbation noise:sigma --law shannon-x --json --quiet

Writes DIR/report.json (command, seed, version, data SHA-256, all results), params.csv,
predictions.csv, selection.csv, data.csv, fitted.csv, curves.csv, bootstrap.csv,
figures/*.png|svg (when python3-matplotlib is installed) and report.html. Sizes, token counts
and budgets take K/M/B/T suffixes (12B, 307B, 1.4T); intervals are 90% unless --level.

Intervals come in two kinds, each named with its level in every output: the confidence band of
the law's mean curve, and the prediction interval for the loss a new run would show (the
headline). )" + std::string(kPredictionMethod) + ". Headline across laws: " + kLawAveragedMethod +
              R"(. Ranking: held-out error when --extrapolate is given or a target lies beyond
the data (then the largest model, or the late tokens, are held out), else leave-one-model-out CV
when rows share models, else k-fold CV. docs/results.md has the measured coverage (`backtest`).)");
  cmd->callback([a] { run(*a); });
}

}  // namespace shannonfit::cli
