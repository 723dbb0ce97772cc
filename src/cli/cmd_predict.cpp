// `shannonfit predict`: the loss a law predicts at given (N, D) points, with bootstrap intervals,
// either from a bootstrap run stored by `bootstrap --params-out` or from one run here. Curve
// grids (loss against D for several N) go to CSV for plotting bands.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "analysis/bootstrap_io.hpp"
#include "analysis/prediction_interval.hpp"
#include "cli/bootstrap_common.hpp"
#include "cli/commands.hpp"
#include "cli/validate.hpp"
#include "io/output.hpp"
#include "io/text_table.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {

namespace {

struct PredictArgs {
  DataArgs data;
  LawArgs laws;
  SolverArgs solver = refitting_solver_args();
  ResampleArgs resample;
  OutputArgs output;
  std::string params;
  std::vector<std::string> at, curves;
  std::string grid;
  std::string csv_out;
  bool law_given = false;
};

struct PredictedRun {
  std::string by;
  BootstrapResult run;
  std::vector<double> covariance;  // empty when read from a file: no asymptotic intervals
  std::optional<FitRecord> fit;    // the full-data fit; none when read from a file
  // The data as resampled (with its model groups); none when read from a file, which leaves
  // the confidence band only: a new run's scatter is estimated from the data.
  std::optional<Dataset> resampled;
};

std::vector<PredictionPoint> gather_points(const PredictArgs& a, const PointKeys& keys) {
  std::vector<PredictionPoint> points;
  for (const auto& spec : a.at) points.push_back(parse_point(spec, keys));
  for (const auto& spec : a.curves)
    for (const auto& p : curve_points(parse_curves(spec, keys))) points.push_back(p);
  if (!a.grid.empty())
    for (const auto& p : read_grid(a.grid, keys)) points.push_back(p);
  if (points.empty())
    throw InputError("predict needs points: --at " + describe_keys(keys) +
                     ", --grid FILE or --curves SPEC");
  return points;
}

std::vector<PredictedRun> stored_runs(const PredictArgs& a) {
  // The laws named with --law, resolved first: a formula law is known by name only once made.
  std::vector<std::string> wanted;
  if (a.law_given)
    for (const LawEntry* law : resolve_laws(a.laws, true)) wanted.push_back(law->info.name);
  std::vector<PredictedRun> runs;
  for (auto& s : read_params_csv(a.params)) {
    if (a.law_given && std::find(wanted.begin(), wanted.end(), s.run.law) == wanted.end())
      continue;
    runs.push_back({s.by, std::move(s.run), {}, std::nullopt, std::nullopt});
  }
  if (runs.empty()) throw InputError(a.params + ": no run of the laws named with --law");
  return runs;
}

std::string csv_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return std::isfinite(v) ? buf : "";
}

