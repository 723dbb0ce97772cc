// The exact NNLS of the separable start search (src/analysis/nnls.hpp), against a brute force
// that shares nothing with it: every subset of columns solved by Eigen's QR on the weighted
// design matrix itself (not the normal equations), the best one with no negative coefficient
// kept; and against the KKT conditions and random feasible points.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>

#include "analysis/nnls.hpp"

using namespace shannonfit;

namespace {

struct Problem {
  Eigen::MatrixXd phi;  // n × k design
  Eigen::VectorXd y, w;
};

// Weighted sum of squares, halved: the objective the normal equations stand for, up to ½ yᵀWy.
double half_ssq(const Problem& p, const Eigen::VectorXd& c) {
  const Eigen::VectorXd r = p.phi * c - p.y;
  return 0.5 * (p.w.array() * r.array().square()).sum();
}

Eigen::VectorXd brute_force(const Problem& p) {
  const int k = static_cast<int>(p.phi.cols());
  const Eigen::VectorXd sw = p.w.array().sqrt();
  Eigen::VectorXd best = Eigen::VectorXd::Zero(k);
  double best_value = half_ssq(p, best);
  for (int mask = 1; mask < (1 << k); ++mask) {
    std::vector<int> cols;
    for (int j = 0; j < k; ++j)
      if (mask >> j & 1) cols.push_back(j);
    Eigen::MatrixXd a(p.phi.rows(), cols.size());
    for (std::size_t t = 0; t < cols.size(); ++t) a.col(t) = sw.asDiagonal() * p.phi.col(cols[t]);
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
    if (qr.rank() < static_cast<int>(cols.size())) continue;
    const Eigen::VectorXd z = qr.solve(sw.asDiagonal() * p.y);
    if ((z.array() < 0).any()) continue;
    Eigen::VectorXd c = Eigen::VectorXd::Zero(k);
    for (std::size_t t = 0; t < cols.size(); ++t) c[cols[t]] = z[t];
    const double value = half_ssq(p, c);
    if (value < best_value) {
      best_value = value;
      best = c;
    }
  }
  return best;
}

NnlsResult solve(const Problem& p) {
  const int k = static_cast<int>(p.phi.cols());
  const Eigen::MatrixXd g = p.phi.transpose() * p.w.asDiagonal() * p.phi;
  const Eigen::VectorXd r = p.phi.transpose() * p.w.asDiagonal() * p.y;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> g_rows = g;
  return nnls_normal(g_rows.data(), r.data(), k);
}

Eigen::VectorXd coefficients(const NnlsResult& s, int k) {
  Eigen::VectorXd c(k);
  for (int j = 0; j < k; ++j) c[j] = s.c[j];
  return c;
}

// Random problems whose unconstrained solutions often have negative parts, so that the
// constraint binds on some columns and not others.
Problem random_problem(std::mt19937_64& rng, int n, int k) {
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g(0, 1);
  Problem p{Eigen::MatrixXd(n, k), Eigen::VectorXd(n), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < k; ++j) p.phi(i, j) = u(rng) + (j == 0 ? 0.0 : 0.3 * g(rng));
    p.y[i] = g(rng);
    p.w[i] = 0.1 + u(rng);
  }
  return p;
}

void expect_optimal(const Problem& p, const NnlsResult& s, const std::string& what) {
  const int k = static_cast<int>(p.phi.cols());
  const Eigen::VectorXd ours = coefficients(s, k);
  const Eigen::VectorXd brute = brute_force(p);
  const double scale = std::max(1.0, half_ssq(p, Eigen::VectorXd::Zero(k)));
  EXPECT_NEAR(half_ssq(p, ours), half_ssq(p, brute), 1e-10 * scale) << what;
  EXPECT_TRUE((ours.array() >= 0).all()) << what;
  // KKT: the gradient vanishes on the free coefficients and points into the box on the others.
  const Eigen::VectorXd grad = p.phi.transpose() * p.w.asDiagonal() * (p.phi * ours - p.y);
  const double gscale = (p.phi.transpose() * p.w.asDiagonal() * p.y).cwiseAbs().maxCoeff() + 1;
  for (int j = 0; j < k; ++j) {
    if (ours[j] > 0)
      EXPECT_NEAR(grad[j], 0, 1e-8 * gscale) << what << " column " << j;
    else
      EXPECT_GE(grad[j], -1e-8 * gscale) << what << " column " << j;
  }
  // The reported objective is ½ cᵀGc − cᵀr at c.
  EXPECT_NEAR(s.objective, half_ssq(p, ours) - half_ssq(p, Eigen::VectorXd::Zero(k)), 1e-9 * scale)
      << what;
}

}  // namespace

