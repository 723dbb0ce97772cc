// Model-selection statistics against values computed by hand on tiny data, with test-only laws
// whose least-squares fits are means and lines.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "analysis/compare.hpp"
#include "analysis/model_selection.hpp"
#include "laws/equivalence.hpp"
#include "shannonfit/errors.hpp"
#include "support/toy_laws.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;

namespace {

// Four rows with ln L = 0, 1, 2, 3 at N = e^10 … e^13, one group per row.
Dataset four_rows() {
  Dataset d;
  d.source = "tiny";
  for (int i = 0; i < 4; ++i) {
    d.n.push_back(std::exp(10.0 + i));
    d.d.push_back(1e10);
    d.loss.push_back(std::exp(double(i)));
    d.group.push_back(i);
    d.group_names.push_back("g" + std::to_string(i));
    d.line.push_back(i + 2);
  }
  return d;
}

LawFitter fitter(const LawEntry& law) {
  LawFitter f;
  f.plan.law = &law;
  f.plan.backend = select_backend(law, BackendKind::Cpu);
  f.plan.threads = 1;
  f.starts = start_grid(law.info);
  return f;
}

// ln L̂ = c − m ln N: LineLaw's function under another parametrisation (m = −s), a pair the
// registry's equivalence table does not name.
struct DescendingLineLaw {
  static constexpr int kParams = 2;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S, S) { return p[0] - p[1] * ln_n; }
  static LawInfo info() {
    return {"descending-line", "ln L = c - m ln N", "test",
            {{"c", "c", Reported::AsIs, -50, 50, {0}, 0}, {"m", "m", Reported::AsIs, -5, 5, {0}, 0}},
            Needs::Nothing, ""};
  }
};

// ln L = 2 - 0.1 ln N over `rows` model sizes, plus a deterministic wobble of amplitude `wobble`.
Dataset line_in_ln_n(int rows, double wobble) {
  Dataset d;
  d.source = "line";
  for (int i = 0; i < rows; ++i) {
    const double ln_n = 10.0 + 0.5 * i;
    d.n.push_back(std::exp(ln_n));
    d.d.push_back(1e10);
    d.loss.push_back(std::exp(2.0 - 0.1 * ln_n + wobble * std::sin(3.0 * i)));
    d.line.push_back(i + 2);
  }
  return d;
}

}  // namespace

TEST(ModelSelection, ScoresPredictionsByHand) {
  // Constant prediction ln 2 for L = 1, 2, 4: residuals −ln 2, 0, ln 2 in ln L.
  const LawEntry law = toy_entry<ConstantLaw>();
  Dataset d = four_rows();
  d.loss = {1, 2, 4, 8};
  const double c = std::log(2.0), l2 = c * c;
  const PredictionScore s = score_rows(law, &c, d, Space::Log, {0, 1, 2});
  EXPECT_EQ(s.n, 3);
  EXPECT_NEAR(s.sse, 2 * l2, 1e-15);
  EXPECT_NEAR(s.mse, 2 * l2 / 3, 1e-15);
  EXPECT_NEAR(s.r2, 0.0, 1e-15);  // the prediction is the mean: no better than it
  // In linear space the residuals are 1 − 2, 0, 4 − 2: SSE 5, SST 14/3 around the mean 7/3.
  const PredictionScore lin = score_rows(law, &c, d, Space::Linear, {0, 1, 2});
  EXPECT_NEAR(lin.sse, 5.0, 1e-12);
  EXPECT_NEAR(lin.r2, 1 - 5.0 / (14.0 / 3.0), 1e-12);
  EXPECT_TRUE(std::isnan(score_rows(law, &c, d, Space::Log, {1}).r2));
}

TEST(ModelSelection, KFoldAssignmentIsBalancedSeededAndChecked) {
  const std::vector<int> a = kfold_assignment(10, 3, 7);
  std::vector<int> count(3, 0);
  for (int f : a) ++count[f];
  EXPECT_EQ(count, (std::vector<int>{4, 3, 3}));
  EXPECT_EQ(a, kfold_assignment(10, 3, 7));
  EXPECT_NE(a, kfold_assignment(10, 3, 8));
  EXPECT_THROW(kfold_assignment(10, 1, 7), InputError);
  EXPECT_THROW(kfold_assignment(3, 4, 7), InputError);
}

TEST(ModelSelection, LeaveOneOutOfTheConstantLawByHand) {
  // Each row is predicted by the mean of the other three: residuals −2, −2/3, 2/3, 2.
  const LawEntry law = toy_entry<ConstantLaw>();
  const Dataset d = four_rows();
  const CvResult cv = cross_validate(fitter(law), d, d.group, 4);
  EXPECT_EQ(cv.folds, 4);
  EXPECT_EQ(cv.failed, 0);
  EXPECT_EQ(cv.scored, 4);
  EXPECT_NEAR(cv.mse, (4 + 4.0 / 9 + 4.0 / 9 + 4) / 4, 1e-9);
}

