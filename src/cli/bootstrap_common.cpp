#include "cli/bootstrap_common.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "analysis/prediction_interval.hpp"
#include "analysis/separable_starts.hpp"
#include "analysis/uncertainty.hpp"
#include "cli/progress.hpp"
#include "cli/validate.hpp"
#include "io/csv.hpp"
#include "io/text_table.hpp"
#include "mpi/world.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {

namespace {

// "L(N=..., D=...)"; a law over its own columns, which need not predict a loss, is named by
// itself and its own variables: "acc(params=6.9B, tokens=200B)".
std::string point_name(const LawEntry& law, const PredictionPoint& pt) {
  const PointKeys keys = point_keys({&law});
  return (keys.own_columns() ? law.info.name : "L") + "(" + describe_point(keys, pt) + ")";
}

std::string range(const Interval& i) {
  if (std::isnan(i.lo)) return "n/a";
  return io::format_number(i.lo, 4) + " .. " + io::format_number(i.hi, 4);
}

}  // namespace

void add_resample_options(CLI::App& cmd, ResampleArgs& a) {
  const char* g = "Bootstrap";
  cmd.add_option("--resamples,-B", a.resamples, "bootstrap resamples")
      ->check(count_check(1, kMaxResamples))->capture_default_str()->group(g);
  cmd.add_option("--scheme", a.scheme,
                 "auto (cluster when rows share a model: a --group-col, or one N measured at "
                 "several D, whose rows then form one model; else case), case (rows, with "
                 "replacement, an explicit choice), cluster (whole groups of --group-col), or "
                 "residual (fitted values plus resampled residuals)")
      ->check(CLI::IsMember({"auto", "case", "cluster", "residual"}))->capture_default_str()->group(g);
  cmd.add_option("--seed", a.seed, "seed of the counter-based draws: resample r is the same for "
                                   "any backend, thread count or --chunk")
      ->check(seed_check())->capture_default_str()->group(g);
  cmd.add_option("--level", a.level, "confidence level of the intervals, in (0, 1)")
      ->capture_default_str()->group(g);
  add_interval_method_option(cmd, a.method)->group(g);
  cmd.add_option("--chunk", a.chunk,
                 "resamples per batch (bounds memory; 0 = chosen from the start count)")
      ->check(count_check(0, kMaxResamples))->capture_default_str()->group(g);
  cmd.add_flag("--no-jackknife", a.no_jackknife,
               "skip the leave-one-out refits (BCa then has no acceleration term)")
      ->group(g);
  cmd.add_option("--checkpoint", a.checkpoint,
                 "save completed resamples to FILE after every chunk (atomically); Ctrl-C then "
                 "stops after the current chunk and the run continues with --resume")
      ->group(g);
  cmd.add_flag("--resume", a.resume,
               "continue the run saved in --checkpoint FILE; the outputs are byte for byte those "
               "of an uninterrupted run")
      ->group(g);
}

CLI::Option* add_interval_method_option(CLI::App& cmd, std::string& method) {
  std::vector<std::string> names;
  std::string help = "the interval shown first and as \"interval\" in the JSON, where it is "
                     "defined (else " + std::string(fallback_interval_method().name) +
                     "); every method is listed beside it:";
  for (const IntervalMethod& m : interval_methods()) {
    names.emplace_back(m.name);
    help += fmt::format("\n  {}: {}", m.name, m.description);
  }
  return cmd.add_option("--method", method, help)
      ->check(CLI::IsMember(names))
      ->capture_default_str();
}

void plan_checkpoint(io::OutputPlan& plan, const ResampleArgs& a) {
  plan.file(a.checkpoint, "--checkpoint", false, a.resume);
}

std::optional<CheckpointFile> open_checkpoint(const ResampleArgs& a) {
  if (a.checkpoint.empty()) {
    if (a.resume) throw InputError("--resume continues a --checkpoint FILE: name the file");
    return std::nullopt;
  }
  if (dist::size() > 1)
    throw InputError("--checkpoint: checkpoints are for single-process runs, not under mpirun (" +
                     std::to_string(dist::size()) + " ranks)");
  return CheckpointFile(a.checkpoint, a.resume);
}

