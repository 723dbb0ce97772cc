// The two interval kinds and the resampling defaults: a prediction interval for a new run covers
// new runs' measured losses at its nominal rate on curves with run-to-run scatter; the cluster
// bootstrap is the default when rows share a model; laws that are one function never outrank
// each other; too few resamples are refused or leave verdicts "not determined".
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "analysis/analyze.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/model_selection.hpp"
#include "analysis/prediction_interval.hpp"
#include "laws/equivalence.hpp"
#include "shannonfit/errors.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::testing::run_shannonfit;

namespace {

constexpr double kCurveScatter = 0.02;  // sd of a run's offset from the law, in ln L
constexpr double kPointScatter = 0.01;  // sd of one checkpoint around its run's curve

// A new training run's measured loss at (n, d): its own offset plus a checkpoint's noise.
double new_run_loss(double n, double d, std::mt19937_64& rng) {
  std::normal_distribution<double> z(0, 1);
  return synth::ChinchillaTruth().loss(n, d) *
         std::exp(kCurveScatter * z(rng) + kPointScatter * z(rng));
}

}  // namespace

// 200 independent suites of 10 models × 6 checkpoints, each model's curve offset from the law.
// A nominal 90% prediction interval must contain a new run's loss in 84–96% of them. If its true
// coverage is exactly 90%, the count falls outside [168, 192] of 200 with binomial probability
// P(X ≤ 167) + P(X ≥ 193) = 0.0029 + 0.0005 = 0.34%: the test's false-alarm rate. The confidence
// band, which covers the mean curve only, must cover fewer new runs than the prediction
// interval: it is the wrong interval for a measured loss.
TEST(PredictionInterval, NinetyPercentCoversNewRunsWithRunToRunScatter) {
  const int repetitions = 200;
  const LawEntry& law = find_law("chinchilla");
  const std::array<double, 5> truth = synth::ChinchillaTruth().solver();
  const double n = 4e8, d = 20 * 4e8;  // between the suite's model sizes, a new run
  int predicted = 0, banded = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    const Dataset data = synth::chinchilla_data(kPointScatter, 7000 + rep, 10, 6, kCurveScatter);
    std::mt19937_64 rng(90000 + rep);
    const double measured = new_run_loss(n, d, rng);
    BootstrapOptions o;
    o.scheme = default_scheme(data);
    ASSERT_EQ(o.scheme, Scheme::Cluster);
    o.resamples = 100;
    o.seed = rep;
    o.fit.threads = 1;
    o.jackknife = false;
    o.fit.full_starts.assign(truth.begin(), truth.end());
    const BootstrapResult run = run_bootstrap(data, law, o);
    const LawRun lr{&law, &run};
    const QuantityInterval p = prediction_interval(lr, data, o.fit.options.space, {n, d, 0}, 0.9);
    const Interval band = shown(confidence_band(lr, {n, d, 0}, 0.9, {})).interval;
    predicted += p.interval("percentile").lo <= measured && measured <= p.interval("percentile").hi;
    banded += band.lo <= measured && measured <= band.hi;
  }
  const double coverage = double(predicted) / repetitions;
  std::printf("prediction interval covers %.3f of new runs; confidence band %.3f\n", coverage,
              double(banded) / repetitions);
  EXPECT_GE(coverage, 0.84);
  EXPECT_LE(coverage, 0.96);
  EXPECT_LT(banded, predicted);
}

TEST(Resampling, ClusterIsTheDefaultWhenRowsShareAModel) {
  Dataset grouped = synth::chinchilla_data(0.01, 1, 6, 4);
  EXPECT_EQ(assign_model_groups(grouped), "the group column");
  EXPECT_EQ(default_scheme(grouped), Scheme::Cluster);

  // No group column, but each N measured at several D: one group per N.
  Dataset by_size = grouped;
  by_size.group.clear();
  by_size.group_names.clear();
  EXPECT_EQ(assign_model_groups(by_size), "one group per model size N");
  EXPECT_EQ(by_size.group_names.size(), 6u);
  EXPECT_EQ(by_size.group, grouped.group);
  EXPECT_EQ(default_scheme(by_size), Scheme::Cluster);

  // A law over its own columns (params, tokens) carries params in the x slot and tokens in the
  // N slot: the models are the values of its first variable, as keys order them.
  Dataset own = by_size;
  own.group.clear();
  own.group_names.clear();
  own.x = own.n;
  own.n = own.d;
  own.d.assign(own.size(), 1.0);
  PointKeys keys;
  keys.x = "params", keys.n = "tokens", keys.order = "xn";
  EXPECT_EQ(assign_model_groups(own), "");  // read as N and D, every "N" has one D
  EXPECT_EQ(assign_model_groups(own, keys), "one group per value of params");
  EXPECT_EQ(own.group, grouped.group);
  EXPECT_EQ(own.group_names.front().rfind("params=", 0), 0u) << own.group_names.front();
  EXPECT_EQ(default_scheme(own), Scheme::Cluster);

  // Every row its own model: nothing to cluster.
  Dataset single = synth::chinchilla_data(0.01, 1, 12, 1);
  single.group.clear();
  single.group_names.clear();
  EXPECT_EQ(assign_model_groups(single), "");
  EXPECT_EQ(default_scheme(single), Scheme::Case);

  // "auto" is the default; a named scheme is that scheme whatever the data share.
  EXPECT_EQ(resolve_scheme("auto", grouped), Scheme::Cluster);
  EXPECT_EQ(resolve_scheme("auto", single), Scheme::Case);
  EXPECT_EQ(resolve_scheme("case", grouped), Scheme::Case);
  EXPECT_EQ(resolve_scheme("residual", grouped), Scheme::Residual);
  EXPECT_THROW(resolve_scheme("wild", single), InputError);
}

