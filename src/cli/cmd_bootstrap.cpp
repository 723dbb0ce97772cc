// `shannonfit bootstrap`: the full-data fit of each law, then a streamed bootstrap around it;
// intervals for the parameters, for predictions (--at) and for the compute-optimal allocation
// (--budget), as tables, JSON, and a CSV of every resample's parameters (--params-out).
#include <cstdio>
#include <memory>
#include <optional>

#include "analysis/bootstrap_io.hpp"
#include "analysis/compute_optimal.hpp"
#include "analysis/uncertainty.hpp"
#include "cli/bootstrap_common.hpp"
#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/validate.hpp"
#include "io/output.hpp"
#include "io/text_table.hpp"
#include "mpi/world.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {

namespace {

struct BootstrapArgs {
  DataArgs data;
  LawArgs laws;
  SolverArgs solver = refitting_solver_args();
  ResampleArgs resample;
  OutputArgs output;
  std::vector<std::string> at;
  std::vector<double> budgets;
  double flops_per_token_param = 6;
  double n_min = 1e6, n_max = 1e15;
  std::string params_out;
};

struct AllocationIntervals {
  double budget;
  Optimum estimate;
  int resamples_on_bound = 0;
  std::vector<QuantityInterval> nd_l;  // N*, D*, L*
};

AllocationIntervals allocation(const BootstrapRecord& rec, double budget,
                               const ComputeOptimalOptions& o, double level) {
  const LawEntry& law = *rec.fit.law;
  AllocationIntervals a;
  a.budget = budget;
  a.estimate = compute_optimal(law, rec.fit.result.params.data(), budget, o);
  for (const auto& f : rec.run.resamples)
    if (f.ok()) a.resamples_on_bound += compute_optimal(law, f.params.data(), budget, o).on_bound;
  const char* names[3] = {"N*", "D*", "L*"};
  for (int which = 0; which < 3; ++which) {
    const Quantity q = [&law, budget, &o, which](const double* p) {
      const Optimum opt = compute_optimal(law, p, budget, o);
      if (!opt.ok) return std::nan("");
      return which == 0 ? opt.n : which == 1 ? opt.d : opt.loss;
    };
    a.nd_l.push_back(
        quantity_interval(rec.run, names[which], q, level, rec.fit.summary.covariance));
  }
  return a;
}

void run(const BootstrapArgs& a) {
  const InterruptGuard guard;
  std::vector<std::string> skipped;
  const auto laws = resolve_laws(a.laws, !a.data.perturbation.empty(), &skipped);
  validate_level(a.resample.level);
  const IntervalMethod& method = find_interval_method(a.resample.method);
  require_interval_resamples(a.resample.resamples, a.resample.level);
  if (a.resample.scheme == "cluster" && a.data.map.group.empty())
    throw InputError("--scheme cluster resamples whole groups: name the group column with "
                     "--group-col");
  const PointKeys keys = point_keys(laws);
  std::vector<PredictionPoint> points;
  for (const auto& spec : a.at) points.push_back(parse_point(spec, keys));
  ComputeOptimalOptions co;
  co.flops_per_token_param = a.flops_per_token_param;
  co.n_min = a.n_min;
  co.n_max = a.n_max;
  for (double c : a.budgets) validate(co, c);
  if (!a.budgets.empty())
    for (const LawEntry* law : laws)
      if (const std::string why = compute_optimal_unavailable(*law); !why.empty())
        throw InputError("--budget: " + why + " (fit it without --budget)");
  io::OutputPlan plan = output_plan(a.data, a.output);
  plan.file(a.params_out, "--params-out");
  plan_checkpoint(plan, a.resample);
  std::optional<CheckpointFile> checkpoint = open_checkpoint(a.resample);
  const io::LoadedData loaded = load(a.data, laws, a.solver);
  for (const auto& s : skipped) note(a.output, "--law all skips " + s);
  require_fittable(a.data, loaded, laws, &a.output);
  const std::string response = response_name(laws, loaded.columns.loss);
  for (const auto& slice : loaded.slices)
    for (std::size_t i = 0; i < points.size(); ++i)
      for (const auto& why : outside_domain(slice.data, points[i], "--at " + a.at[i], keys))
        note(a.output, why);

  nlohmann::json results = nlohmann::json::array();
  std::vector<StoredRun> stored;
  const double level = a.resample.level;
  const bool interrupted = bootstrap_each(
      a.data, loaded, laws, a.solver, a.resample, a.output, checkpoint ? &*checkpoint : nullptr,
      [&](const io::Slice& slice, const std::string& label, const LawEntry& law,
          BootstrapRecord& rec) {
        const auto& cov = rec.fit.summary.covariance;
        const auto params = parameter_intervals(rec.run, law.info, level, cov);
        const auto preds = prediction_intervals(rec.run, points, level, cov);
        const auto new_run = new_run_intervals({&law, &rec.run}, rec.resampled,
                                               rec.fit.options.space, points, level);
        std::vector<AllocationIntervals> allocs;
        for (double c : a.budgets) allocs.push_back(allocation(rec, c, co, level));

        nlohmann::json pj = nlohmann::json::array(), aj = nlohmann::json::array();
        for (const auto& q : params) pj.push_back(interval_json(q, method));
        for (const auto& al : allocs) {
          aj.push_back({{"budget", al.budget},
                        {"flops_per_token_param", co.flops_per_token_param},
                        {"n_bounds", {co.n_min, co.n_max}},
                        {"estimate_on_bound", al.estimate.on_bound},
                        {"resamples_on_bound", al.resamples_on_bound},
                        {"N", interval_json(al.nd_l[0], method)},
                        {"D", interval_json(al.nd_l[1], method)},
                        {"L", interval_json(al.nd_l[2], method)}});
        }
        results.push_back({{"fit", fit_json(rec.fit, a.data.map.by)},
                           {"bootstrap", describe_run(rec.run)},
                           {"parameters", pj},
                           {"predictions", predictions_json(points, preds, new_run, method, keys)},
                           {"compute_optimal", aj}});

        if (show_text(a.output)) {
          std::printf("%s  %s\n  data    %s (%zu rows)\n", law.info.name.c_str(),
                      law.info.formula.c_str(), label.c_str(), slice.data.size());
          std::printf("  fit     %s, best of %ld starts: %s\n",
                      describe_objective(rec.fit.options).c_str(), rec.fit.n_starts,
                      to_string(rec.fit.result.status));
          std::printf("%s", fit_health_text(rec.fit).c_str());
          std::printf("  boot    %s scheme, %zu of %d resamples (%d failed), starts %s (%d each), "
                      "seed %llu, %.1f s\n\n",
                      to_string(rec.run.scheme), rec.run.resamples.size(), rec.run.requested,
                      rec.run.failed(), to_string(rec.run.starts), rec.run.n_starts,
                      static_cast<unsigned long long>(rec.run.seed), rec.run.seconds);
          std::printf("%s", interval_table(params, level, method).c_str());
          if (!preds.empty())
            std::printf("\n%s%s", new_run_table(new_run, level, response).c_str(),
                        interval_table(preds, level, method).c_str());
          for (const auto& al : allocs) {
            std::printf("\n  compute-optimal at C = %s FLOPs (C = %g N D)%s\n",
                        io::format_number(al.budget, 4).c_str(), co.flops_per_token_param,
                        al.estimate.on_bound ? "  [estimate on a search bound]" : "");
            std::printf("%s", interval_table(al.nd_l, level, method).c_str());
            if (al.resamples_on_bound > 0)
              std::printf("  %d resamples put N* on a search bound [%g, %g]\n",
                          al.resamples_on_bound, co.n_min, co.n_max);
          }
          std::printf("\n");
        }
        stored.push_back({slice.by_value, std::move(rec.run)});
      });

  // Partial outputs would block the resumed run's (no overwrite without --force).
  if (interrupted && checkpoint)
    throw InterruptedError("the completed resamples are saved in " + checkpoint->path() +
                           "; run the same command with --resume to continue");
  if (!dist::is_root()) return;  // rank 0 alone writes, exactly what one process writes

  const nlohmann::json doc = result_document("bootstrap", {{"data", describe(a.data, loaded)},
                                                           {"solver", describe(a.solver, laws)},
                                                           {"bootstrap", describe(a.resample)},
                                                           {"interrupted", interrupted},
                                                           {"results", results}});
  emit_json(a.output, doc);
  if (!a.params_out.empty()) io::write_file(a.params_out, params_csv(stored), a.output.force);
  if (show_text(a.output)) {
    if (!a.output.out.empty()) std::printf("wrote %s\n", a.output.out.c_str());
    if (!a.params_out.empty()) std::printf("wrote %s\n", a.params_out.c_str());
  }
  throw_if_interrupted(interrupted);
}

}  // namespace

