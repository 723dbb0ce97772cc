// How each start of a batch ended (fit_outcome.hpp): every state is provoked on a toy law whose
// answer is known, and counting the starts must not change which fit is chosen.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include <cmath>

#include "analysis/fit_outcome.hpp"
#include "analysis/refine_optimum.hpp"
#include "support/toy_laws.hpp"

using namespace shannonfit;

namespace {

// ln L̂ = ln(c) + s ln N: starts with c < 0 evaluate ln of a negative number (NaN); the box
// lets s reach only 1, so a steeper slope in the data pins it there.
struct LogScaleLaw {
  static constexpr int kParams = 2;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S, S) {
    using std::log;
    return log(p[0]) + p[1] * ln_n;
  }
  static LawInfo info() {
    return {"log-scale", "ln L = ln c + s ln N", "test",
            {{"c", "c", Reported::AsIs, -10, 100, {-1, 0.5, 2}, 1},
             {"s", "s", Reported::AsIs, -1, 1, {0, 0.5}, 0}},
            Needs::Nothing, ""};
  }
};

Dataset line_data(double slope) {
  Dataset d;
  for (int i = 0; i < 8; ++i) {
    d.n.push_back(std::exp(1.0 + i));
    d.d.push_back(1e9);
    d.loss.push_back(std::exp(0.3 + slope * (1.0 + i)));
    d.line.push_back(i + 2);
  }
  return d;
}

BatchRequest request(const Dataset& data, int max_iterations) {
  BatchRequest req;
  req.data = &data;
  req.starts = start_grid(LogScaleLaw::info());
  req.options.loss = LossKind::L2;
  req.options.max_iterations = max_iterations;
  req.threads = 2;
  return req;
}

}  // namespace

TEST(FitOutcome, CountsNonFiniteStartsAndConvergedOnes) {
  const LawEntry law = shannonfit::testing::toy_entry<LogScaleLaw>();
  const Dataset data = line_data(0.25);
  StartOutcomes o;
  const FitResult best = fit_counting_starts(law, law.batch(BackendKind::Cpu), request(data, 200), o);
  EXPECT_EQ(o.total(), 6);
  EXPECT_EQ(o.non_finite, 2);  // both starts with c = -1
  EXPECT_EQ(o.converged, 4);
  EXPECT_EQ(classify(law.info, best), FitOutcome::Converged);
  EXPECT_NEAR(best.params[1], 0.25, 1e-8);
  EXPECT_EQ(o.at_best, 4);  // every converged start finds the one optimum of a line
  EXPECT_EQ(describe(o), "6 starts: 4 converged, 2 NaN/Inf; 4 reached the best optimum");
}

TEST(FitOutcome, SlopeBeyondTheBoxEndsOnTheBound) {
  const LawEntry law = shannonfit::testing::toy_entry<LogScaleLaw>();
  const Dataset data = line_data(1.5);
  StartOutcomes o;
  const FitResult best = fit_counting_starts(law, law.batch(BackendKind::Cpu), request(data, 200), o);
  EXPECT_EQ(o.at_bound, 4);
  EXPECT_EQ(classify(law.info, best), FitOutcome::AtBound);
  EXPECT_EQ(params_at_bound(law.info, best), std::vector<std::string>{"s"});
  EXPECT_NE(best_fit_warning(law.info, best).find("s on its bound"), std::string::npos);
  EXPECT_EQ(best_fit_json(law.info, best)["outcome"], "at_bound");
}

TEST(FitOutcome, IterationCapIsNotConvergence) {
  const LawEntry law = shannonfit::testing::toy_entry<LogScaleLaw>();
  const Dataset data = line_data(0.25);
  StartOutcomes o;
  const FitResult best = fit_counting_starts(law, law.batch(BackendKind::Cpu), request(data, 1), o);
  EXPECT_EQ(o.max_iterations, 4);
  EXPECT_EQ(o.non_finite, 2);
  EXPECT_EQ(classify(law.info, best), FitOutcome::MaxIterations);
  EXPECT_EQ(best.failed_starts, 6);
  EXPECT_NE(best_fit_warning(law.info, best).find("iteration cap"), std::string::npos);
}

TEST(FitOutcome, ClaimedConvergenceWithANonFiniteCostIsNonFinite) {
  FitResult r;
  r.status = FitStatus::ConvergedCost;
  r.cost = INFINITY;
  EXPECT_EQ(classify(LogScaleLaw::info(), r), FitOutcome::NonFinite);
  r.cost = 1;
  r.params[0] = NAN;
  EXPECT_EQ(classify(LogScaleLaw::info(), r), FitOutcome::NonFinite);
}