TEST(ModelSelection, HoldoutPooledAndPerGroupByHand) {
  // Train on ln L = 0, 1 (mean 0.5); predict 2 and 3: residuals 1.5 and 2.5.
  const LawEntry law = toy_entry<ConstantLaw>();
  const Dataset d = four_rows();
  const HoldoutResult h = evaluate_holdout(fitter(law), d, {0, 0, 1, 1});
  EXPECT_EQ(h.n_train, 2);
  EXPECT_NEAR(h.fit.params[0], 0.5, 1e-9);
  EXPECT_EQ(h.pooled.n, 2);
  EXPECT_NEAR(h.pooled.mse, (2.25 + 6.25) / 2, 1e-8);
  EXPECT_NEAR(h.pooled.r2, 1 - 8.5 / 0.5, 1e-7);  // SST of {2, 3} is 0.5
  ASSERT_EQ(h.groups.size(), 2u);
  EXPECT_EQ(h.groups[0].name, "g2");
  EXPECT_NEAR(h.groups[0].score.mse, 2.25, 1e-8);
  EXPECT_NEAR(h.groups[1].score.mse, 6.25, 1e-8);
  EXPECT_THROW(evaluate_holdout(fitter(law), d, {1, 1, 1, 1}), InputError);
  EXPECT_THROW(evaluate_holdout(fitter(law), d, {0, 0, 0, 0}), InputError);
}

TEST(ModelSelection, PoolingSeparateFitsByHand) {
  // Two slices fitted apart: held-out targets {2, 3} with SSE 8.5 and {0, 4} with SSE 1. Pooled
  // over the four rows (mean 2.25, SST 8.75): R² = 1 − 9.5 / 8.75, MSE 9.5 / 4.
  EXPECT_NEAR(total_sum_of_squares({2, 3, 0, 4}), 8.75, 1e-15);
  EXPECT_EQ(total_sum_of_squares({}), 0.0);
  const PredictionScore p = pooled_score(8.5 + 1.0, 4, total_sum_of_squares({2, 3, 0, 4}));
  EXPECT_EQ(p.n, 4);
  EXPECT_NEAR(p.mse, 9.5 / 4, 1e-15);
  EXPECT_NEAR(p.r2, 1 - 9.5 / 8.75, 1e-15);
  EXPECT_TRUE(std::isnan(pooled_score(1.0, 1, 2.0).r2));  // one row: no spread to explain
  EXPECT_TRUE(std::isnan(pooled_score(1.0, 3, 0.0).r2));
  EXPECT_TRUE(std::isnan(pooled_score(std::nan(""), 3, 2.0).r2));  // a failed slice fit

  // score_holdout is what evaluate_holdout reports for its own fit.
  const LawEntry law = toy_entry<ConstantLaw>();
  const Dataset d = four_rows();
  const HoldoutResult h = evaluate_holdout(fitter(law), d, {0, 0, 1, 1});
  const HoldoutScores s = score_holdout(law, h.fit.params.data(), d, Space::Log, {0, 0, 1, 1});
  EXPECT_EQ(s.pooled.sse, h.pooled.sse);
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.groups[1].score.mse, h.groups[1].score.mse);
}

TEST(ModelSelection, TheTrueLawWinsEveryBootstrapResample) {
  // ln L is exactly linear in ln N: the line predicts held-out rows perfectly, the constant not.
  const Dataset d = line_in_ln_n(12, 0.0);
  const LawEntry constant = toy_entry<ConstantLaw>(), line = toy_entry<LineLaw>();
  const std::vector<LawFitter> laws = {fitter(constant), fitter(line)};
  std::vector<char> held(12, 0);
  held[10] = held[11] = 1;
  const WinRates w = bootstrap_win_rates(laws, d, &held, 40, 3, Scheme::Case, {0, 1});
  EXPECT_EQ(w.resamples, 40);
  EXPECT_EQ(w.valid, 40);  // two distinct ln N values are drawn in every resample here
  EXPECT_DOUBLE_EQ(w.rate[0], 0.0);
  EXPECT_DOUBLE_EQ(w.rate[1], 1.0);
  for (int r = 0; r < 40; ++r) EXPECT_LT(w.mse[1][r], 1e-12);
  // Out-of-bag scoring without a split, and the same seed gives the same numbers.
  const WinRates oob = bootstrap_win_rates(laws, d, nullptr, 40, 3, Scheme::Case, {0, 1});
  EXPECT_DOUBLE_EQ(oob.rate[1], 1.0);
  const WinRates again = bootstrap_win_rates(laws, d, nullptr, 40, 3, Scheme::Case, {0, 1});
  EXPECT_EQ(oob.mse, again.mse);
}

