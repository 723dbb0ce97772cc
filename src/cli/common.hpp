#pragma once
// Option groups every subcommand shares, so that `fit`, `bootstrap`, `compare`, `predict` and
// `analyze` read data, choose laws and solvers, and write results the same way.
//
// Usage in a subcommand:
//   auto* cmd = app.add_subcommand("fit", "...");
//   auto args = std::make_shared<FitArgs>();            // lives as long as the app
//   add_data_options(*cmd, args->data);
//   add_law_option(*cmd, args->laws, "chinchilla");
//   add_solver_options(*cmd, args->solver);
//   add_output_options(*cmd, args->output, "write the results as JSON to FILE");
//   cmd->callback([args] { ... });
//
// Errors: a malformed option value is a CLI::ValidationError (exit 1, usage); a problem with
// the data is an InputError (exit 2); an existing output without --force is an
// OutputExistsError (exit 4).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/csv.hpp"
#include "analysis/fit_plan.hpp"
#include "analysis/law_inputs.hpp"
#include "analysis/prediction.hpp"
#include "io/output.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit::cli {

// DATA (positional) and the column mapping: --n-col, --d-col | --flops-col, --loss-col,
// --group-col, --weight-col, --perturbation KIND:COL, --by COL, --filter EXPR,
// --drop-highest-loss K.
struct DataArgs {
  std::string path;
  io::ColumnMap map;
  std::string perturbation;  // as given; parsed by load()
};
void add_data_options(CLI::App& cmd, DataArgs& args);
struct SolverArgs;
// Loads the data the laws read, in the space they are fitted in (law_columns), one dataset for
// every law of the command.
io::LoadedData load(const DataArgs& args, const std::vector<const LawEntry*>& laws,
                    const SolverArgs& solver);
// args' column map for these laws (bind_law_columns, law_inputs.hpp); --at keys are
// point_keys(laws) there.
io::ColumnMap law_columns(const DataArgs& args, const std::vector<const LawEntry*>& laws,
                          Space space);
// "runs.csv" or "runs.csv, --by lr=3e-4": names one slice in messages and tables.
std::string slice_label(const DataArgs& args, const io::Slice& slice);
// The data options as JSON, for reports that must say what was read and how.
nlohmann::json describe(const DataArgs& args, const io::LoadedData& loaded);

// --law NAME (repeatable, comma lists allowed; "all" = every law whose inputs the data has).
struct LawArgs {
  std::vector<std::string> names;
};
void add_law_option(CLI::App& cmd, LawArgs& args, const std::string& default_law);
// The laws to fit, in the order named (duplicates removed). An unknown name is a usage error;
// a law named explicitly whose inputs are missing is an InputError. Laws that "all" leaves out
// for missing inputs are appended to `skipped` (when given) with the reason.
std::vector<const LawEntry*> resolve_laws(const LawArgs& args, bool have_perturbation,
                                          std::vector<std::string>* skipped = nullptr);

// --backend, --threads, --loss huber[:δ]|l2, --space log|linear, --starts grid|best|single|separable
// (fit_plan.hpp), --max-iterations.
struct SolverArgs {
  std::string backend = "auto";
  int threads = 0;
  std::string loss = "huber:1e-3";
  std::string space;  // empty: the laws' own (a law file's "space"; log for built-in laws)
  std::string starts = "grid";  // commands that refit (bootstrap, predict, analyze...): "best"
  int max_iterations = 500;
  std::vector<std::string> start_points;  // --start NAME=VALUE,...: one start each
  double tolerance = 0;  // --tolerance: every convergence test's; 0 = FitOptions' defaults

  // The space is --space, else the laws' own one; laws of different spaces without --space are
  // an InputError.
  FitConfig config(const std::vector<const LawEntry*>& laws) const;
  Space space_for(const std::vector<const LawEntry*>& laws) const;
  // make_plan(law, data, config({&law})) from the --start points when given, with a law that
  // cannot do --starts separable a usage error.
  FitPlan plan(const LawEntry& law, const Dataset& data) const;
};
// The solver options of the commands that refit the law to resampled data (bootstrap, predict,
// analyze, backtest): each refit starts from the full-data optimum unless --starts says otherwise.
SolverArgs refitting_solver_args();
// Shows args' values as the defaults: set args.starts (refitting_solver_args) before.
void add_solver_options(CLI::App& cmd, SolverArgs& args);
nlohmann::json describe(const SolverArgs& args, const std::vector<const LawEntry*>& laws);

// --out FILE, --force, --json, --quiet.
struct OutputArgs {
  std::string out;
  bool force = false;
  bool json = false;
  bool quiet = false;
};
void add_output_options(CLI::App& cmd, OutputArgs& args, const std::string& out_help);
// The plan every command starts with, before any computation: DATA as an input, --out as a
// file ("-": standard output). Commands add their other inputs and outputs to it.
io::OutputPlan output_plan(const DataArgs& data, const OutputArgs& output);
// Human-readable output goes to stdout unless --json (stdout is then the JSON), --quiet, or
// --out - (stdout is then the JSON file).
bool show_text(const OutputArgs& args);
// Side remarks (skipped laws, warnings) to stderr unless --quiet.
void note(const OutputArgs& args, const std::string& text);

// Before any fit: every slice has at least as many rows as each law has parameters and as many
// distinct N, D and x as the law needs (InputError naming the file, column and counts). A
// formula law's parameters that the slice cannot identify (formula::check_identifiability) are
// a warning on stderr, unless output says --quiet.
void require_fittable(const DataArgs& data, const io::LoadedData& loaded,
                      const std::vector<const LawEntry*>& laws,
                      const OutputArgs* output = nullptr);

// What fit and compare do before their first (possibly long) fit: resolve the laws (noting
// those "all" skips), check DATA and --out with output_plan(), load the data, and check every
// slice has enough rows for every law.
struct CheckedInputs {
  std::vector<const LawEntry*> laws;
  io::LoadedData loaded;
};
CheckedInputs load_checked(const DataArgs& data, const LawArgs& laws, const SolverArgs& solver,
                           const OutputArgs& output);
// Writes `doc` to --out (atomically, honouring --force) and prints it with --json. NaN and
// infinities (e.g. the SE of a parameter that is not identified) become null.
void emit_json(const OutputArgs& args, const nlohmann::json& doc);

// For options that read a size, token count or compute budget: accepts 12B, 307B, 1.4T, 70M
// and 5.76e23 alike (io::parse_quantity), handing CLI11 the plain number.
CLI::Validator quantity();

// The default coverage of every interval, in every subcommand and in Python.
constexpr double kDefaultLevel = 0.9;

}  // namespace shannonfit::cli