TEST(FitOutcome, CountingStartsChoosesWhatTheBackendChooses) {
  const LawEntry law = shannonfit::testing::toy_entry<LogScaleLaw>();
  for (double slope : {0.25, 1.5}) {
    const Dataset data = line_data(slope);
    const BatchRequest req = request(data, 200);
    StartOutcomes o;
    const FitResult counted = fit_counting_starts(law, law.batch(BackendKind::Cpu), req, o);
    FitResult reduced = law.batch(BackendKind::Cpu)(law, req).at(0);
    // What is reported is the backend's best start, refined (refine_optimum.hpp).
    refine_least_squares_optimum(law, data, req.options, reduced);
    EXPECT_EQ(counted.best_start, reduced.best_start);
    EXPECT_EQ(counted.failed_starts, reduced.failed_starts);
    EXPECT_EQ(counted.cost, reduced.cost);
    for (int k = 0; k < law.n_params; ++k) EXPECT_EQ(counted.params[k], reduced.params[k]);
  }
}

// A progress bar asks for the starts in steps: the same answer and the same counts, with every
// step reported against the real total.
TEST(FitOutcome, CountingStartsInStepsReportsProgressAndChangesNothing) {
  const LawEntry law = shannonfit::testing::toy_entry<LogScaleLaw>();
  const Dataset data = line_data(1.5);
  const BatchRequest req = request(data, 200);
  const long total = static_cast<long>(req.starts.size()) / law.n_params;
  ASSERT_GT(total, 1);
  StartOutcomes whole, stepped;
  const FitResult once = fit_counting_starts(law, law.batch(BackendKind::Cpu), req, whole);
  std::vector<long> done;
  const FitResult steps = fit_counting_starts(law, law.batch(BackendKind::Cpu), req, stepped, [&](long d, long t) {
    EXPECT_EQ(t, total);
    done.push_back(d);
  });
  EXPECT_EQ(steps.best_start, once.best_start);
  EXPECT_EQ(steps.cost, once.cost);
  EXPECT_EQ(stepped.converged, whole.converged);
  EXPECT_EQ(stepped.total(), whole.total());
  ASSERT_GE(done.size(), 2u);
  EXPECT_EQ(done.front(), 0);
  EXPECT_EQ(done.back(), total);
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
}

// On a bound, a verified stop needs the gradient to push out of the box there (KKT) and every
// other component to be small; the same bound with the gradient pointing back inside is no
// optimum, and the check says so.
TEST(FitOutcome, StopOnABoundIsVerifiedByItsKktConditions) {
  const LawEntry law = shannonfit::testing::toy_entry<LogScaleLaw>();
  const Dataset steep = line_data(1.5);
  StartOutcomes o;
  const FitResult best = fit_counting_starts(law, law.batch(BackendKind::Cpu), request(steep, 200), o);
  ASSERT_EQ(classify(law.info, best), FitOutcome::AtBound);
  EXPECT_TRUE(kkt_verified(best)) << best.optimality;
  EXPECT_EQ(best_fit_json(law.info, best)["kkt_verified"], true);
  EXPECT_NE(best_fit_warning(law.info, best).find("KKT conditions hold"), std::string::npos);

  // The data's slope is 0.25: at s = 1 the descent direction points into the box.
  const Dataset shallow = line_data(0.25);
  FitResult on_bound = best;
  on_bound.optimality = check_optimality(law, best.params.data(), shallow, FitOptions{});
  EXPECT_GT(on_bound.optimality, 0.1);
  EXPECT_EQ(classify(law.info, on_bound), FitOutcome::NotStationary);
  EXPECT_NE(best_fit_warning(law.info, on_bound).find("not a verified optimum"),
            std::string::npos);
}

TEST(FitOutcome, ShareOfStartsAtTheCapIsReported) {
  const LawEntry law = shannonfit::testing::toy_entry<LogScaleLaw>();
  const Dataset data = line_data(0.25);
  StartOutcomes o;
  fit_counting_starts(law, law.batch(BackendKind::Cpu), request(data, 1), o);
  EXPECT_DOUBLE_EQ(o.max_iterations_share(), 4.0 / 6.0);
  // One iteration from four different starts leaves four different objectives: the best is
  // the only one at its own value.
  EXPECT_EQ(describe(o),
            "6 starts: 4 at the iteration cap (66.7%), 2 NaN/Inf; 1 reached the best optimum");
  EXPECT_DOUBLE_EQ(to_json(o)["max_iterations_share"].get<double>(), 4.0 / 6.0);
}
