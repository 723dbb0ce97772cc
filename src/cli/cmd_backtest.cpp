// `shannonfit backtest`: measured coverage of the intervals on a real suite. Hides the largest
// model (and the largest-N × largest-D corner), fits every law on the rest with the bootstrap
// `analyze` uses, and counts how often each interval kind at each nominal level contains the
// hidden measured losses (src/analysis/backtest.hpp).
#include <cstdio>
#include <deque>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "analysis/backtest.hpp"
#include "analysis/result_json.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "io/output.hpp"
#include "io/text_table.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {
namespace {

struct BacktestArgs {
  DataArgs data;
  LawArgs laws;
  SolverArgs solver = refitting_solver_args();
  OutputArgs output;
  int resamples = 100;
  std::uint64_t seed = 0;
  std::string scheme = "auto";
  std::string levels = "0.5,0.8,0.9,0.95";
  std::string splits = "largest-model,corner";
  double token_fraction = 0.6;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<double> parse_levels(const std::string& text) {
  std::vector<double> out;
  for (const std::string& item : split_list(text)) {
    double v = 0;
    if (!io::parse_number(item, v) || !(v > 0 && v < 1))
      throw InputError("--levels '" + text + "': '" + item + "' is not a level in (0, 1)");
    out.push_back(v);
  }
  if (out.empty()) throw InputError("--levels: name at least one level");
  return out;
}

nlohmann::json pair_json(const Interval& i) { return nlohmann::json::array({i.lo, i.hi}); }

nlohmann::json coverage_json(const std::vector<analysis::CoverageCell>& cells) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : cells)
    out.push_back({{"law", c.law}, {"kind", c.kind}, {"level", c.level}, {"covered", c.covered},
                   {"total", c.total},
                   {"coverage", c.total > 0 ? double(c.covered) / c.total : NAN},
                   {"wilson95", pair_json(c.wilson)},
                   {"mean_relative_width", c.mean_relative_width}});
  return out;
}

std::string coverage_text(const std::vector<analysis::CoverageCell>& cells,
                          const std::string& response) {
  io::TextTable t({"law", "kind", "nominal", "covered", "coverage [95% Wilson]", "mean width"});
  for (const auto& c : cells)
    t.add_row({c.law, c.kind, fmt::format("{:g}%", 100 * c.level),
               fmt::format("{}/{}", c.covered, c.total),
               c.total > 0 ? fmt::format("{:.0f}% [{:.0f}, {:.0f}]", 100.0 * c.covered / c.total,
                                         100 * c.wilson.lo, 100 * c.wilson.hi)
                           : std::string("n/a"),
               fmt::format("{:.2f}% of {}", 100 * c.mean_relative_width, response)});
  return t.render();
}