TEST(Resampling, CommandsResampleWholeModelsUnlessToldOtherwise) {
  shannonfit::testing::TempDir dir;
  const std::string data = dir.write("runs.csv", synth::to_csv(synth::chinchilla_data(0.01, 2, 6, 4), true));
  const std::vector<std::string> base = {"bootstrap", data, "--starts", "best", "--resamples",
                                         "20", "--json", "--level", "0.9"};
  auto scheme_of = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_shannonfit(args, dir);
    EXPECT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    return std::make_pair(j.at("results").at(0).at("bootstrap").at("scheme").get<std::string>(),
                          r.err);
  };
  const auto [with_group, note] = scheme_of({"--group-col", "model"});
  EXPECT_EQ(with_group, "cluster");
  EXPECT_NE(note.find("resampled whole models (6 clusters"), std::string::npos) << note;
  EXPECT_NE(note.find("too few for a 90% interval"), std::string::npos) << note;
  EXPECT_EQ(scheme_of({}).first, "cluster");  // the repeated N groups the rows
  EXPECT_EQ(scheme_of({"--group-col", "model", "--scheme", "case"}).first, "case");

  // Model selection leaves whole models out too: random folds over one model's rows leak.
  const auto cmp = run_shannonfit({"compare", data, "--group-col", "model", "--law",
                                   "chinchilla,kaplan", "--starts", "single", "--json"},
                                  dir);
  ASSERT_EQ(cmp.code, 0) << cmp.err;
  EXPECT_EQ(nlohmann::json::parse(cmp.out).at("slices").at(0).at("ranked_by"),
            "leave-one-group-out CV MSE");

  // compare's win rates resample whole models by default too, and case stays a choice.
  auto win_rates = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"compare", data, "--law", "chinchilla,kaplan", "--starts",
                                     "single", "--kfold", "0", "--resamples", "20", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_shannonfit(args, dir);
    EXPECT_EQ(r.code, 0) << r.err;
    const auto s = nlohmann::json::parse(r.out).at("slices").at(0);
    std::vector<double> rates;
    for (const auto& law : s.at("laws")) rates.push_back(law.at("win_rate"));
    return std::make_tuple(s.at("win_rate_scheme").get<std::string>(), rates, r.err);
  };
  const auto [by_default, default_rates, cmp_note] = win_rates({"--group-col", "model"});
  EXPECT_EQ(by_default, "cluster");
  EXPECT_NE(cmp_note.find("win rates: 6 models (clusters) are too few"), std::string::npos)
      << cmp_note;
  EXPECT_EQ(std::get<0>(win_rates({})), "cluster");  // the repeated N groups the rows
  EXPECT_EQ(std::get<1>(win_rates({"--group-col", "model", "--scheme", "cluster"})),
            default_rates);
  EXPECT_EQ(std::get<0>(win_rates({"--group-col", "model", "--scheme", "case"})), "case");

  const auto one = run_shannonfit({"bootstrap", data, "--resamples", "1"}, dir);
  EXPECT_EQ(one.code, 2) << one.err;
  EXPECT_NE(one.err.find("at least 2 resamples"), std::string::npos) << one.err;
}

