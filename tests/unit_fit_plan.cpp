// make_plan (src/analysis/fit_plan.hpp): the one vocabulary of start strategies and what each
// means for the full-data fit and for refits, the backend chosen as a value, and the explicit
// full-data starts a caller may give.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "analysis/fit_plan.hpp"
#include "analysis/separable_starts.hpp"
#include "shannonfit/errors.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

namespace {

FitConfig config(StartStrategy starts) {
  FitConfig c;
  c.backend = BackendKind::Cpu;
  c.threads = 1;
  c.starts = starts;
  return c;
}

FitResult optimum_at(const std::vector<double>& params) {
  FitResult r;
  r.n_params = static_cast<int>(params.size());
  for (std::size_t k = 0; k < params.size(); ++k) r.params[k] = params[k];
  return r;
}

}  // namespace

TEST(FitPlan, EveryStrategyNameParsesAndPrintsBack) {
  for (const std::string& name : start_strategy_names())
    EXPECT_EQ(to_string(parse_start_strategy(name)), name);
  EXPECT_THROW(parse_start_strategy("random"), InputError);
  try {
    parse_start_strategy("single-start");
    FAIL() << "an unknown strategy was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("grid, best, single or separable"), std::string::npos)
        << e.what();
  }
}

TEST(FitPlan, StrategiesChooseTheFullDataStartsAndTheRefitStarts) {
  const LawEntry& law = find_law("chinchilla");
  const Dataset data = synth::chinchilla_data(0.02, 7);
  const std::vector<double> grid = start_grid(law.info);
  const std::vector<double> optimum = {6.0, 7.0, 0.5, 0.3, 0.3};
  const FitResult full = optimum_at(optimum);

  const FitPlan by_grid = make_plan(law, data, config(StartStrategy::Grid));
  EXPECT_EQ(by_grid.full_starts, grid);
  EXPECT_EQ(by_grid.refit_starts(full), grid) << "grid: every refit searches the grid too";
  EXPECT_EQ(by_grid.n_refit_starts(), by_grid.n_full_starts());

  const FitPlan best = make_plan(law, data, config(StartStrategy::Best));
  EXPECT_EQ(best.full_starts, grid);
  EXPECT_EQ(best.refit_starts(full), optimum) << "best: refits start from the optimum";
  EXPECT_EQ(best.n_refit_starts(), 1);

  const FitPlan single = make_plan(law, data, config(StartStrategy::Single));
  EXPECT_EQ(single.full_starts, single_start(law.info));
  EXPECT_EQ(single.refit_starts(full), optimum);

  const FitPlan separable = make_plan(law, data, config(StartStrategy::Separable));
  EXPECT_EQ(separable.n_full_starts(), separable_start_count(*law.separable, kSeparableStarts));
  EXPECT_TRUE(separable.refits_search());
  const std::vector<double> weights(2 * data.size(), 1.0);
  const BatchRequest req =
      separable.refit_request(data, separable.refit_starts(full), weights.data(), nullptr, 2);
  EXPECT_TRUE(req.starts_per_weighting) << "separable: each refit runs its own search";
  EXPECT_EQ(req.n_starts(law.n_params), separable.n_refit_starts());
  EXPECT_THROW(make_plan(find_law("kaplan"), data, config(StartStrategy::Separable)), InputError);
}

TEST(FitPlan, SingleStartRefitsGetALargerIterationCapThanSearchingOnes) {
  const LawEntry& law = find_law("chinchilla");
  const Dataset data = synth::chinchilla_data(0.02, 7);
  const FitResult full = optimum_at({6.0, 7.0, 0.5, 0.3, 0.3});
  const std::vector<double> weights(data.size(), 1.0);
  for (StartStrategy s : {StartStrategy::Grid, StartStrategy::Best, StartStrategy::Single}) {
    FitConfig c = config(s);
    c.options.max_iterations = 300;
    const FitPlan plan = make_plan(law, data, c);
    EXPECT_EQ(plan.full_request(data).options.max_iterations, 300) << to_string(s);
    const BatchRequest refit =
        plan.refit_request(data, plan.refit_starts(full), weights.data(), nullptr, 1);
    EXPECT_EQ(refit.options.max_iterations,
              s == StartStrategy::Grid ? 300 : 300 * kSingleStartIterationFactor)
        << to_string(s);
  }
  FitConfig huge = config(StartStrategy::Best);
  huge.options.max_iterations = std::numeric_limits<int>::max() / 2;
  EXPECT_EQ(make_plan(law, data, huge).refit_max_iterations(), std::numeric_limits<int>::max())
      << "the scaled cap saturates instead of overflowing";
}

TEST(FitPlan, GivenFullDataStartsReplaceTheStrategysOwn) {
  const LawEntry& law = find_law("chinchilla");
  FitConfig c = config(StartStrategy::Grid);
  c.full_starts = single_start(law.info);
  const FitPlan plan = make_plan(law, synth::chinchilla_data(0.02, 7), c);
  EXPECT_EQ(plan.full_starts, c.full_starts);
  EXPECT_EQ(plan.n_full_starts(), 1);
}

TEST(FitPlan, TheBackendIsAValueNamedInOutputs) {
  const LawEntry& law = find_law("chinchilla");
  const Dataset data = synth::chinchilla_data(0.02, 7);
  FitConfig c = config(StartStrategy::Single);
  c.backend = BackendKind::Reference;
  const FitPlan plan = make_plan(law, data, c);
  EXPECT_EQ(plan.backend.kind, BackendKind::Reference);
  EXPECT_STREQ(plan.backend.name, "reference");
  const BatchRequest req = plan.full_request(data);
  EXPECT_EQ(req.starts, plan.full_starts);
  EXPECT_EQ(plan.backend.run(law, req).size(), 1u);
}
