// The host's 4-point lanes (lanes.hpp, lane_linearize.hpp): exp and log against libm, lane Jets
// against scalar Jets for every law evaluated on lanes, the lane pass against the scalar pass,
// and the two lane layouts (Lanes4 for AVX2, Lanes4P for baseline x86-64) bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "unit_lanes_laws.hpp"

using namespace shannonfit;
using namespace shannonfit::lanes_test;

// The typed suite of unit_lanes_laws.hpp runs in unit_lanes_laws_<k>.cpp, not here.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(LawOnLanes);

namespace {

std::int64_t ulps_apart(double a, double b) {
  std::int64_t x, y;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  if ((x < 0) != (y < 0)) return a == b ? 0 : std::numeric_limits<std::int64_t>::max();
  return x > y ? x - y : y - x;
}

// Applies f to the 4 arguments in both layouts; both must give the same bits.
template <class F>
void on_lanes(const double (&x)[4], double (&y)[4], F f) {
  const Lanes4 a = f(Lanes4::load(x));
  const Lanes4P b = f(Lanes4P::load(x));
  for (int l = 0; l < 4; ++l) {
    y[l] = a.lane(l);
    EXPECT_TRUE(same_bits(a.lane(l), b.lane(l))) << x[l];
  }
}

// Largest distance in ulps from libm over n arguments drawn by draw().
template <class Draw, class Lib, class Ours>
std::int64_t worst_ulps(int n, Draw draw, Lib lib, Ours ours) {
  std::int64_t worst = 0;
  for (int i = 0; i < n; i += 4) {
    double x[4], y[4];
    for (double& v : x) v = draw();
    on_lanes(x, y, ours);
    for (int l = 0; l < 4; ++l) {
      const std::int64_t d = ulps_apart(y[l], lib(x[l]));
      if (d > worst) worst = d;
    }
  }
  return worst;
}

const auto lane_exp = [](auto v) { return exp(v); };
const auto lane_log = [](auto v) { return log(v); };
double libm_exp(double x) { return std::exp(x); }
double libm_log(double x) { return std::log(x); }

TEST(LaneMath, ExpWithinOneUlpOfLibm) {
  std::mt19937_64 rng(1);
  for (const double range : {707.9, 20.0, 1.0, 0.35, 1e-8}) {
    std::uniform_real_distribution<double> u(-range, range);
    EXPECT_LE(worst_ulps(400000, [&] { return u(rng); }, libm_exp, lane_exp), 1) << range;
  }
}

TEST(LaneMath, LogWithinOneUlpOfLibm) {
  std::mt19937_64 rng(2);
  // Over every binade of the normal doubles, and densely around 1 where log is near zero.
  std::uniform_real_distribution<double> binade(-1021.9, 1023.9);
  EXPECT_LE(worst_ulps(400000, [&] { return std::exp2(binade(rng)); }, libm_log, lane_log), 1);
  std::uniform_real_distribution<double> near_one(0.5, 2.0);
  EXPECT_LE(worst_ulps(400000, [&] { return near_one(rng); }, libm_log, lane_log), 1);
  std::uniform_real_distribution<double> tiny(-1e-6, 1e-6);
  EXPECT_LE(worst_ulps(400000, [&] { return 1.0 + tiny(rng); }, libm_log, lane_log), 1);
}

// Arguments past the polynomial's range are libm's, exactly, beside ordinary ones.
TEST(LaneMath, SpecialArgumentsAreLibms) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double exp_args[][4] = {{708.5, -0.5, -745.5, 1.0},
                                {inf, -inf, nan, 0.0},
                                {-708.2, 709.78, -1e308, 1e308}};
  for (const auto& x : exp_args) {
    double y[4];
    on_lanes(x, y, lane_exp);
    for (int l = 0; l < 4; ++l) {
      if (std::isnan(x[l]))
        EXPECT_TRUE(std::isnan(y[l]));
      else
        EXPECT_LE(ulps_apart(y[l], std::exp(x[l])), x[l] > -708 && x[l] < 708 ? 1 : 0) << x[l];
    }
  }
  const double log_args[][4] = {{0.0, -1.0, 2.0, 1e-310},
                                {inf, nan, -inf, 1.0},
                                {std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::min(), -0.0, 4.9e-324}};
  for (const auto& x : log_args) {
    double y[4];
    on_lanes(x, y, lane_log);
    for (int l = 0; l < 4; ++l) {
      if (std::isnan(std::log(x[l])))
        EXPECT_TRUE(std::isnan(y[l])) << x[l];
      else
        EXPECT_LE(ulps_apart(y[l], std::log(x[l])), 1) << x[l];
    }
  }
}

// A law that declares kPointLanes = false keeps the scalar pass.
struct ScalarOnly : laws::ShannonSimple {
  static constexpr bool kPointLanes = false;
};
static_assert(!PointLanes<ScalarOnly>::value);