TEST(ModelSelection, ClusterWinRatesDrawWholeGroups) {
  // Three models of two rows each, ln L = 0,1 / 10,11 / 20,21. The constant law's fit is the
  // weighted mean, so a resample that draws whole models (count c_g of model g, Σ c_g = 3) fits
  // Σ c_g (10 g + 0.5) / 3, one of ten values; drawing single rows almost never does.
  Dataset d;
  d.source = "three models";
  for (int g = 0; g < 3; ++g) {
    d.group_names.push_back("m" + std::to_string(g));
    for (int k = 0; k < 2; ++k) {
      d.n.push_back(std::exp(10.0 + g));
      d.d.push_back(1e10 * (k + 1));
      d.loss.push_back(std::exp(10.0 * g + k));
      d.group.push_back(g);
      d.line.push_back(2 * g + k + 2);
    }
  }
  std::vector<double> whole_model_means;
  for (int c0 = 0; c0 <= 3; ++c0)
    for (int c1 = 0; c0 + c1 <= 3; ++c1)
      whole_model_means.push_back((c0 * 0.5 + c1 * 10.5 + (3 - c0 - c1) * 20.5) / 3);
  auto whole_models = [&](double fitted) {
    for (double m : whole_model_means)
      if (std::abs(fitted - m) < 1e-6) return true;
    return false;
  };
  const LawEntry constant = toy_entry<ConstantLaw>();
  const std::vector<LawFitter> laws = {fitter(constant)};
  const WinRates cluster = bootstrap_win_rates(laws, d, nullptr, 40, 5, Scheme::Cluster, {0});
  int fitted = 0;
  for (const FitResult& f : cluster.fits[0]) {
    if (!usable(f)) continue;
    ++fitted;
    EXPECT_TRUE(whole_models(f.params[0])) << f.params[0];
  }
  EXPECT_EQ(fitted, 40);
  const WinRates rows = bootstrap_win_rates(laws, d, nullptr, 40, 5, Scheme::Case, {0});
  int row_draws = 0;
  for (const FitResult& f : rows.fits[0])
    if (usable(f) && !whole_models(f.params[0])) ++row_draws;
  EXPECT_GT(row_draws, 20) << "the test cannot tell the schemes apart";
}

TEST(ModelSelection, LawsFoundToBeOneFunctionNeverOutrankOrOutwinEachOther) {
  // A noisy line in ln N: the line beats the constant, and the descending line is the line.
  const Dataset d = line_in_ln_n(16, 0.02);
  const LawEntry constant = toy_entry<ConstantLaw>(), line = toy_entry<LineLaw>(),
                 descending = toy_entry<DescendingLineLaw>();
  EXPECT_FALSE(same_function(line, descending)) << "the table must not name this pair";
  CompareRequest req;
  FitConfig config;
  config.backend = BackendKind::Cpu;
  config.threads = 1;
  for (const LawEntry* law : {&line, &constant, &descending})
    req.plans.push_back(make_plan(*law, d, config));
  req.kfold = 4;
  req.resamples = 30;
  const SliceComparison s = compare_slice(d, "line", "", req, 9);
  EXPECT_EQ(s.candidate, (std::vector<std::size_t>{0, 1, 0}));
  EXPECT_EQ(s.rank[0], s.rank[2]) << "one function, one rank";
  EXPECT_EQ(s.rank[0], 1);
  EXPECT_EQ(s.rank[1], 3);
  EXPECT_EQ(s.order, (std::vector<std::size_t>{0, 2, 1})) << "side by side";
  ASSERT_GT(s.win_valid, 0);
  EXPECT_EQ(s.laws[0].win_rate, s.laws[2].win_rate);
  EXPECT_NEAR(s.laws[0].win_rate + s.laws[1].win_rate, 1.0, 1e-12)
      << "the two names of one function never take wins from each other";

  // Laws that predict differently stay apart, and a failed fit is matched by declaration only.
  const std::vector<double> flat = {1.0, 0.0}, sloped = {2.0, -0.1};
  EXPECT_FALSE(same_predictions({&line, flat.data()}, {&line, sloped.data()}, d));
  EXPECT_EQ(fitted_candidates({{&line, sloped.data()}, {&descending, nullptr}}, d),
            (std::vector<std::size_t>{0, 1}));
}
