#include "cli/common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "analysis/projected_starts.hpp"
#include "analysis/separable_starts.hpp"
#include "cli/validate.hpp"
#include "io/output.hpp"
#include "shannonfit/backend.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/formula/formula.hpp"

namespace shannonfit::cli {

namespace {

void add_unique(std::vector<const LawEntry*>& laws, const LawEntry* law) {
  if (std::find(laws.begin(), laws.end(), law) == laws.end()) laws.push_back(law);
}

// A --law value split at its commas outside parentheses: "chinchilla,kaplan" is two laws, and
// "f: min(a, b) + c/N^alpha" one (a formula's commas separate a function's arguments).
std::vector<std::string> split_law_list(const std::string& text) {
  std::vector<std::string> out(1);
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth <= 0)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

}  // namespace

void add_data_options(CLI::App& cmd, DataArgs& a) {
  const char* g = "Data";
  cmd.add_option("DATA", a.path, "CSV file with a header line ('-': standard input)")
      ->required()->group(g);
  add_input_limit_option(cmd);
  cmd.add_option("--n-col", a.map.n,
                 "column with the parameter count N [default: the first of N, params, "
                 "parameters, n_params, model_size... in the header]")
      ->group(g);
  auto* d = cmd.add_option("--d-col", a.map.d,
                           "column with the training tokens D [default: the first of D, tokens, "
                           "n_tokens, train_tokens, data... in the header]")
                ->group(g);
  auto* c = cmd.add_option("--flops-col", a.map.flops,
                           "column with the training compute C instead of D; D = C/(6N)")
                ->group(g);
  d->excludes(c);
  cmd.add_option("--loss-col", a.map.loss,
                 "column with the loss L (nats/token), or a formula law's response of any "
                 "kind (an accuracy) [default: the first of loss, val_loss, "
                 "eval_loss, validation_loss, test_loss, L... in the header]")
      ->group(g);
  cmd.add_option("--group-col", a.map.group,
                 "column naming a group per row (e.g. model family), for grouped statistics")
      ->group(g);
  cmd.add_option("--weight-col", a.map.weight, "column with a positive weight per row")->group(g);
  cmd.add_option("--perturbation", a.perturbation,
                 "perturbation column and how it maps to strength x: noise:COL (x = sigma), "
                 "noise-snr-db:COL (x = 10^(-SNR/20)), quant-bits:COL (x = 2^-bits), "
                 "sft:COL (x = learning rate)")
      ->check(CLI::Validator(
          [](std::string& spec) -> std::string {
            try {
              io::parse_perturbation(spec);
            } catch (const InputError& e) {
              return e.what();
            }
            return "";
          },
          "KIND:COL"))
      ->group(g);
  cmd.add_option("--by", a.map.by, "fit separately for each distinct value of this column")
      ->group(g);
  cmd.add_option("--filter", a.map.filter,
                 "keep only rows where this condition holds, e.g. \"D >= 1e9 && N < 1e10\"; "
                 "`quoted names` for columns with spaces; + - * / ( ) ! && || and or not")
      ->group(g);
  cmd.add_option("--drop-highest-loss", a.map.drop_highest_loss,
                 "after --filter, drop the K rows with the highest loss (Epoch AI drop 5 from "
                 "the Chinchilla extraction)")
      ->check(CLI::NonNegativeNumber)->group(g);
}

io::ColumnMap law_columns(const DataArgs& a, const std::vector<const LawEntry*>& laws,
                          Space space) {
  io::ColumnMap map = a.map;
  if (!a.perturbation.empty()) map.perturbation = io::parse_perturbation(a.perturbation);
  return bind_law_columns(map, laws, space);
}

io::LoadedData load(const DataArgs& a, const std::vector<const LawEntry*>& laws,
                    const SolverArgs& solver) {
  return io::load_data(a.path, law_columns(a, laws, solver.space_for(laws)));
}

std::string slice_label(const DataArgs& a, const io::Slice& slice) {
  if (a.map.by.empty()) return a.path;
  return a.path + ", --by " + a.map.by + "=" + slice.by_value;
}

nlohmann::json describe(const DataArgs& a, const io::LoadedData& loaded) {
  // The columns read, guessed ones included.
  const io::ColumnMap& read = loaded.columns;
  nlohmann::json columns = {{"loss", read.loss}};
  if (!read.n.empty()) columns["n"] = read.n;
  if (!read.flops.empty())
    columns["flops"] = read.flops;
  else if (!read.d.empty())
    columns["d"] = read.d;
  if (!read.x_column.empty()) columns["x"] = read.x_column;
  if (!a.map.group.empty()) columns["group"] = a.map.group;
  if (!a.map.weight.empty()) columns["weight"] = a.map.weight;
  if (!a.perturbation.empty()) columns["perturbation"] = a.perturbation;
  if (!a.map.by.empty()) columns["by"] = a.map.by;
  long used = 0;
  for (const auto& s : loaded.slices) used += static_cast<long>(s.data.size());
  return {{"path", a.path},
          {"columns", columns},
          {"filter", a.map.filter.empty() ? nlohmann::json() : nlohmann::json(a.map.filter)},
          {"rows_read", loaded.rows_read},
          {"rows_filtered_out", loaded.rows_filtered_out},
          {"dropped_highest_loss_lines", loaded.dropped_lines},
          {"rows_used", used}};
}

void add_law_option(CLI::App& cmd, LawArgs& a, const std::string& default_law) {
  std::string names;
  for (const auto& law : all_laws()) names += (names.empty() ? "" : ", ") + law.info.name;
  a.names = {default_law};
  cmd.add_option("--law", a.names,
                 "law(s) to fit; repeat or give a comma list; 'all' = every law the data's "
                 "columns allow; 'NAME: FORMULA' (e.g. 'mine: E + A/N^alpha + B/D^beta') or "
                 "a LAW.json file for a law of your own. Known: " + names)
      ->capture_default_str()
      ->group("Model");
}

std::vector<const LawEntry*> resolve_laws(const LawArgs& a, bool have_perturbation,
                                          std::vector<std::string>* skipped) {
  std::vector<const LawEntry*> laws;
  std::vector<std::string> names;
  for (const auto& value : a.names)
    for (const auto& name : split_law_list(value)) names.push_back(name);
  for (const auto& name : names) {
    if (name == "all") {
      for (const auto& law : all_laws()) {
        if (law.info.needs == Needs::Perturbation && !have_perturbation) {
          if (skipped) skipped->push_back(law.info.name + " (needs --perturbation)");
          continue;
        }
        add_unique(laws, &law);
      }
      continue;
    }
    const LawEntry* law;
    try {
      law = &resolve_law(name);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError("--law", e.what());
    }
    if (law->info.needs == Needs::Perturbation && !have_perturbation)
      throw InputError("--law " + law->info.name + ": this law needs a perturbation strength per row; "
                       "map a column with --perturbation KIND:COL");
    add_unique(laws, law);
  }
  return laws;
}

CLI::Validator quantity() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!io::parse_quantity(text, value))
          return "'" + text + "' is not a number (write 12e9, 12B, 307B, 1.4T, 5.76e23...)";
        text = fmt::format("{}", value);
        return "";
      },
      "NUMBER[K|M|B|T]");
}

