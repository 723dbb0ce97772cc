// The packed Cholesky factor and solve the LM step is computed with.
#include <gtest/gtest.h>

#include <cmath>

#include "shannonfit/small_linalg.hpp"

using namespace shannonfit;

namespace {

constexpr int P = 4;
constexpr int H = packed_size<P>();

// A = M Mᵀ + I for a fixed M: symmetric positive definite, with off-diagonals of both signs.
void spd_matrix(double (&dense)[P][P], double (&packed)[H]) {
  const double m[P][P] = {{2, -1, 0.5, 3}, {1, 4, -2, 0}, {0, 1.5, 1, -1}, {-3, 2, 0, 5}};
  for (int i = 0; i < P; ++i)
    for (int j = 0; j < P; ++j) {
      double s = i == j ? 1.0 : 0.0;
      for (int k = 0; k < P; ++k) s += m[i][k] * m[j][k];
      dense[i][j] = s;
    }
  for (int i = 0; i < P; ++i)
    for (int j = i; j < P; ++j) packed[packed_index<P>(i, j)] = dense[i][j];
}

}  // namespace

TEST(PackedIndex, CoversTheUpperTriangleOnceAndIsSymmetric) {
  bool seen[H] = {};
  for (int i = 0; i < P; ++i)
    for (int j = i; j < P; ++j) {
      const int k = packed_index<P>(i, j);
      ASSERT_GE(k, 0);
      ASSERT_LT(k, H);
      EXPECT_FALSE(seen[k]) << i << "," << j;
      seen[k] = true;
      EXPECT_EQ(k, packed_index<P>(j, i));
    }
}

TEST(CholeskyPacked, FactorReproducesTheMatrixAndSolves) {
  double a[P][P], l[H];
  spd_matrix(a, l);
  ASSERT_TRUE((cholesky_packed<double, P>(l)));
  // L(i, k) with i >= k sits at packed_index(k, i); L Lᵀ must give back A.
  for (int i = 0; i < P; ++i)
    for (int j = 0; j <= i; ++j) {
      double s = 0;
      for (int k = 0; k <= j; ++k) s += l[packed_index<P>(k, i)] * l[packed_index<P>(k, j)];
      EXPECT_NEAR(s, a[i][j], 1e-12 * a[i][i]) << i << "," << j;
    }
  const double b[P] = {1, -2, 0.25, 7};
  double x[P] = {b[0], b[1], b[2], b[3]};
  cholesky_solve_packed<double, P>(l, x);
  for (int i = 0; i < P; ++i) {
    double ax = 0;
    for (int j = 0; j < P; ++j) ax += a[i][j] * x[j];
    EXPECT_NEAR(ax, b[i], 1e-12) << i;
  }
}

TEST(CholeskyPacked, RefusesAMatrixThatIsNotPositiveDefinite) {
  double a[P][P], l[H];
  spd_matrix(a, l);
  // Shrinking the last diagonal below its Schur complement leaves a non-positive pivot.
  l[packed_index<P>(P - 1, P - 1)] = 1e-3;
  EXPECT_FALSE((cholesky_packed<double, P>(l)));
  double nan_pivot[H];
  spd_matrix(a, nan_pivot);
  nan_pivot[0] = std::nan("");
  EXPECT_FALSE((cholesky_packed<double, P>(nan_pivot)));
}
