// --starts separable (src/analysis/separable_starts.hpp): which laws declare a separable form,
// that the form is the law (exact data give the truth as the first start), that the search's
// best LM fit is the full start grid's optimum, per-weighting starts in the batch backends, and
// the bootstrap's separable mode against its grid mode.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/separable_starts.hpp"
#include "analysis/uncertainty.hpp"
#include "shannonfit/errors.hpp"
#include "support/law_fixtures.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

struct Case {
  std::string law;
  std::vector<double> truth;  // solver space; theta on the law's search grid
  std::vector<double> xs;     // perturbation levels of the synthetic data
};

std::vector<Case> separable_cases() {
  const double a = std::log(406.4), b = std::log(410.7), e = std::log(1.69);
  return {{"chinchilla", {a, b, e, 0.35, 0.30}, {0}},
          {"chinchilla-plain", {1.69, 406.4, 410.7, 0.35, 0.30}, {0}},
          {"chinchilla-noise", {a, b, e, 0.3, 0.3, 1.0, 1.5}, {0, 0.02, 0.05, 0.08, 0.1}}};
}

std::vector<double> starts_on(const LawEntry& law, const Dataset& data, const FitOptions& o,
                              int threads = 1) {
  const PreparedPoints points = prepare_points(data, o.space);
  return separable_starts(law, require_separable(law), points.view(), nullptr, o,
                          kSeparableStarts, threads);
}

FitOptions huber() {
  FitOptions o;
  o.loss = LossKind::Huber;
  o.huber_delta = 1e-3;
  return o;
}

}  // namespace

TEST(SeparableStarts, DeclaredByTheLinearLawsOnly) {
  std::set<std::string> separable;
  for (const auto& law : all_laws())
    if (law.separable) separable.insert(law.info.name);
  EXPECT_EQ(separable, (std::set<std::string>{"chinchilla", "chinchilla-plain", "chinchilla-noise"}));
  try {
    require_separable(find_law("kaplan"));
    FAIL() << "kaplan is not separable";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'kaplan' is not separable"), std::string::npos) << e.what();
  }
}

// With exact data and theta on the grid, the NNLS recovers the coefficients exactly, so the best
// grid point is the truth: the basis and the coefficient mapping are the law's own.
TEST(SeparableStarts, ExactDataGiveTheTruthAsTheFirstStart) {
  for (const Case& c : separable_cases()) {
    const LawEntry& law = find_law(c.law);
    const Dataset data = synth::pythia_shaped(law, c.truth, c.xs, 0.0, 1);
    for (Space space : {Space::Log, Space::Linear}) {
      FitOptions o;
      o.space = space;
      const std::vector<double> starts = starts_on(law, data, o);
      ASSERT_EQ(starts.size(), std::size_t(kSeparableStarts) * law.n_params);
      for (int k = 0; k < law.n_params; ++k)
        EXPECT_NEAR(starts[k], c.truth[k], 1e-6 * std::max(1.0, std::abs(c.truth[k])))
            << c.law << " " << law.info.params[k].name << " space " << to_string(space);
    }
  }
}

// The answer of --starts separable is the full start grid's optimum, for each separable law,
// on noisy data, for Huber and least squares, on ln L and on L.
TEST(SeparableStarts, ReachesTheGridOptimum) {
  for (const Case& c : separable_cases()) {
    const LawEntry& law = find_law(c.law);
    const Dataset data = synth::pythia_shaped(law, c.truth, c.xs, 0.01, 2);
    FitOptions linear;
    linear.space = Space::Linear;
    for (const FitOptions& o : {huber(), FitOptions{}, linear}) {
      SCOPED_TRACE(c.law + (o.loss == LossKind::Huber ? " huber" : " l2") + " on " +
                   to_string(o.space));
      const FitResult grid = fit_default_grid(law, data, o);
      const FitResult ours = fit_from(law, data, starts_on(law, data, o), o);
      ASSERT_TRUE(converged(ours.status)) << to_string(ours.status);
      EXPECT_NEAR(ours.cost, grid.cost, 1e-9 * grid.cost);
    }
  }
}

TEST(SeparableStarts, SameStartsForAnyThreadCountAndInABatch) {
  const LawEntry& law = find_law("chinchilla");
  const Dataset data = synth::chinchilla_data(0.02, 5);
  const FitOptions o = huber();
  const std::vector<double> one = starts_on(law, data, o, 1);
  EXPECT_EQ(one, starts_on(law, data, o, 2));
  // Two weightings in one batch: the data's own, then one with the first point left out.
  const std::size_t n = data.size();
  std::vector<double> weights(2 * n, 1.0);
  weights[n] = 0;
  const std::vector<double> batch =
      separable_starts_batch(law, data, o, weights.data(), nullptr, 2, kSeparableStarts, 2);
  ASSERT_EQ(batch.size(), 2 * one.size());
  EXPECT_EQ(std::vector<double>(batch.begin(), batch.begin() + one.size()), one);
  const PreparedPoints points = prepare_points(data, o.space);
  EXPECT_EQ(std::vector<double>(batch.begin() + one.size(), batch.end()),
            separable_starts(law, *law.separable, points.view(), weights.data() + n, o,
                             kSeparableStarts, 1));
}