TEST(LawEquivalence, ReparametrisationsAreOneCandidate) {
  const LawEntry& lse = find_law("chinchilla");
  const LawEntry& plain = find_law("chinchilla-plain");
  const LawEntry& kaplan = find_law("kaplan");
  EXPECT_TRUE(same_function(lse, plain));
  EXPECT_EQ(candidate_name(plain), "chinchilla");
  EXPECT_FALSE(same_function(lse, kaplan));

  const Dataset data = synth::chinchilla_data(0.02, 3, 7, 5, 0.01);
  std::vector<LawFitter> fitters;
  for (const LawEntry* law : {&plain, &lse, &kaplan}) {
    LawFitter f;
    f.plan.law = law;
    f.plan.backend = select_backend(*law, BackendKind::Cpu);
    f.plan.threads = 1;
    f.starts = start_grid(law->info);
    fitters.push_back(f);
  }
  for (Scheme scheme : {Scheme::Case, Scheme::Cluster}) {
    const WinRates w = bootstrap_win_rates(fitters, data, nullptr, 30, 5, scheme,
                                           fitted_candidates({{&plain}, {&lse}, {&kaplan}}, data));
    ASSERT_GT(w.valid, 0);
    EXPECT_EQ(w.rate[0], w.rate[1]) << "one function, one win rate";
    EXPECT_NEAR(w.rate[1] + w.rate[2], 1.0, 1e-12) << "wins are shared by the candidates";
  }
}

namespace {

nlohmann::json analyze_selection(const Dataset& data, std::vector<const LawEntry*> laws,
                                 int resamples) {
  analysis::AnalyzeRequest req;
  req.data = &data;
  req.laws = std::move(laws);
  req.targets.push_back({"N=1e10,D=2e11", {1e10, 2e11, 0}});
  req.bootstrap.resamples = resamples;
  req.bootstrap.scheme = default_scheme(data);
  req.bootstrap.fit.starts = StartStrategy::Single;
  req.bootstrap.fit.threads = 1;
  req.grouping = "the group column";
  report::Folder folder;
  analysis::analyze(req, folder);
  return folder.json;
}

}  // namespace

TEST(LawEquivalence, VerdictsNeverSetOneFunctionAgainstItself) {
  const Dataset data = synth::chinchilla_data(0.02, 4, 8, 5, 0.01);
  const auto alone =
      analyze_selection(data, {&find_law("chinchilla"), &find_law("chinchilla-plain")}, 40);
  const std::string verdict = alone.at("selection").at("verdict");
  EXPECT_NE(verdict.find("only candidate"), std::string::npos) << verdict;
  EXPECT_EQ(verdict.find("wins"), std::string::npos) << verdict;
  // The headline is a single candidate's interval, not a law average of one function with
  // itself, and it is a prediction interval with its confidence band beside it.
  const auto& head = alone.at("headline");
  EXPECT_EQ(head.at("kind"), "prediction");
  EXPECT_EQ(head.at("level"), 0.9);
  EXPECT_NE(head.at("law"), "law-averaged");
  EXPECT_LE(head.at("confidence_band").at("upper").get<double>(), head.at("upper").get<double>());
  EXPECT_GE(head.at("confidence_band").at("lower").get<double>(), head.at("lower").get<double>());

  const auto three = analyze_selection(
      data, {&find_law("chinchilla-plain"), &find_law("chinchilla"), &find_law("kaplan")}, 40);
  const std::string v3 = three.at("selection").at("verdict");
  EXPECT_NE(v3.find("kaplan"), std::string::npos) << "the runner-up is another function: " << v3;
  EXPECT_EQ(v3.find("against chinchilla"), std::string::npos) << v3;
  const auto& h3 = three.at("headline");
  EXPECT_EQ(h3.at("law"), "law-averaged");
  EXPECT_EQ(h3.at("laws").size(), 3u);
  EXPECT_EQ(h3.at("picked").size(), 2u) << "two candidates, not three";
  EXPECT_LE(h3.at("spread").at("min").get<double>(), h3.at("spread").at("max").get<double>());
  EXPECT_LT(h3.at("lower").get<double>(), h3.at("estimate").get<double>());
  EXPECT_GT(h3.at("upper").get<double>(), h3.at("estimate").get<double>());
}

TEST(Verdicts, TooFewResamplesAreNotDetermined) {
  const Dataset data = synth::chinchilla_data(0.02, 5, 8, 5, 0.01);
  const auto j = analyze_selection(data, {&find_law("chinchilla"), &find_law("kaplan")}, 6);
  const std::string verdict = j.at("selection").at("verdict");
  EXPECT_EQ(verdict.rfind("Not determined", 0), 0u) << verdict;
  bool warned = false;
  for (const auto& d : j.at("diagnostics"))
    warned = warned || d.get<std::string>().find("6 resamples are too few") != std::string::npos;
  EXPECT_TRUE(warned);
}