nlohmann::json describe(const ResampleArgs& a) {
  return {{"resamples", a.resamples}, {"scheme", a.scheme}, {"seed", a.seed},
          {"level", a.level},         {"interval_method", a.method}, {"chunk", a.chunk},
          {"jackknife", !a.no_jackknife}};
}

void require_interval_resamples(int resamples, double level) {
  if (resamples < 2)
    throw InputError("--resamples: an interval needs at least 2 resamples (got " +
                     std::to_string(resamples) + "; at least " +
                     std::to_string(min_resamples(level)) + " at --level " +
                     io::format_number(level, 4) + ")");
}

BootstrapRecord run_bootstrap_record(const LawEntry& law, const Dataset& data,
                                     const std::string& data_label, const SolverArgs& solver,
                                     const ResampleArgs& resample, bool quiet,
                                     CheckpointFile* checkpoint) {
  BootstrapRecord rec;
  rec.resampled = data;
  rec.grouping = assign_model_groups(rec.resampled, point_keys({&law}));
  BootstrapOptions o;
  o.fit = solver.config({&law});
  rec.fit = run_fit(solver.plan(law, data), data, data_label, InterruptGuard::flag());
  o.scheme = resolve_scheme(resample.scheme, rec.resampled);
  o.resamples = resample.resamples;
  o.seed = resample.seed;
  o.chunk = resample.chunk;
  o.jackknife = !resample.no_jackknife;
  o.full = &rec.fit.result;
  std::vector<ResampleFit> saved_jackknife, saved_resamples;
  CheckpointKey key;
  if (checkpoint) {
    key = checkpoint_key(data_label, rec.resampled, law, o);
    // A cluster jackknife has one row per model, else one per data row.
    std::size_t jackknife_rows = 0;
    if (o.jackknife)
      jackknife_rows = o.scheme == Scheme::Cluster
                           ? std::set<int>(rec.resampled.group.begin(), rec.resampled.group.end()).size()
                           : rec.resampled.size();
    if (const CheckpointRun* stored = checkpoint->find(
            key, jackknife_rows, static_cast<std::size_t>(o.resamples))) {
      o.done_jackknife = saved_jackknife = stored->jackknife;
      o.done_resamples = saved_resamples = stored->resamples;
    }
    o.on_chunk = [&](const char* phase, const std::vector<ResampleFit>& rows, long done) {
      auto& saved = std::string(phase) == "jackknife" ? saved_jackknife : saved_resamples;
      saved.assign(rows.begin(), rows.begin() + done);
      checkpoint->save(key, saved_jackknife, saved_resamples);
    };
  }
  ProgressBar bar(law.info.name, quiet || !dist::is_root());
  rec.run = dist::run_bootstrap(rec.resampled, law, o,
                                [&bar](const BootstrapProgress& p) { bar.update(p); },
                                InterruptGuard::flag());
  bar.finish();
  return rec;
}

bool bootstrap_each(const DataArgs& data, const io::LoadedData& loaded,
                    const std::vector<const LawEntry*>& laws, const SolverArgs& solver,
                    const ResampleArgs& resample, const OutputArgs& output,
                    CheckpointFile* checkpoint, const BootstrapRecordFn& each) {
  const InterruptGuard guard;
  for (const auto& slice : loaded.slices) {
    const std::string label = slice_label(data, slice);
    for (const LawEntry* law : laws) {
      BootstrapRecord rec = run_bootstrap_record(*law, slice.data, label, solver, resample,
                                                 output.quiet, checkpoint);
      rec.fit.by_value = slice.by_value;
      warn_best_fit(output, rec.fit);
      const std::string failures = failure_note(rec.run);
      if (!failures.empty()) note(output, label + ": " + law->info.name + ": " + failures);
      if (rec.run.scheme == Scheme::Cluster)
        note(output, fmt::format("{}: {}: resampled whole models ({} clusters, grouped by {})",
                                 label, law->info.name, rec.run.n_clusters, rec.grouping));
      for (const std::string& w :
           {resample_count_warning(static_cast<int>(rec.run.resamples.size()), resample.level),
            rec.run.scheme == Scheme::Cluster
                ? cluster_count_warning(rec.run.n_clusters, resample.level)
                : std::string()})
        if (!w.empty()) note(output, "warning: " + label + ": " + law->info.name + ": " + w);
      const bool interrupted = rec.run.interrupted;
      each(slice, label, *law, rec);
      if (interrupted) return true;
    }
  }
  return false;
}

