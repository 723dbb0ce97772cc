// Each law's kMinDistinct is measured here, for every law in SF_FOR_EACH_LAW: for each column it
// governs, noiseless data with exactly that many distinct values in the column (and plenty in
// the others) identify the law, and data with one fewer never do, and io::require_fittable
// accepts the first and refuses the second. The thresholds are per column, as require_fittable
// applies them: the fewest distinct values with which any data identify the law. Meeting all of
// them at once is necessary, not sufficient (shannon's 2 N × 3 D grid has fewer points than
// parameters); what remains flat is reported after the fit (fit_stats.hpp).
//
// "Identified" is the rank of the Jacobian of ln L̂ at a well-identified truth over the design
// (the residual Jacobian of noiseless data, up to sign; linear space multiplies its rows by
// L̂ > 0, which keeps the rank). The columns are scaled to unit norm, so that units do not count,
// and the rank is read from the ratio of the smallest to the largest singular value.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "analysis/fit_stats.hpp"
#include "io/csv.hpp"
#include "shannonfit/errors.hpp"
#include "support/law_testing.hpp"

namespace {

using namespace shannonfit;
using namespace shannonfit::lawtest;
using namespace shannonfit::synth;

// Identified: the relative singular value is at least √kFlatThreshold, so that the post-fit check
// of fit_stats.hpp (relative eigenvalue of the scaled JᵀJ below kFlatThreshold = flat) agrees.
const double kIdentified = std::sqrt(kFlatThreshold);
// Rank-deficient: below 1e-12. Jets give J exact to rounding, so an exactly flat direction leaves
// a relative singular value of ~1e-16 (measured ≤ 2e-16 over every law, column and truth below),
// while every identifying design measured ≥ 1e-4. A value in between is neither and fails.
constexpr double kDeficient = 1e-12;

// Distinct values in each column not under test. The flat directions found below are structural
// (parameters that enter only through fewer combinations than there are of them), so more values
// elsewhere would not lift them.
constexpr int kPlenty = 8;

enum class Column { N, D, X };
const char* column_name(Column c) { return c == Column::N ? "N" : c == Column::D ? "D" : "x"; }

int threshold(const MinDistinct& m, Column c) {
  return c == Column::N ? m.n : c == Column::D ? m.d : m.x;
}

// `count` log-spaced values of ln v over [first, last] (one: the geometric middle).
std::vector<double> log_values(double first, double last, int count) {
  if (count == 1) return {0.5 * (std::log(first) + std::log(last))};
  return log_spaced(first, last, count);
}

// `count` distinct perturbation strengths, with x = 0 (clean rows) among them or not: a law may
// need a strength beside the clean rows, or two strengths whichever they are.
std::vector<double> strengths(int count, bool with_zero) {
  std::vector<double> xs;
  if (with_zero) xs.push_back(0.0);
  const int positive = count - (with_zero ? 1 : 0);
  if (positive > 0)
    for (double ln_x : log_values(0.125, 1.0, positive)) xs.push_back(std::exp(ln_x));
  return xs;
}

// The N × D (× x) product grid with `count` distinct values in `column` and kPlenty in the others,
// over the ranges of law_testing.hpp's design. A product grid holds every point any design with
// these counts can have, so it is the most informative such design.
Design design(const LawInfo& info, Column column, int count, bool x_with_zero) {
  const auto values = [&](Column c) { return c == column ? count : kPlenty; };
  const std::vector<double> xs = info.needs == Needs::Perturbation
                                     ? strengths(values(Column::X), x_with_zero)
                                     : std::vector<double>{0.0};
  Design g;
  for (double x : xs)
    for (double ln_n : log_values(1e7, 1e12, values(Column::N)))
      for (double ln_d : log_values(1e8, 1e13, values(Column::D))) {
        g.ln_n.push_back(ln_n);
        g.ln_d.push_back(ln_d);
        g.x.push_back(x);
      }
  return g;
}

struct Rank {
  double relative_singular_value;  // smallest over largest, columns scaled; 0 if one is all zero
  bool flat_after_fit;             // what fit_stats.hpp's identifiability() says of the same JᵀJ
};

template <class Law>
Rank rank_at(const std::vector<double>& truth, const Design& g) {
  constexpr int P = Law::kParams;
  const Jacobian jacobian = log_loss_jacobian<Law>(truth, g);
  const Eigen::MatrixXd jac =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          jacobian.values.data(), jacobian.rows, jacobian.cols);
  const Eigen::MatrixXd h = jac.transpose() * jac;
  std::vector<double> packed;
  for (int a = 0; a < P; ++a)
    for (int b = a; b < P; ++b) packed.push_back(h(a, b));
  const bool flat = !identifiability(Law::info(), packed.data()).full_rank();