// starts_per_weighting: each weighting is fitted from its own rows of starts, on every host
// backend, as if it had been a batch of its own.
TEST(SeparableStarts, BackendsFitEachWeightingFromItsOwnStarts) {
  const LawEntry& law = find_law("chinchilla");
  const Dataset data = synth::chinchilla_data(0.02, 9);
  const std::size_t n = data.size();
  std::vector<double> weights(2 * n, 1.0);
  for (std::size_t i = 0; i < n; i += 3) weights[n + i] = 2.0;
  const std::vector<double> starts = separable_starts_batch(law, data, huber(), weights.data(),
                                                            nullptr, 2, kSeparableStarts, 1);
  const std::size_t rows = starts.size() / 2;
  for (BatchFn fn : {law.batch(BackendKind::Cpu), law.batch(BackendKind::Reference)}) {
    BatchRequest req;
    req.data = &data;
    req.options = huber();
    req.weights = weights.data();
    req.n_weightings = 2;
    req.starts = starts;
    req.starts_per_weighting = true;
    const std::vector<FitResult> both = fn(law, req);
    ASSERT_EQ(both.size(), 2u);
    for (int w = 0; w < 2; ++w) {
      BatchRequest alone = req;
      alone.starts_per_weighting = false;
      alone.n_weightings = 1;
      alone.weights = weights.data() + w * n;
      alone.starts.assign(starts.begin() + w * rows, starts.begin() + (w + 1) * rows);
      const FitResult single = fn(law, alone).at(0);
      EXPECT_EQ(both[w].cost, single.cost) << "weighting " << w;
      EXPECT_EQ(both[w].best_start, single.best_start) << "weighting " << w;
      EXPECT_EQ(both[w].params, single.params) << "weighting " << w;
    }
  }
}

// Each resample runs its own search: the same optimum per resample as the whole grid, hence the
// same intervals; and, like every bootstrap, the same numbers for any thread count or chunk.
TEST(SeparableStarts, BootstrapMatchesTheGridPerResample) {
  const LawEntry& law = find_law("chinchilla-plain");
  const Dataset data = synth::chinchilla_data(0.02, 7);
  BootstrapOptions o;
  o.resamples = 6;
  o.seed = 99;
  o.jackknife = false;
  o.fit.options = huber();
  o.fit.starts = StartStrategy::Grid;
  const BootstrapResult grid = run_bootstrap(data, law, o);
  o.fit.starts = StartStrategy::Separable;
  o.fit.threads = 1;
  const BootstrapResult ours = run_bootstrap(data, law, o);
  EXPECT_EQ(ours.n_starts, kSeparableStarts);
  EXPECT_NEAR(ours.full.cost, grid.full.cost, 1e-9 * grid.full.cost);
  ASSERT_EQ(ours.resamples.size(), grid.resamples.size());
  for (std::size_t r = 0; r < grid.resamples.size(); ++r) {
    ASSERT_TRUE(ours.resamples[r].ok()) << "resample " << r;
    EXPECT_NEAR(ours.resamples[r].cost, grid.resamples[r].cost, 1e-9 * grid.resamples[r].cost)
        << "resample " << r;
  }
  const auto theirs = parameter_intervals(grid, law.info, 0.9, {});
  const auto mine = parameter_intervals(ours, law.info, 0.9, {});
  for (std::size_t k = 0; k < mine.size(); ++k) {
    EXPECT_NEAR(mine[k].interval("percentile").lo, theirs[k].interval("percentile").lo, 1e-4 * std::abs(theirs[k].interval("percentile").lo))
        << mine[k].name;
    EXPECT_NEAR(mine[k].interval("percentile").hi, theirs[k].interval("percentile").hi, 1e-4 * std::abs(theirs[k].interval("percentile").hi))
        << mine[k].name;
  }
  o.fit.threads = 2;
  o.chunk = 4;
  const BootstrapResult split = run_bootstrap(data, law, o);
  for (std::size_t r = 0; r < ours.resamples.size(); ++r) {
    EXPECT_EQ(split.resamples[r].params, ours.resamples[r].params) << "resample " << r;
    EXPECT_EQ(split.resamples[r].cost, ours.resamples[r].cost) << "resample " << r;
  }
}

TEST(SeparableStarts, BootstrapRefusesANonSeparableLaw) {
  BootstrapOptions o;
  o.resamples = 2;
  o.fit.starts = StartStrategy::Separable;
  EXPECT_THROW(run_bootstrap(synth::chinchilla_data(0.02, 7), find_law("kaplan"), o), InputError);
  EXPECT_EQ(parse_start_strategy("separable"), StartStrategy::Separable);
  EXPECT_STREQ(to_string(StartStrategy::Separable), "separable");
}