void run(const PredictArgs& a) {
  const InterruptGuard guard;
  if (a.params.empty() == a.data.path.empty())
    throw InputError("predict needs either DATA (to run a bootstrap now) or --params FILE (from "
                     "`bootstrap --params-out`), not both");
  validate_level(a.resample.level);
  const IntervalMethod& method = find_interval_method(a.resample.method);
  if (a.params.empty()) require_interval_resamples(a.resample.resamples, a.resample.level);
  io::OutputPlan plan = output_plan(a.data, a.output);
  plan.input(a.params, "--params");
  plan.input(a.grid, "--grid");
  plan.file(a.csv_out, "--csv-out");
  const PointKeys keys = point_keys(resolve_laws(a.laws, true));
  const std::vector<PredictionPoint> points = gather_points(a, keys);

  std::vector<PredictedRun> runs;
  nlohmann::json source;
  std::string response = "loss";  // named from DATA's column; --params has no new-run table
  if (!a.params.empty()) {
    runs = stored_runs(a);
    source = {{"params", a.params}};
  } else {
    const auto laws = resolve_laws(a.laws, !a.data.perturbation.empty());
    const io::LoadedData loaded = load(a.data, laws, a.solver);
    require_fittable(a.data, loaded, laws, &a.output);
    response = response_name(laws, loaded.columns.loss);
    for (const auto& slice : loaded.slices)
      for (const auto& point : points)
        for (const auto& why : outside_domain(slice.data, point, "predict", keys))
          note(a.output, why);
    bootstrap_each(a.data, loaded, laws, a.solver, a.resample, a.output, nullptr,
                   [&runs](const io::Slice& slice, const std::string&, const LawEntry&,
                           BootstrapRecord& rec) {
                     runs.push_back({slice.by_value, std::move(rec.run),
                                     rec.fit.summary.covariance, rec.fit,
                                     std::move(rec.resampled)});
                   });
    source = {{"data", describe(a.data, loaded)},
              {"solver", describe(a.solver, laws)},
              {"bootstrap", describe(a.resample)}};
  }

  const double level = a.resample.level;
  // confidence_<method> columns, one pair per interval method: the confidence band of the mean
  // curve; prediction columns: the interval for a new run's loss (empty with --params, which has
  // no data to estimate it from).
  std::string csv = "law,by,";
  for (char place : keys.table_places()) csv += keys.name(place) + ",";
  csv += "loss,bootstrap_se,";
  for (const IntervalMethod& m : interval_methods())
    csv += fmt::format("confidence_{0}_lo,confidence_{0}_hi,", m.name);
  csv += "prediction_lo,prediction_hi,level\n";
  nlohmann::json results = nlohmann::json::array();
  bool interrupted = false;
  for (const PredictedRun& pr : runs) {
    interrupted = interrupted || pr.run.interrupted;
    const auto qs = prediction_intervals(pr.run, points, level, pr.covariance);
    const std::vector<QuantityInterval> new_run =
        pr.resampled ? new_run_intervals({&find_law(pr.run.law), &pr.run}, *pr.resampled,
                                         pr.fit->options.space, points, level)
                     : std::vector<QuantityInterval>{};
    results.push_back({{"law", pr.run.law},
                       {"by", pr.by},
                       {"full_fit", pr.fit ? fit_health_json(*pr.fit) : nlohmann::json()},
                       {"bootstrap", describe_run(pr.run)},
                       {"predictions", predictions_json(points, qs, new_run, method, keys)}});
    for (std::size_t i = 0; i < points.size(); ++i) {
      const auto& q = qs[i];
      csv += pr.run.law + "," + pr.by + ",";
      for (char place : keys.table_places()) csv += csv_number(value_at(points[i], place)) + ",";
      csv += csv_number(q.estimate) + "," + csv_number(q.se) + ",";
      for (const Interval& iv : q.by_method) csv += csv_number(iv.lo) + "," + csv_number(iv.hi) + ",";
      const Interval new_run_iv = i < new_run.size() ? shown(new_run[i], method).interval : Interval{};
      csv += csv_number(new_run_iv.lo) + "," + csv_number(new_run_iv.hi) + "," + csv_number(level) +
             "\n";
    }
    if (show_text(a.output)) {
      std::printf("%s%s%s: %zu resamples (%d failed)\n", pr.run.law.c_str(),
                  pr.by.empty() ? "" : ", by ", pr.by.c_str(), pr.run.resamples.size(),
                  pr.run.failed());
      if (pr.fit) std::printf("%s", fit_health_text(*pr.fit).c_str());
      if (!new_run.empty()) {
        std::printf("%s\n", new_run_table(new_run, level, response).c_str());
      } else {
        std::printf("(no prediction interval for a new run: --params holds no data to estimate "
                    "the runs' scatter from; run predict on DATA for one)\n");
      }
      std::printf("%s\n", interval_table(qs, level, method).c_str());
    }
  }
  emit_json(a.output, result_document("predict", {{"source", source},
                                                  {"level", level},
                                                  {"interrupted", interrupted},
                                                  {"results", results}}));
  if (!a.csv_out.empty()) {
    io::write_file(a.csv_out, csv, a.output.force);
    if (show_text(a.output)) std::printf("wrote %s\n", a.csv_out.c_str());
  }
  throw_if_interrupted(interrupted);
}

}  // namespace

void register_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "predict", "Predicted loss with bootstrap intervals at points, grids or curves");
  auto args = std::make_shared<PredictArgs>();
  add_data_options(*cmd, args->data);
  cmd->get_option("DATA")->required(false);
  add_law_option(*cmd, args->laws, "chinchilla");
  add_solver_options(*cmd, args->solver);
  add_resample_options(*cmd, args->resample);
  const char* g = "Prediction";
  cmd->add_option("--params", args->params,
                  "per-resample parameters from `bootstrap --params-out` (instead of DATA)")
      ->group(g);
  cmd->add_option("--at", args->at, "a point N=12e9,D=307e9[,x=0.1], or in a law's own columns (t=3) (repeatable)")->group(g);
  cmd->add_option("--grid", args->grid,
                  "CSV with a column per variable: N, D (and optionally x), or a law's own "
                  "columns (params, tokens)")
      ->group(g);
  cmd->add_option("--curves", args->curves,
                  "N=n1,n2,...:D=from..to:points[:x=v]: loss against D (log-spaced) per N; in a "
                  "law's own variables, one KEY=from..to swept, a count, KEY=v1,v2,... for the "
                  "others (repeatable)")
      ->group(g);
  add_output_options(*cmd, args->output, "write the results as JSON to FILE");
  cmd->add_option("--csv-out", args->csv_out,
                  "write one row per (law, point) with the prediction and its bands, for plots")
      ->group("Output");
  cmd->footer(
      "Examples:\n"
      "  shannonfit bootstrap data.csv --params-out boot.csv\n"
      "  shannonfit predict --params boot.csv --at N=12e9,D=307e9 --at N=70e9,D=1.4e12\n"
      "  shannonfit predict --params boot.csv --curves N=1e9,1e10,1e11:D=1e9..1e13:40 \\\n"
      "      --csv-out bands.csv\n"
      "  shannonfit predict data.csv --resamples 500 --at N=12e9,D=307e9\n\n"
      "Two kinds of interval: the confidence band of the law's mean curve, and (from DATA) the "
      "prediction interval for the loss a new run would show, listed first. " +
      std::string(kPredictionMethod) + ".");
  cmd->callback([args, cmd] {
    args->law_given = cmd->count("--law") > 0;
    run(*args);
  });
}

}  // namespace shannonfit::cli