void add_solver_options(CLI::App& cmd, SolverArgs& a) {
  const char* g = "Solver";
  cmd.add_option("--backend", a.backend, backend_help())
      ->check(CLI::IsMember(backend_names()))
      ->capture_default_str()->group(g);
  cmd.add_option("--threads", a.threads, "CPU threads (0 = all cores)")
      ->check(thread_count_check())->capture_default_str()->group(g);
  cmd.add_option("--loss", a.loss,
                 "huber[:DELTA] (Huber on the residual, DELTA default 1e-3) or l2 (least squares)")
      ->check(CLI::Validator(
          [](std::string& spec) -> std::string {
            FitOptions options;
            return parse_loss(spec, options) ? "" : "use huber, huber:DELTA with DELTA > 0, or l2";
          },
          "huber[:DELTA]|l2"))
      ->capture_default_str()->group(g);
  cmd.add_option("--space", a.space,
                 "residuals on log loss (log) or on loss (linear; the response may then be any "
                 "finite number, negative or zero) [default: the law's own: a law file's "
                 "\"space\", else log]; it overrides a law file's \"space\"")
      ->check(CLI::IsMember({"log", "linear"}))->group(g);
  cmd.add_option("--starts", a.starts,
                 "grid: every fit (the full-data fit and each refit: resample, fold, held-out "
                 "split) searches the law's start grid; best: the full-data fit searches the "
                 "grid and each refit starts from its optimum (Epoch AI's bootstrap protocol; "
                 "much faster); single: the full-data fit starts from the law's single default "
                 "start, each refit from its optimum; separable: for laws linear in some "
                 "parameters (" + separable_law_names() + "), every fit searches a grid over the "
                 "others with nonnegative least squares for the linear ones, then runs LM from "
                 "its best few points (much faster than the grid)")
      ->check(CLI::IsMember(start_strategy_names()))->capture_default_str()->group(g);
  cmd.add_option("--start", a.start_points,
                 "a start NAME=VALUE,... in the law's reported units (repeatable: each is one "
                 "start): the full-data fit runs from these instead of the law's start grid; a "
                 "parameter not named starts at the law's default start (a law file's \"start\", "
                 "else the middle of its grid). Without --start, a formula law with a parameter "
                 "fitted as itself (not as a logarithm, not a power's exponent) that has neither "
                 "bounds nor a grid searches 256 starts scattered around its default start: each "
                 "parameter without bounds at its default (or 1) times 10^u, u uniform in "
                 "[-3, 3], either sign unless fitted as a logarithm; the others inside their "
                 "bounds or grid. With --space linear, a formula law that is linear in some "
                 "parameters fitted as themselves (b1 and b2 of b1 + b2*exp(-b3*x)) solves for "
                 "them exactly at each value of the others (variable projection): each --start "
                 "or grid start gets a twin refined that way, and the search above adds " +
                     std::to_string(kProjectedSeeds) + " starts, the best of " +
                     std::to_string(kProjectedSamples) + " draws over the other parameters, "
                     "refined one parameter at a time and then by LM on the reduced problem")
      ->group(g);
  cmd.add_option("--tolerance", a.tolerance,
                 "the solver's convergence tolerance, for all three tests (relative step, "
                 "relative change of the objective, gradient) [default: 1e-10, 1e-12, 1e-12]; "
                 "smaller for certified-accuracy work")
      ->check(CLI::Range(1e-300, kMaxTolerance))->group(g);
  cmd.add_option("--max-iterations", a.max_iterations,
                 "iteration cap per start; a refit from a single start (each resample, fold or "
                 "split under best or single) gets " +
                     std::to_string(kSingleStartIterationFactor) + " times it")
      ->check(count_check(1, kMaxIterations))->capture_default_str()->group(g);
}