  const Eigen::VectorXd norms = jac.colwise().norm();
  if (jac.rows() < P || (norms.array() <= 0).any()) return {0.0, flat};
  const Eigen::VectorXd sv =
      Eigen::JacobiSVD<Eigen::MatrixXd>(jac * norms.cwiseInverse().asDiagonal()).singularValues();
  return {sv(P - 1) / sv(0), flat};
}

template <class Law>
Dataset noiseless(const std::vector<double>& truth, const Design& g) {
  std::mt19937_64 unused;
  return synthesize<Law>(truth, g, 0.0, unused);
}

// The truths the ranks are taken at: the law's TruthSpace centre and two seeded draws around it
// that the generic design identifies (a single point might sit on a special set of lower rank).
template <class Law>
std::vector<std::vector<double>> truths() {
  std::vector<std::vector<double>> out = {TruthSpace<Law>::centre()};
  std::mt19937_64 rng(20261126);
  const Design generic = make_design(Law::info());
  for (int i = 0; i < 2; ++i) out.push_back(draw_truth<Law>(generic, rng).params);
  return out;
}

template <class Law>
std::vector<Column> governed() {
  std::vector<Column> cols = {Column::N, Column::D};
  if (Law::info().needs == Needs::Perturbation) cols.push_back(Column::X);
  return cols;
}

// The designs with `count` distinct values in `column`: for x, with and without the clean rows.
std::vector<bool> x_variants(Column column) {
  return column == Column::X ? std::vector<bool>{true, false} : std::vector<bool>{true};
}

bool refused(const Dataset& data, const LawInfo& info) {
  try {
    io::require_fittable(data, info, io::ColumnLabels{}, "synthetic");
    return false;
  } catch (const InputError&) {
    return true;
  }
}

template <class Law>
class MinDistinctTest : public ::testing::Test {};
TYPED_TEST_SUITE(MinDistinctTest, AllLaws, LawName);

TYPED_TEST(MinDistinctTest, EachThresholdIsTheFewestDistinctValuesThatIdentifyTheLaw) {
  using Law = TypeParam;
  const LawInfo& info = entry<Law>().info;  // the thresholds require_fittable applies
  std::string measured;
  for (Column column : governed<Law>()) {
    const int need = threshold(info.min_distinct, column);
    ASSERT_GE(need, 1) << column_name(column);
    double weakest_identified = INFINITY, strongest_flat = 0;
    for (const auto& truth : truths<Law>()) {
      // At the threshold some design identifies the law (for x: with or without clean rows).
      double best = 0;
      for (bool with_zero : x_variants(column)) {
        const Design g = design(info, column, need, with_zero);
        const Rank r = rank_at<Law>(truth, g);
        EXPECT_EQ(r.flat_after_fit, r.relative_singular_value < kIdentified);
        EXPECT_FALSE(refused(noiseless<Law>(truth, g), info));
        best = std::max(best, r.relative_singular_value);
      }
      EXPECT_GE(best, kIdentified) << column_name(column) << " at its threshold " << need
                                   << " does not identify " << info.name
                                   << ": the threshold is too low";
      weakest_identified = std::min(weakest_identified, best);
      // One fewer identifies it in no design: otherwise the check refuses identifiable data.
      if (need == 1) continue;  // no data have fewer than one distinct value
      for (bool with_zero : x_variants(column)) {
        const Design g = design(info, column, need - 1, with_zero);
        const Rank r = rank_at<Law>(truth, g);
        EXPECT_LT(r.relative_singular_value, kDeficient)
            << column_name(column) << " with " << need - 1 << " distinct values"
            << (column == Column::X ? with_zero ? " (x = 0 among them)" : " (all x > 0)" : "")
            << (r.relative_singular_value >= kIdentified
                    ? " identifies " + info.name + ": the threshold is too high"
                    : " is neither exactly flat nor identified for " + info.name);
        EXPECT_TRUE(r.flat_after_fit);
        EXPECT_TRUE(refused(noiseless<Law>(truth, g), info));
        strongest_flat = std::max(strongest_flat, r.relative_singular_value);
      }
    }
    char line[64];
    std::snprintf(line, sizeof line, "  %s %d: %.1e", column_name(column), need,
                  weakest_identified);
    measured += line;
    if (need > 1) {
      std::snprintf(line, sizeof line, " (%d: %.0e)", need - 1, strongest_flat);
      measured += line;
    }
  }
  // The smallest relative singular value at each threshold over the truths, and the largest with
  // one fewer: the numbers the thresholds rest on.
  std::printf("[ min-distinct ] %s%s\n", info.name.c_str(), measured.c_str());
}

}  // namespace
