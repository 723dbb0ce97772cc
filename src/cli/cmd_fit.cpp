// `shannonfit fit`: point estimates of one or more laws, with standard errors, fit statistics
// and identifiability, as tables and JSON.
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/fitting.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"

namespace shannonfit::cli {

namespace {

struct FitArgs {
  DataArgs data;
  LawArgs laws;
  SolverArgs solver;
  OutputArgs output;
};

void run(const FitArgs& a) {
  // A Ctrl-C stops the running batch within about one fit per thread (run_fit) and exits 130
  // before anything is written.
  const InterruptGuard guard;
  const CheckedInputs in = load_checked(a.data, a.laws, a.solver, a.output);
  const auto& laws = in.laws;
  const io::LoadedData& loaded = in.loaded;

  std::vector<FitRecord> records;
  for (const auto& slice : loaded.slices)
    for (const LawEntry* law : laws) {
      // The starts run in steps only when a bar is drawn (fit_counting_starts).
      ProgressBar bar(law->info.name, !show_text(a.output));
      StartProgressFn progress;
      if (bar.enabled())
        progress = [&bar](long done, long total) {
          BootstrapProgress p;
          p.phase = "fit";
          p.unit = "starts";
          p.resamples_done = p.fits_done = done;
          p.resamples_total = p.fits_total = total;
          p.seconds = bar.seconds();
          bar.update(p);
        };
      records.push_back(run_fit(a.solver.plan(*law, slice.data), slice.data,
                                slice_label(a.data, slice), InterruptGuard::flag(), progress));
      records.back().by_value = slice.by_value;
    }

  nlohmann::json fits = nlohmann::json::array();
  for (const auto& r : records) fits.push_back(fit_json(r, a.data.map.by));
  const nlohmann::json doc = result_document("fit", {{"data", describe(a.data, loaded)},
                                                     {"solver", describe(a.solver, laws)},
                                                     {"fits", fits}});
  InterruptGuard::stop_before_writing();
  emit_json(a.output, doc);

  if (show_text(a.output)) {
    for (std::size_t i = 0; i < records.size(); ++i)
      std::printf("%s%s", i ? "\n" : "", to_text(records[i]).c_str());
    if (!loaded.dropped_lines.empty() || loaded.rows_filtered_out > 0)
      std::printf("\n%ld of %ld rows used (%ld removed by --filter, %zu by --drop-highest-loss)\n",
                  loaded.rows_read - loaded.rows_filtered_out -
                      static_cast<long>(loaded.dropped_lines.size()),
                  loaded.rows_read, loaded.rows_filtered_out, loaded.dropped_lines.size());
    if (!a.output.out.empty()) std::printf("wrote %s\n", a.output.out.c_str());
  }
  for (const auto& r : records) warn_best_fit(a.output, r);
}

}  // namespace

void register_fit(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "fit", "Fit one or more laws with their multi-start grid; table on stdout, JSON with --out");
  auto args = std::make_shared<FitArgs>();
  add_data_options(*cmd, args->data);
  add_law_option(*cmd, args->laws, "chinchilla");
  add_solver_options(*cmd, args->solver);
  add_output_options(*cmd, args->output, "write the results as JSON to FILE");
  cmd->footer(
      "Examples:\n"
      "  shannonfit fit data/synthetic_chinchilla.csv\n"
      "  shannonfit fit runs.csv --n-col params --d-col tokens --loss-col val_loss \\\n"
      "      --law chinchilla,kaplan --filter \"tokens >= 1e9\" --out fit.json\n"
      "  shannonfit fit chinchilla_svg_extracted.csv --n-col \"Model Size\" \\\n"
      "      --flops-col \"Training FLOP\" --drop-highest-loss 5 --loss huber:1e-3 --space log");
  cmd->callback([args] { run(*args); });
}

}  // namespace shannonfit::cli