SolverArgs refitting_solver_args() {
  SolverArgs a;
  a.starts = "best";
  return a;
}

Space SolverArgs::space_for(const std::vector<const LawEntry*>& laws) const {
  return fit_space(laws, space);
}

FitConfig SolverArgs::config(const std::vector<const LawEntry*>& laws) const {
  FitConfig c;
  c.backend = parse_backend(backend);
  c.threads = threads;
  c.options.space = space_for(laws);
  c.full_starts = parse_starts(laws, start_points);
  parse_loss(loss, c.options);
  c.options.max_iterations = max_iterations;
  set_tolerance(c.options, tolerance);
  c.starts = parse_start_strategy(starts);
  return c;
}

FitPlan SolverArgs::plan(const LawEntry& law, const Dataset& data) const {
  try {
    return make_plan(law, data, config({&law}));
  } catch (const InputError& e) {
    if (starts == "separable" && !law.separable)
      throw CLI::ValidationError("--starts separable", e.what());
    throw;
  }
}

nlohmann::json describe(const SolverArgs& a, const std::vector<const LawEntry*>& laws) {
  const FitOptions o = a.config(laws).options;
  nlohmann::json j = {{"backend", a.backend},
                      {"loss", o.loss == LossKind::L2 ? "l2" : "huber"},
                      {"space", to_string(o.space)},
                      {"starts", a.starts},
                      {"max_iterations", a.max_iterations},
                      {"threads", a.threads}};
  if (o.loss == LossKind::Huber) j["huber_delta"] = o.huber_delta;
  if (a.tolerance > 0) j["tolerance"] = a.tolerance;
  if (!a.start_points.empty()) j["start"] = a.start_points;
  return j;
}