TEST(Nnls, MatchesBruteForceOnRandomProblems) {
  std::mt19937_64 rng(7);
  int bound = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int k = 1 + trial % 4;
    const Problem p = random_problem(rng, 6 + trial % 20, k);
    const NnlsResult s = solve(p);
    expect_optimal(p, s, "trial " + std::to_string(trial));
    for (int j = 0; j < k; ++j) bound += s.c[j] == 0;
  }
  // The trials exercise the constraint, not only interior solutions.
  EXPECT_GT(bound, 100);
}

TEST(Nnls, NoFeasiblePointBeatsIt) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 3);
  const Problem p = random_problem(rng, 30, 4);
  const NnlsResult s = solve(p);
  const double best = half_ssq(p, coefficients(s, 4));
  for (int t = 0; t < 20000; ++t) {
    Eigen::VectorXd c(4);
    for (int j = 0; j < 4; ++j) c[j] = t % 2 ? u(rng) : std::max(0.0, s.c[j] + 0.01 * (u(rng) - 1.5));
    EXPECT_GE(half_ssq(p, c), best - 1e-12) << "feasible point " << t;
  }
}

TEST(Nnls, ExactFitOfALawLikeDesignWithTinyColumns) {
  // Chinchilla-shaped columns, N^-alpha and D^-beta next to 1: magnitudes 1e-6 and 1e-9 beside
  // 1, and the exact solution is recovered.
  const int n = 40;
  Problem p{Eigen::MatrixXd(n, 3), Eigen::VectorXd(n), Eigen::VectorXd::Ones(n)};
  for (int i = 0; i < n; ++i) {
    const double ln_n = 17 + 0.15 * i, ln_d = 20 + 0.11 * (i * 7 % n);
    p.phi(i, 0) = std::exp(-0.34 * ln_n);
    p.phi(i, 1) = std::exp(-0.28 * ln_d);
    p.phi(i, 2) = 1;
    p.y[i] = 400 * p.phi(i, 0) + 410 * p.phi(i, 1) + 1.7;
  }
  const NnlsResult s = solve(p);
  EXPECT_NEAR(s.c[0], 400, 1e-6 * 400);
  EXPECT_NEAR(s.c[1], 410, 1e-6 * 410);
  EXPECT_NEAR(s.c[2], 1.7, 1e-9);
}

TEST(Nnls, DependentAndEmptyColumns) {
  std::mt19937_64 rng(3);
  Problem p = random_problem(rng, 12, 4);
  p.phi.col(2) = 2 * p.phi.col(0);  // dependent: the optimum is not unique, its value is
  p.phi.col(3).setZero();           // a term that is zero at every point keeps c = 0
  p.y = p.phi.col(0) * 1.5 + p.phi.col(1) * 0.5;
  const NnlsResult s = solve(p);
  expect_optimal(p, s, "dependent columns");
  EXPECT_EQ(s.c[3], 0);
  EXPECT_NEAR(half_ssq(p, coefficients(s, 4)), 0, 1e-20);
}

TEST(Nnls, AllNegativeGivesZero) {
  Problem p{Eigen::MatrixXd::Ones(5, 2), -Eigen::VectorXd::Ones(5), Eigen::VectorXd::Ones(5)};
  p.phi(0, 1) = 2;
  const NnlsResult s = solve(p);
  EXPECT_EQ(s.c[0], 0);
  EXPECT_EQ(s.c[1], 0);
  EXPECT_EQ(s.objective, 0);
}
