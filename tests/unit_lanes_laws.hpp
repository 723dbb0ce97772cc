#pragma once
// What the lane tests share: the problem they fit, and the typed suite that runs on every law
// evaluated on lanes, instantiated in two programs (unit_lanes_laws_<k>.cpp) over alternate laws
// of SF_FOR_EACH_LAW, so that the laws' solvers compile in parallel and a new law is tested
// without being named here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <type_traits>
#include <vector>

#include "cpu/batch_cpu.hpp"
#include "shannonfit/lane_linearize.hpp"
#include "shannonfit/laws/all.hpp"

namespace shannonfit::lanes_test {

inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Perturbation strengths for the laws that read x: clean points (x = 0, where the laws'
// discarded side takes log 0) beside quantization and noise levels.
constexpr double kStrengths[] = {0.0, 0.0625, 0.0, 0.00390625, 0.02, 0.3, 0.0, 0.125};
inline bool reads_x(const LawInfo& info) { return info.needs == Needs::Perturbation; }

struct Problem {
  std::vector<double> ln_n, ln_d, x, target, weight;
  PointsView<double> view(bool with_x = false) const {
    return {ln_n.data(), ln_d.data(), with_x ? x.data() : nullptr, target.data(),
            static_cast<int>(target.size())};
  }
};

// Chinchilla-like points (the Epoch fit's parameters, 2% noise), 37 of them so the last group of
// lanes is partly empty, and integer weights with zeros, as a bootstrap resample gives.
inline Problem chinchilla_problem() {
  Problem pr;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> ln_n(std::log(7e7), std::log(1.6e10));
  std::uniform_real_distribution<double> ln_tpp(0.0, std::log(100.0));
  std::normal_distribution<double> noise(0.0, 0.02);
  const double truth[5] = {std::log(482.0), std::log(2085.0), std::log(1.82), 0.3478, 0.3658};
  for (int i = 0; i < 37; ++i) {
    const double n = ln_n(rng), d = n + ln_tpp(rng);
    pr.ln_n.push_back(n);
    pr.ln_d.push_back(d);
    pr.x.push_back(kStrengths[i % 8]);
    pr.target.push_back(laws::Chinchilla::log_loss<double>(truth, n, d, 0.0) +
                        0.5 * pr.x.back() + noise(rng));
    pr.weight.push_back(static_cast<double>(i % 5 == 2 ? 0 : 1 + i % 3));
  }
  return pr;
}

template <int P>
inline SolverOptions<double, P> options_for(const LawInfo& info, LossKind loss) {
  SolverOptions<double, P> o;
  o.loss = loss;
  for (int k = 0; k < P; ++k) {
    o.lo[k] = info.params[k].lo;
    o.hi[k] = info.params[k].hi;
  }
  return o;
}

template <int P>
inline bool identical(const FitState<double, P>& a, const FitState<double, P>& b) {
  bool same = same_bits(a.cost, b.cost) && same_bits(a.rss, b.rss) &&
              a.iterations == b.iterations && a.status == b.status;
  for (int k = 0; k < P; ++k) same = same && same_bits(a.params[k], b.params[k]);
  for (int k = 0; k < packed_size<P>(); ++k) same = same && same_bits(a.normal[k], b.normal[k]);
  return same;
}

// Whole fits: the AVX2 layout, the baseline layout and the CPU backend's dispatch (which takes
// the AVX2 copy on a CPU that has it) give the same bits, for each lane law, L2 and Huber.
template <class Law>
void expect_identical_fits(LossKind loss) {
  constexpr int P = Law::kParams;
  const Problem pr = chinchilla_problem();
  const auto o = options_for<P>(Law::info(), loss);
  const auto d = pr.view(reads_x(Law::info()));
  const std::vector<double> grid = start_grid(Law::info());
  for (std::size_t s = 0; s < grid.size(); s += P * (grid.size() / P / 7 + 1)) {
    const double* start = grid.data() + s;
    const double* w = pr.weight.data();
    const auto a = fit_one<Law, double, HostLaneSolve<Lanes4>>(d, w, start, o);
    const auto b = fit_one<Law, double, HostLaneSolve<Lanes4P>>(d, w, start, o);
    const auto c = cpu::fit_one_cpu<Law>(Law{}, d, w, start, o);
    EXPECT_TRUE(identical(a, b)) << Law::info().name << " start " << s / P;
    EXPECT_TRUE(identical(a, c)) << Law::info().name << " start " << s / P;
  }
}

template <class Law>
class LawOnLanes : public ::testing::Test {};
TYPED_TEST_SUITE_P(LawOnLanes);

// Random parameters inside each law's box and random points: a lane's value and derivatives are
// the scalar Jet's up to the lane exp/log's last bit.
TYPED_TEST_P(LawOnLanes, LaneJetMatchesScalarJet) {
  using Law = TypeParam;
  constexpr int P = Law::kParams;
  static_assert(PointLanes<Law>::value);
  const LawInfo info = Law::info();
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> ln_n(std::log(1e7), std::log(1e11));
  std::uniform_real_distribution<double> ln_d(std::log(1e8), std::log(1e13));
  double worst = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    double p[P];
    for (int k = 0; k < P; ++k) {
      // Within the box, away from bounds where a law may be singular (e.g. kaplan's α_D = 0).
      const double lo = info.params[k].lo, hi = info.params[k].hi;
      p[k] = std::uniform_real_distribution<double>(lo + 0.05 * (hi - lo),
                                                    lo + 0.5 * (hi - lo))(rng);
    }
    double xn[4], xd[4], xx[4];
    for (int l = 0; l < 4; ++l) {
      xn[l] = ln_n(rng);
      xd[l] = ln_d(rng);
      xx[l] = reads_x(info) ? kStrengths[(trial + 3 * l) % 8] : 0.0;
    }
    Jet<Lanes4, P> pl[P];
    for (int k = 0; k < P; ++k) pl[k] = Jet<Lanes4, P>::variable(Lanes4(p[k]), k);
    const Jet<Lanes4, P> f = Law::template log_loss<Jet<Lanes4, P>>(
        pl, Lanes4::load(xn), Lanes4::load(xd), Lanes4::load(xx));
    for (int l = 0; l < 4; ++l) {
      Jet<double, P> ps[P];
      for (int k = 0; k < P; ++k) ps[k] = Jet<double, P>::variable(p[k], k);
      const Jet<double, P> s = Law::template log_loss<Jet<double, P>>(ps, xn[l], xd[l], xx[l]);
      ASSERT_TRUE(std::isfinite(s.a));
      // Relative to the largest term, as the Jacobian row enters J^T W J.
      double scale = std::abs(s.a);
      for (int k = 0; k < P; ++k) scale = std::max(scale, std::abs(s.v[k]));
      worst = std::max(worst, std::abs(f.a.lane(l) - s.a) / scale);
      for (int k = 0; k < P; ++k)
        worst = std::max(worst, std::abs(f.v[k].lane(l) - s.v[k]) / scale);
    }
  }
  EXPECT_LE(worst, 1e-13);
}

TYPED_TEST_P(LawOnLanes, BothLayoutsAndTheBackendGiveIdenticalFits) {
  expect_identical_fits<TypeParam>(LossKind::L2);
  expect_identical_fits<TypeParam>(LossKind::Huber);
}

// The lane fit reaches the scalar fit's optimum on the same problem.
TYPED_TEST_P(LawOnLanes, ReachesTheScalarOptimum) {
  using Law = TypeParam;
  constexpr int P = Law::kParams;
  const Problem pr = chinchilla_problem();
  const auto o = options_for<P>(Law::info(), LossKind::Huber);
  const auto d = pr.view(reads_x(Law::info()));
  const std::vector<double> grid = start_grid(Law::info());
  double best_scalar = 1e300, best_lanes = 1e300;
  for (std::size_t s = 0; s < grid.size(); s += P * (grid.size() / P / 16 + 1)) {
    const double* w = pr.weight.data();
    const auto a = fit_one<Law, double, HostSolve>(d, w, grid.data() + s, o);
    const auto b = fit_one<Law, double, HostLaneSolve<Lanes4P>>(d, w, grid.data() + s, o);
    if (converged(a.status)) best_scalar = std::min(best_scalar, a.cost);
    if (converged(b.status)) best_lanes = std::min(best_lanes, b.cost);
  }
  ASSERT_LT(best_scalar, 1e300);
  EXPECT_NEAR(best_lanes, best_scalar, 1e-10 * best_scalar);
}

REGISTER_TYPED_TEST_SUITE_P(LawOnLanes, LaneJetMatchesScalarJet,
                            BothLayoutsAndTheBackendGiveIdenticalFits, ReachesTheScalarOptimum);

// The laws of SF_FOR_EACH_LAW at positions Half, Half + 2, ... that are evaluated on lanes, as
// gtest Types. SF_FOR_EACH_LAW expands to "A, B, ..., void" below; the void ends the list.
template <class... Ts>
struct LawList {};
template <int Half, int Index, class Acc, class... Rest>
struct AlternateLaws;
template <int Half, int Index, class... Acc>
struct AlternateLaws<Half, Index, LawList<Acc...>, void> {
  using type = ::testing::Types<Acc...>;
};
template <int Half, int Index, class... Acc, class Law, class... Rest>
struct AlternateLaws<Half, Index, LawList<Acc...>, Law, Rest...> {
  using type = typename std::conditional_t<
      Index % 2 == Half && PointLanes<Law>::value,
      AlternateLaws<Half, Index + 1, LawList<Acc..., Law>, Rest...>,
      AlternateLaws<Half, Index + 1, LawList<Acc...>, Rest...>>::type;
};
#define SF_LANES_TEST_TYPE_COMMA(Law) Law,
template <int Half>
using LaneLaws =
    typename AlternateLaws<Half, 0, LawList<>, SF_FOR_EACH_LAW(SF_LANES_TEST_TYPE_COMMA) void>::type;
#undef SF_LANES_TEST_TYPE_COMMA

}  // namespace shannonfit::lanes_test