void throw_if_interrupted(bool interrupted) {
  if (interrupted)
    throw InterruptedError("stopped after the completed resamples; the outputs hold those only");
}

// No wall time here: outputs must be byte for byte reproducible (resumed and MPI runs are
// compared that way); the text summary reports the time.
nlohmann::json describe_run(const BootstrapResult& r) {
  int jack_failed = 0;
  for (const auto& f : r.jackknife) jack_failed += !f.ok();
  return {{"scheme", to_string(r.scheme)},
          {"starts", to_string(r.starts)},
          {"starts_per_resample", r.n_starts},
          {"seed", r.seed},
          {"chunk", r.chunk},
          {"requested", r.requested},
          {"completed", r.resamples.size()},
          {"failed", r.failed()},
          {"interrupted", r.interrupted},
          {"clusters", r.n_clusters},
          {"jackknife_refits", r.jackknife.size()},
          {"jackknife_failed", jack_failed}};
}

std::string interval_table(const std::vector<QuantityInterval>& qs, double level,
                           const IntervalMethod& method) {
  const std::string pct = io::format_number(100 * level, 4) + "% ";
  std::vector<const IntervalMethod*> columns = {&method};
  for (const IntervalMethod& m : interval_methods())
    if (&m != &method) columns.push_back(&m);
  std::vector<std::string> header = {to_string(IntervalKind::Confidence), "estimate", "boot.SE",
                                     "bias"};
  for (const IntervalMethod* m : columns) header.push_back(pct + std::string(m->label));
  header.push_back("asym.SE");
  io::TextTable t(header);
  for (const auto& q : qs) {
    std::vector<std::string> row = {q.name, io::format_number(q.estimate),
                                    io::format_number(q.se, 3), io::format_number(q.bias, 3)};
    for (const IntervalMethod* m : columns) row.push_back(range(q.interval(m->name)));
    row.push_back(io::format_number(q.asymptotic_se, 3));
    t.add_row(row);
  }
  return t.render();
}

std::vector<QuantityInterval> prediction_intervals(const BootstrapResult& run,
                                                   const std::vector<PredictionPoint>& points,
                                                   double level,
                                                   const std::vector<double>& covariance) {
  const LawEntry& law = find_law(run.law);
  std::vector<QuantityInterval> out;
  for (const PredictionPoint& pt : points)
    out.push_back(confidence_band({&law, &run}, pt, level, covariance, point_name(law, pt)));
  return out;
}

std::vector<QuantityInterval> new_run_intervals(const LawRun& run, const Dataset& resampled,
                                                Space space,
                                                const std::vector<PredictionPoint>& points,
                                                double level) {
  std::vector<QuantityInterval> out;
  for (const PredictionPoint& pt : points)
    out.push_back(prediction_interval(run, resampled, space, pt, level, point_name(*run.law, pt)));
  return out;
}

std::string new_run_table(const std::vector<QuantityInterval>& qs, double level,
                          const std::string& response) {
  io::TextTable t({to_string(IntervalKind::Prediction), "estimate",
                   io::format_number(100 * level, 4) + "% interval for a new run's " + response});
  for (const auto& q : qs) t.add_row({q.name, io::format_number(q.estimate), range(shown(q).interval)});
  return t.render();
}

std::string failure_note(const BootstrapResult& r) {
  const int failed = r.failed();
  if (failed == 0) return "";
  std::map<std::string, int> by_status;
  for (const auto& f : r.resamples)
    if (!f.ok()) ++by_status[to_string(f.status)];
  std::string detail;
  for (const auto& [status, count] : by_status)
    detail += (detail.empty() ? "" : ", ") + std::to_string(count) + " " + status;
  return std::to_string(failed) + " of " + std::to_string(r.resamples.size()) +
         " resamples failed (" + detail + "); they are left out of every interval";
}

}  // namespace shannonfit::cli
