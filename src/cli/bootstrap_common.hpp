#pragma once
// What `bootstrap` and `predict` share: the resampling options, one bootstrap run per (slice,
// law) with its progress bar and Ctrl-C handling, and intervals as tables and JSON.
#include <CLI/CLI.hpp>
#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/checkpoint.hpp"
#include "analysis/intervals.hpp"
#include "analysis/intervals.hpp"
#include "analysis/prediction.hpp"
#include "analysis/prediction_interval.hpp"
#include "cli/common.hpp"
#include "cli/fitting.hpp"
#include "cli/interrupt.hpp"

namespace shannonfit::cli {

// --resamples, --scheme, --seed, --level, --method, --chunk, --no-jackknife, --checkpoint,
// --resume. Where resamples start is the solver group's --starts (default best for these
// commands).
struct ResampleArgs {
  int resamples = 1000;
  std::string scheme = "auto";
  std::uint64_t seed = 0;
  double level = kDefaultLevel;
  std::string method{default_interval_method().name};  // the interval shown (intervals.hpp)
  int chunk = 0;
  bool no_jackknife = false;
  std::string checkpoint;  // --checkpoint FILE: completed resamples saved after every chunk
  bool resume = false;     // --resume: continue the run saved in --checkpoint
};
void add_resample_options(CLI::App& cmd, ResampleArgs& args);
// --method: the interval shown, one of interval_methods(), with each method's description in
// its help. Shared with `analyze`, which has resampling options of its own.
CLI::Option* add_interval_method_option(CLI::App& cmd, std::string& method);
nlohmann::json describe(const ResampleArgs& args);

// One law on one slice: the full-data fit (with its statistics) and the bootstrap around it.
struct BootstrapRecord {
  FitRecord fit;
  BootstrapResult run;
  Dataset resampled;     // the slice as resampled: with its model groups (assign_model_groups)
  std::string grouping;  // how its rows share models; "" none
};

// Runs the full-data fit and the bootstrap; draws progress on stderr (a TTY, not --quiet).
// A Ctrl-C stops after the current chunk and returns the completed prefix (run.interrupted).
// Under mpirun the resamples are split across the ranks (src/mpi/world.hpp). With a
// checkpoint, rows it holds for this run are reused and every chunk is saved to it.
BootstrapRecord run_bootstrap_record(const LawEntry& law, const Dataset& data,
                                     const std::string& data_label, const SolverArgs& solver,
                                     const ResampleArgs& resample, bool quiet,
                                     CheckpointFile* checkpoint = nullptr);

// Adds --checkpoint to the command's outputs (and, with --resume, its inputs): it may be replaced
// in place when resumed, and never be DATA or another output.
void plan_checkpoint(io::OutputPlan& plan, const ResampleArgs& resample);
// The checkpoint --checkpoint/--resume ask for (empty without --checkpoint). Throws InputError
// for --resume without --checkpoint and for a checkpoint under several MPI ranks.
std::optional<CheckpointFile> open_checkpoint(const ResampleArgs& resample);

// Runs run_bootstrap_record for every law on every slice, in that order, with Ctrl-C/SIGTERM
// caught: the run they stop returns its completed resamples, and no further run starts. Each
// record (fit.by_value set) goes to `each` after its best-fit warning and failure note; returns
// whether the runs were interrupted. Call throw_if_interrupted once the outputs are written.
using BootstrapRecordFn = std::function<void(const io::Slice& slice, const std::string& label,
                                             const LawEntry& law, BootstrapRecord& rec)>;
bool bootstrap_each(const DataArgs& data, const io::LoadedData& loaded,
                    const std::vector<const LawEntry*>& laws, const SolverArgs& solver,
                    const ResampleArgs& resample, const OutputArgs& output,
                    CheckpointFile* checkpoint, const BootstrapRecordFn& each);

// Throws InterruptedError (exit 130) for a run whose outputs hold only the completed resamples.
void throw_if_interrupted(bool interrupted);

nlohmann::json describe_run(const BootstrapResult& run);

// Rows of confidence intervals under a header naming the kind and level: name, estimate,
// bootstrap SE, bias, every method's interval (`method`'s first), asymptotic SE.
std::string interval_table(const std::vector<QuantityInterval>& qs, double level,
                           const IntervalMethod& method);

// Prediction intervals for `points` from a run (law looked up by name); `covariance` (solver
// space, may be empty) gives the asymptotic intervals beside them.
std::vector<QuantityInterval> prediction_intervals(const BootstrapResult& run,
                                                   const std::vector<PredictionPoint>& points,
                                                   double level,
                                                   const std::vector<double>& covariance);
// Prediction intervals for a new run's loss at `points` (prediction_interval.hpp), named as
// prediction_intervals names them; needs the data the run was fitted to, with its model groups.
std::vector<QuantityInterval> new_run_intervals(const LawRun& run, const Dataset& resampled,
                                                Space space,
                                                const std::vector<PredictionPoint>& points,
                                                double level);
// "90% prediction interval for a new run's loss" table: name, estimate, interval; the response
// named as response_name (law_inputs.hpp) says.
std::string new_run_table(const std::vector<QuantityInterval>& qs, double level,
                          const std::string& response = "loss");

// Refuses --resamples below 2, where no interval exists (InputError naming the count and how
// many the level needs); counts between 2 and min_resamples(level) run with a warning.
void require_interval_resamples(int resamples, double level);

// "1 of 4000 resamples failed (...)" style summary of failures, empty when none failed.
std::string failure_note(const BootstrapResult& run);

}  // namespace shannonfit::cli