void add_output_options(CLI::App& cmd, OutputArgs& a, const std::string& out_help) {
  const char* g = "Output";
  cmd.add_option("--out,-o", a.out, out_help)->group(g);
  cmd.add_flag("--force", a.force, "overwrite --out when it exists")->group(g);
  cmd.add_flag("--json", a.json, "print the JSON result to stdout instead of tables")->group(g);
  cmd.add_flag("--quiet,-q", a.quiet, "print nothing but errors (and the JSON with --json)")
      ->group(g);
}

io::OutputPlan output_plan(const DataArgs& data, const OutputArgs& output) {
  io::OutputPlan plan(output.force);
  plan.input(data.path, "DATA");
  plan.file(output.out, "--out");
  return plan;
}

bool show_text(const OutputArgs& a) { return !a.json && !a.quiet && a.out != "-"; }

void note(const OutputArgs& a, const std::string& text) {
  if (!a.quiet) std::fprintf(stderr, "note: %s\n", text.c_str());
}

void emit_json(const OutputArgs& a, const nlohmann::json& doc) {
  const std::string text = doc.dump(2) + "\n";
  if (!a.out.empty()) io::write_file(a.out, text, a.force);
  if (a.json && a.out != "-") std::cout << text << std::flush;
}

CheckedInputs load_checked(const DataArgs& data, const LawArgs& law_args,
                           const SolverArgs& solver, const OutputArgs& output) {
  std::vector<std::string> skipped;
  CheckedInputs in;
  in.laws = resolve_laws(law_args, !data.perturbation.empty(), &skipped);
  output_plan(data, output);
  in.loaded = load(data, in.laws, solver);
  for (const auto& s : skipped) note(output, "--law all skips " + s);
  require_fittable(data, in.loaded, in.laws, &output);
  return in;
}

void require_fittable(const DataArgs& data, const io::LoadedData& loaded,
                      const std::vector<const LawEntry*>& laws, const OutputArgs* output) {
  const io::ColumnLabels columns = io::column_labels(loaded.columns);
  for (const auto& slice : loaded.slices)
    for (const LawEntry* law : laws) {
      io::require_fittable(slice.data, law->info, columns, slice_label(data, slice),
                           "--filter, --drop-highest-loss and --by");
      // A formula law may have parameters no data identify (a flat direction, as the published
      // nine-parameter shannon form has): said before the fit, which still runs.
      if (!law->formula) continue;
      const PreparedPoints points = prepare_points(slice.data, Space::Log);
      const formula::IdentifiabilityCheck check = formula::check_identifiability(
          *law->formula, points.view(), start_grid(law->info));
      if (check.ok() || (output && output->quiet)) continue;
      std::string text = check.describe(*law->formula);
      if (!text.empty() && text.back() == '\n') text.pop_back();
      std::fprintf(stderr, "warning: law %s on %s: %s\n", law->info.name.c_str(),
                   slice_label(data, slice).c_str(), text.c_str());
    }
}

}  // namespace shannonfit::cli