void register_bootstrap(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bootstrap",
      "Bootstrap intervals for parameters, predictions and compute-optimal allocations");
  auto args = std::make_shared<BootstrapArgs>();
  add_data_options(*cmd, args->data);
  add_law_option(*cmd, args->laws, "chinchilla");
  add_solver_options(*cmd, args->solver);
  add_resample_options(*cmd, args->resample);
  const char* g = "Derived quantities";
  cmd->add_option("--at", args->at,
                  "predict the loss here: N=12e9,D=307e9[,x=0.1], or in a law's own columns "
                  "(t=3) (repeatable)")
      ->group(g);
  cmd->add_option("--budget", args->budgets,
                  "compute-optimal N*, D*, L* for this FLOP budget C (repeatable)")
      ->transform(quantity())->group(g);
  cmd->add_option("--flops-per-token-param", args->flops_per_token_param,
                  "k in C = k N D")
      ->capture_default_str()->group(g);
  cmd->add_option("--n-min", args->n_min, "smallest N searched for N*")
      ->transform(quantity())->capture_default_str()->group(g);
  cmd->add_option("--n-max", args->n_max, "largest N searched for N*")
      ->transform(quantity())->capture_default_str()->group(g);
  add_output_options(*cmd, args->output, "write the results as JSON to FILE");
  cmd->add_option("--params-out", args->params_out,
                  "write every resample's parameters (solver space) as CSV, for `predict --params`")
      ->group("Output");
  cmd->footer(
      "Examples:\n"
      "  shannonfit bootstrap data.csv --resamples 2000 --at N=12e9,D=307e9 --budget 1e24\n"
      "  shannonfit bootstrap runs.csv --scheme cluster --group-col model --params-out boot.csv\n"
      "  shannonfit bootstrap chinchilla_svg_extracted.csv --n-col \"Model Size\" \\\n"
      "      --flops-col \"Training FLOP\" --drop-highest-loss 5 --resamples 4000 --starts best");
  cmd->callback([args] { run(*args); });
}

}  // namespace shannonfit::cli