// log_log1p_exp's four branches (|s| beyond 20, either sign) and their edges, on lanes: each
// lane's value and derivative is its scalar branch's up to the lane exp/log's last bit, and the
// lanes that skip log1p stay finite whatever their neighbours take.
TEST(LaneHelpers, LogLog1pExpMatchesEachScalarBranch) {
  using laws::shannon_detail::log_log1p_exp;
  std::vector<double> s = {-20.0, 20.0, 0.0, -0.0, std::nextafter(20.0, 30.0),
                           std::nextafter(-20.0, -30.0), 1e-300, -1e-300, -700.0, 700.0,
                           -745.0, 1e-9, -1e-9, 19.999, -19.999, 40.0};
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(-45.0, 45.0);
  while (s.size() < 4000) s.push_back(u(rng));
  double worst = 0;
  for (std::size_t i = 0; i < s.size(); i += 4) {
    Jet<Lanes4, 1> a;
    Jet<Lanes4P, 1> b;
    for (int l = 0; l < 4; ++l) {
      a.a.v[l] = s[i + l];
      a.v[0].v[l] = 1.0 + 0.25 * l;
    }
    b.a = Lanes4P::load(&s[i]);
    const double dv[4] = {1.0, 1.25, 1.5, 1.75};
    b.v[0] = Lanes4P::load(dv);
    const auto fa = log_log1p_exp(a);
    const auto fb = log_log1p_exp(b);
    for (int l = 0; l < 4; ++l) {
      Jet<double, 1> x(s[i + l]);
      x.v[0] = dv[l];
      const Jet<double, 1> f = log_log1p_exp(x);
      ASSERT_TRUE(std::isfinite(f.a) && std::isfinite(f.v[0])) << s[i + l];
      EXPECT_TRUE(same_bits(fa.a.lane(l), fb.a.lane(l))) << s[i + l];
      EXPECT_TRUE(same_bits(fa.v[0].lane(l), fb.v[0].lane(l))) << s[i + l];
      worst = std::max(worst, std::abs(fa.a.lane(l) - f.a) / std::max(1.0, std::abs(f.a)));
      worst = std::max(worst, std::abs(fa.v[0].lane(l) - f.v[0]) /
                                  std::max(1.0, std::abs(f.v[0])));
    }
  }
  EXPECT_LE(worst, 1e-14);
}

// ---- the lane pass -----------------------------------------------------------------------------

// The lane pass sums the same terms in another order: objective, gradient, J^T W J and the
// quadratic zone agree with the scalar pass, for each loss and curvature.
TEST(LaneLinearize, AgreesWithTheScalarPass) {
  using Law = laws::Chinchilla;
  constexpr int P = 5, H = packed_size<P>();
  const Problem pr = chinchilla_problem();
  const double p[P] = {6.0, 7.5, 0.6, 0.33, 0.37};
  for (const LossKind loss : {LossKind::L2, LossKind::Huber}) {
    auto o = options_for<P>(Law::info(), loss);
    o.huber_delta = 0.02;  // about half of the 37 points in the quadratic zone
    for (const auto curvature :
         {detail::Curvature::Irls, detail::Curvature::Exact, detail::Curvature::Plain}) {
      double g0[P], h0[H], g1[P], h1[H], rss0, rss1;
      detail::QuadraticZone z0, z1;
      const double c0 = detail::linearize<Law, HostSolve::kLinearizeBlock>(
          Law{}, p, pr.view(), pr.weight.data(), o, curvature, g0, h0, &rss0, &z0);
      const double c1 = HostLaneSolve<Lanes4>::linearize<Law>(Law{}, p, pr.view(), pr.weight.data(),
                                                              o, curvature, g1, h1, &rss1, &z1);
      EXPECT_NEAR(c1, c0, 1e-13 * c0);
      EXPECT_NEAR(rss1, rss0, 1e-13 * rss0);
      EXPECT_EQ(z1.points, z0.points);
      EXPECT_EQ(z1.members, z0.members);
      if (loss == LossKind::Huber) EXPECT_GT(z0.points, 5);
      double gmax = 0, hmax = 0;
      for (double v : g0) gmax = std::max(gmax, std::abs(v));
      for (double v : h0) hmax = std::max(hmax, std::abs(v));
      for (int k = 0; k < P; ++k) EXPECT_NEAR(g1[k], g0[k], 1e-12 * gmax) << k;
      for (int k = 0; k < H; ++k) EXPECT_NEAR(h1[k], h0[k], 1e-12 * hmax) << k;
    }
  }
}

// Laws without kPointLanes take the scalar pass under the lane policy: the same bits.
TEST(LaneLinearize, OtherLawsKeepTheScalarPass) {
  using Law = ScalarOnly;
  constexpr int P = Law::kParams, H = packed_size<P>();
  const Problem pr = chinchilla_problem();
  const auto o = options_for<P>(Law::info(), LossKind::Huber);
  double p[P];
  for (int k = 0; k < P; ++k) p[k] = Law::info().params[k].fixed_value;
  double g0[P], h0[H], g1[P], h1[H];
  const double c0 = detail::linearize<Law, HostSolve::kLinearizeBlock>(
      Law{}, p, pr.view(), pr.weight.data(), o, detail::Curvature::Irls, g0, h0,
      static_cast<double*>(nullptr));
  const double c1 = HostLaneSolve<Lanes4>::linearize<Law>(
      Law{}, p, pr.view(), pr.weight.data(), o, detail::Curvature::Irls, g1, h1,
      static_cast<double*>(nullptr), nullptr);
  EXPECT_TRUE(same_bits(c0, c1));
  for (int k = 0; k < P; ++k) EXPECT_TRUE(same_bits(g0[k], g1[k])) << k;
  for (int k = 0; k < H; ++k) EXPECT_TRUE(same_bits(h0[k], h1[k])) << k;
}

}  // namespace