void run(const BacktestArgs& a) {
  const auto checked = load_checked(a.data, a.laws, a.solver, a.output);
  analysis::BacktestRequest req;
  req.laws = checked.laws;
  req.keys = point_keys(req.laws);
  const std::string response = response_name(req.laws, checked.loaded.columns.loss);
  req.levels = parse_levels(a.levels);
  req.splits.clear();
  for (const std::string& s : split_list(a.splits)) req.splits.push_back(analysis::parse_split_kind(s));
  if (!(a.token_fraction > 0 && a.token_fraction < 1))
    throw InputError("--token-fraction must lie in (0, 1)");
  req.token_fraction = a.token_fraction;
  double widest = 0;
  for (double l : req.levels) widest = std::max(widest, l);
  if (a.resamples < min_resamples(widest))
    throw InputError(fmt::format("--resamples {}: at least {} are needed for a {:g}% interval "
                                 "(one resample beyond each end)",
                                 a.resamples, min_resamples(widest), 100 * widest));
  req.bootstrap.resamples = a.resamples;
  req.bootstrap.seed = a.seed;
  req.auto_scheme = a.scheme == "auto";
  if (!req.auto_scheme) req.bootstrap.scheme = parse_scheme(a.scheme);
  req.bootstrap.fit = a.solver.config(checked.laws);

  nlohmann::json slices = nlohmann::json::array();
  std::deque<analysis::BacktestResult> results;
  std::vector<const analysis::HiddenRow*> all_rows;
  for (const io::Slice& slice : checked.loaded.slices) {
    const std::string label = slice_label(a.data, slice);
    req.data = &slice.data;
    if (show_text(a.output)) std::printf("%s\n", label.c_str());
    results.push_back(analysis::backtest(req));
    const analysis::BacktestResult& r = results.back();
    nlohmann::json splits = nlohmann::json::array();
    for (const auto& s : r.splits) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& row : s.rows) {
        nlohmann::json conf = nlohmann::json::array(), pred = nlohmann::json::array();
        for (std::size_t l = 0; l < req.levels.size(); ++l) {
          conf.push_back(pair_json(row.confidence[l]));
          pred.push_back(pair_json(row.prediction[l]));
        }
        rows.push_back({{"law", row.law}, {"line", row.line}, {"N", row.n}, {"D", row.d},
                        {"at", point_json(req.keys, row.at)}, {"loss", row.loss},
                        {"estimate", row.estimate},
                        {"confidence", conf}, {"prediction", pred}});
        all_rows.push_back(&row);
      }
      splits.push_back({{"split", to_string(s.kind)}, {"description", s.description},
                        {"train_rows", s.train_rows}, {"hidden_rows", s.hidden_rows},
                        {"scheme", s.scheme}, {"clusters", s.clusters},
                        {"failed_laws", s.failed_laws}, {"failed_resamples", s.failed_resamples},
                        {"rows", rows}});
      if (show_text(a.output)) {
        std::printf("  %s: %s; %ld training rows, %s resampling%s\n", to_string(s.kind),
                    s.description.c_str(), s.train_rows, s.scheme.c_str(),
                    s.clusters > 0 ? fmt::format(" ({} models)", s.clusters).c_str() : "");
        for (const auto& f : s.failed_laws) std::printf("    failed: %s\n", f.c_str());
      }
    }
    for (const auto& why : r.skipped) note(a.output, label + ": split " + why + "; skipped");
    slices.push_back({{"slice", label}, {"by", slice.by_value}, {"splits", splits},
                      {"skipped", r.skipped}, {"coverage", coverage_json(r.coverage)}});
    if (show_text(a.output) && checked.loaded.slices.size() > 1)
      std::printf("%s\n", coverage_text(r.coverage, response).c_str());
  }
  const auto pooled = analysis::coverage_table(all_rows, req.levels);
  if (show_text(a.output)) {
    std::printf("\ncoverage of hidden measured %s%s (prediction: %s; confidence: %s)\n%s",
                response == "loss" ? "losses" : ("values of " + response).c_str(),
                checked.loaded.slices.size() > 1 ? ", pooled over the slices" : "",
                describe(IntervalKind::Prediction, response).c_str(),
                describe(IntervalKind::Confidence, response).c_str(),
                coverage_text(pooled, response).c_str());
  }
  const nlohmann::json settings = {{"resamples", a.resamples}, {"seed", a.seed},
                                   {"scheme", a.scheme},       {"levels", req.levels},
                                   {"splits", a.splits},       {"token_fraction", a.token_fraction}};
  const nlohmann::json method = {{"prediction", kPredictionMethod},
                                 {"law_averaged", kLawAveragedMethod},
                                 {"coverage", "share of hidden measured losses inside the "
                                              "interval; 95% Wilson interval treats rows as "
                                              "independent (rows of one model are not)"}};
  emit_json(a.output, result_document("backtest", {{"data", describe(a.data, checked.loaded)},
                                                   {"solver", describe(a.solver, checked.laws)},
                                                   {"settings", settings},
                                                   {"method", method},
                                                   {"slices", slices},
                                                   {"coverage", coverage_json(pooled)}}));
}

}  // namespace

void register_backtest(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "backtest",
      "Measured coverage: hide the largest model (and the N x D corner), fit the rest, and count "
      "how often each interval contains the hidden measured losses");
  auto a = std::make_shared<BacktestArgs>();
  add_data_options(*cmd, a->data);
  add_law_option(*cmd, a->laws, "all");
  add_solver_options(*cmd, a->solver);
  add_output_options(*cmd, a->output, "write the results as JSON to FILE");
  const char* g = "Backtest";
  cmd->add_option("--resamples,-R", a->resamples,
                  "bootstrap resamples per law and split (each from the best full-data fit)")
      ->capture_default_str()->group(g);
  cmd->add_option("--seed", a->seed, "bootstrap seed")->capture_default_str()->group(g);
  cmd->add_option("--scheme", a->scheme,
                  "auto (whole models when rows share one, else single rows), case, cluster or "
                  "residual")
      ->check(CLI::IsMember({"auto", "case", "cluster", "residual"}))
      ->capture_default_str()->group(g);
  cmd->add_option("--levels", a->levels, "nominal levels scored, comma-separated")
      ->capture_default_str()->group(g);
  cmd->add_option("--splits", a->splits,
                  "largest-model (hide the largest N), corner (hide the largest N and every row "
                  "beyond the token cut), late-tokens (hide every row beyond the token cut; used "
                  "anyway when fewer than 3 model sizes leave no model split)")
      ->capture_default_str()->group(g);
  cmd->add_option("--token-fraction", a->token_fraction,
                  "token cut: the largest D at or below this fraction of the largest D")
      ->capture_default_str()->group(g);
  cmd->footer(std::string(R"(Examples:
  shannonfit backtest data/pythia_evals.csv --n-col params --d-col tokens \
      --loss-col lambada_loss --filter "step > 1000" --group-col model \
      --law shannon,chinchilla,kaplan-e --resamples 100 --out pythia_backtest.json
  shannonfit backtest data/overtraining_gadre2024.csv --n-col params --d-col tokens \
      --loss-col loss_c4_val --by dataset

Intervals: )") + kPredictionMethod + ". " + kLawAveragedMethod +
              ". Coverage: the share of hidden measured losses inside each interval, with a 95% "
              "Wilson interval that treats the rows as independent (rows of one model are not, "
              "so it is too narrow). docs/results.md has the table on every shipped suite.");
  cmd->callback([a] { run(*a); });
}

}  // namespace shannonfit::cli
