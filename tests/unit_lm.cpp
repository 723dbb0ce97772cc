// The per-fit LM solver: box bounds, every status, the Huber optimum, and point weights.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "cpu/batch_cpu.hpp"
#include "shannonfit/lm.hpp"
#include "support/fit_agreement.hpp"
#include "support/law_testing.hpp"

using namespace shannonfit;
namespace lt = shannonfit::lawtest;

// Test-only laws live inside namespace shannonfit, like the shipped ones, so their unqualified
// log/sqrt resolve to shannonfit's overloads for doubles and Jets.
namespace shannonfit::lmtest {
// ln L̂ = p0 · ln N: one parameter, linear in it, so its Huber objective is convex and a
// bracketing search finds the exact optimum to compare with.
struct Slope {
  static constexpr int kParams = 1;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S, S) { return p[0] * ln_n; }
};

// ln L̂ = ln(p0) + p1 · ln N: NaN for p0 < 0.
struct LogIntercept {
  static constexpr int kParams = 2;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S, S) { return log(p[0]) + p[1] * ln_n; }
};

// ln L̂ = √p0 · ln N: finite at p0 = 0, with an infinite derivative there.
struct SqrtSlope {
  static constexpr int kParams = 1;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S, S) { return sqrt(p[0]) * ln_n; }
};

// ln L̂ = p0 · ln N + p1 · ln D: with inputs near 1e160 the gradient is finite but J^T J overflows.
struct TwoSlopes {
  static constexpr int kParams = 2;
  template <class T, class S>
  SF_HD static T log_loss(const T* p, S ln_n, S ln_d, S) { return p[0] * ln_n + p[1] * ln_d; }
};

}  // namespace shannonfit::lmtest
using shannonfit::lmtest::LogIntercept;
using shannonfit::lmtest::Slope;
using shannonfit::lmtest::SqrtSlope;
using shannonfit::lmtest::TwoSlopes;

namespace {

struct Points {
  std::vector<double> ln_n, ln_d, target;
  PointsView<double> view() const {
    return {ln_n.data(), ln_d.data(), nullptr, target.data(), static_cast<int>(target.size())};
  }
};

template <int P>
SolverOptions<double, P> unbounded() {
  SolverOptions<double, P> o;
  for (int k = 0; k < P; ++k) {
    o.lo[k] = -1e30;
    o.hi[k] = 1e30;
  }
  return o;
}

double huber(double r, double delta) {
  const double a = std::abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

// Chinchilla data with 0.1% noise on the default synthetic design, and the truth behind it.
struct Noisy {
  Dataset data;
  std::vector<double> truth;
};
Noisy noisy_chinchilla(unsigned seed) {
  using Law = laws::Chinchilla;
  const synth::Design design = synth::make_design(Law::info());
  std::mt19937_64 rng(seed);
  const lt::Truth t = lt::draw_truth<Law>(design, rng);
  return {synth::synthesize<Law>(t.params, design, 0.001, rng), t.params};
}

// ---- bounds ------------------------------------------------------------------------------------

// With an upper bound on α 0.05 below the unconstrained optimum, the bounded optimum must sit
// exactly on the bound and equal the fit with α pinned there (lo = hi): the KKT point of the box
// problem.
TEST(LmBounds, ActiveBoundIsHitExactlyAndMatchesThePinnedFit) {
  const Noisy noisy = noisy_chinchilla(3);
  const LawEntry& law = find_law("chinchilla");
  const PreparedPoints pts = prepare_points(noisy.data, Space::Log);
  SolverOptions<double, 5> o = solver_options<5>(law.info, FitOptions{});
  const double* start = noisy.truth.data();  // α starts outside the new box: it is clamped
  const auto free_fit = fit_one<laws::Chinchilla, double>(pts.view(), nullptr, start, o);
  ASSERT_TRUE(converged(free_fit.status));
  const double bound = free_fit.params[3] - 0.05;
  o.hi[3] = bound;
  const auto bounded = fit_one<laws::Chinchilla, double>(pts.view(), nullptr, start, o);
  ASSERT_TRUE(converged(bounded.status)) << to_string(bounded.status);
  EXPECT_EQ(bounded.params[3], bound);
  for (int k = 0; k < 5; ++k) {
    EXPECT_GE(bounded.params[k], o.lo[k]);
    EXPECT_LE(bounded.params[k], o.hi[k]);
  }
  EXPECT_GT(bounded.cost, free_fit.cost);
  o.lo[3] = bound;
  const auto pinned = fit_one<laws::Chinchilla, double>(pts.view(), nullptr, start, o);
  ASSERT_TRUE(converged(pinned.status));
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(bounded.params[k], pinned.params[k], 1e-7) << k;
  EXPECT_NEAR(bounded.cost, pinned.cost, 1e-10 * pinned.cost);
}

TEST(LmBounds, EveryStartOfTheGridEndsInsideTheBox) {
  const Dataset data = noisy_chinchilla(4).data;
  const LawEntry& law = find_law("chinchilla");
  FitOptions f;
  BatchRequest req;
  req.data = &data;
  req.starts = lt::reduced_grid(law.info, 3);
  req.keep_all_starts = true;
  req.threads = 1;
  for (const FitResult& r : law.batch(BackendKind::Cpu)(law, req))
    for (int k = 0; k < 5; ++k) {
      EXPECT_GE(r.params[k], law.info.params[k].lo);
      EXPECT_LE(r.params[k], law.info.params[k].hi);
    }
}

// ---- statuses ----------------------------------------------------------------------------------

TEST(LmStatus, MaxIterationsWhenTheCapIsTooSmall) {
  const Dataset data = noisy_chinchilla(5).data;
  const LawEntry& law = find_law("chinchilla");
  const PreparedPoints pts = prepare_points(data, Space::Log);
  SolverOptions<double, 5> o = solver_options<5>(law.info, FitOptions{});
  o.max_iterations = 2;
  const double start[5] = {0, 25, -1, 2, 0};
  const auto st = fit_one<laws::Chinchilla, double>(pts.view(), nullptr, start, o);
  EXPECT_EQ(st.status, FitStatus::MaxIterations);
  EXPECT_EQ(st.iterations, 2);
  EXPECT_FALSE(converged(st.status));
}

TEST(LmStatus, NonFiniteAtTheStart) {
  const Points pts{{1, 2, 3}, {0, 0, 0}, {0.5, 1.0, 1.5}};
  const double start[2] = {-1, 0.5};  // ln(-1)
  const auto st = fit_one<LogIntercept, double>(pts.view(), nullptr, start, unbounded<2>());
  EXPECT_EQ(st.status, FitStatus::NonFinite);
  EXPECT_EQ(st.iterations, 0);
}

TEST(LmStatus, NonFiniteWhenAStepReachesAPointWithoutDerivatives) {
  // The data pull √p0 below zero; the projected step lands on the bound p0 = 0, where the cost is
  // finite (and lower) but d√p0/dp0 is infinite. Reporting convergence there would be a lie.
  const Points pts{{1, 2, 3}, {0, 0, 0}, {-0.01, -0.02, -0.03}};
  SolverOptions<double, 1> o = unbounded<1>();
  o.lo[0] = 0;
  const double start[1] = {1};
  const auto st = fit_one<SqrtSlope, double>(pts.view(), nullptr, start, o);
  EXPECT_EQ(st.status, FitStatus::NonFinite);
  EXPECT_EQ(st.params[0], 0.0);
  EXPECT_GE(st.iterations, 1);
}

TEST(LmStatus, SingularWhenTheCurvatureOverflows) {
  // J has entries ±1e160: the gradient (1e160 · residual) is finite, J^T J (1e320) is not, and no
  // damping makes an Inf/NaN matrix factorisable.
  const Points pts{{1e160, 1e160}, {1e160, -1e160}, {1.0, 1.0}};
  SolverOptions<double, 2> o = unbounded<2>();
  o.grad_tol = 0;
  const double start[2] = {0, 0};
  const auto st = fit_one<TwoSlopes, double>(pts.view(), nullptr, start, o);
  EXPECT_EQ(st.status, FitStatus::Singular);
  EXPECT_FALSE(converged(st.status));
}

TEST(LmStatus, EachConvergenceTestCanEndAFit) {
  const Noisy noisy = noisy_chinchilla(6);
  const LawEntry& law = find_law("chinchilla");
  const PreparedPoints pts = prepare_points(noisy.data, Space::Log);
  const double* start = noisy.truth.data();
  SolverOptions<double, 5> o = solver_options<5>(law.info, FitOptions{});
  o.step_tol = 0;
  o.grad_tol = 0;
  o.cost_tol = 1e-6;
  EXPECT_EQ((fit_one<laws::Chinchilla, double>(pts.view(), nullptr, start, o).status),
            FitStatus::ConvergedCost);
  o.cost_tol = 0;
  o.step_tol = 1e-6;
  EXPECT_EQ((fit_one<laws::Chinchilla, double>(pts.view(), nullptr, start, o).status),
            FitStatus::ConvergedStep);
  o.step_tol = 0;
  o.grad_tol = 1e-6;
  EXPECT_EQ((fit_one<laws::Chinchilla, double>(pts.view(), nullptr, start, o).status),
            FitStatus::ConvergedGradient);
}

// ---- Huber -------------------------------------------------------------------------------------

// IRLS with exact Huber gradients must land on the Huber optimum, not on the least-squares one
// nor on a reweighting fixed point elsewhere. Brute force: the objective is convex in p0, so a
// ternary search to 1e-14 brackets the true minimiser (to ~1e-11: below that the objective
// differences drown in rounding).
TEST(LmHuber, ReachesTheBruteForceHuberOptimum) {
  Points pts;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> eps(0, 0.002);
  for (int i = 0; i < 40; ++i) {
    const double ln_n = 16 + 0.25 * i;
    pts.ln_n.push_back(ln_n);
    pts.ln_d.push_back(0);
    // Slope 0.07 plus noise, and every 7th point an outlier far outside δ.
    pts.target.push_back(0.07 * ln_n + eps(rng) + (i % 7 == 3 ? 0.3 : 0.0));
  }
  for (double delta : {1e-3, 1e-2}) {
    auto objective = [&](double p) {
      double s = 0;
      for (std::size_t i = 0; i < pts.target.size(); ++i)
        s += huber(p * pts.ln_n[i] - pts.target[i], delta);
      return s;
    };
    double lo = 0, hi = 0.2;
    while (hi - lo > 1e-14) {
      const double m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;
      (objective(m1) < objective(m2) ? hi : lo) = objective(m1) < objective(m2) ? m2 : m1;
    }
    const double brute = 0.5 * (lo + hi);
    SolverOptions<double, 1> o = unbounded<1>();
    o.loss = LossKind::Huber;
    o.huber_delta = delta;
    o.cost_tol = 0;  // stop on the step: the cost rule alone may stop ~1e-13 short
    const double start[1] = {0.2};
    const auto st = fit_one<Slope, double>(pts.view(), nullptr, start, o);
    ASSERT_TRUE(converged(st.status)) << to_string(st.status);
    EXPECT_NEAR(st.params[0], brute, 1e-10) << "delta " << delta;
    EXPECT_NEAR(st.cost, objective(brute), 1e-14 * objective(brute));
    // And it is not the least-squares answer, which the outliers pull away.
    o.loss = LossKind::L2;
    const auto l2 = fit_one<Slope, double>(pts.view(), nullptr, start, o);
    EXPECT_GT(std::abs(l2.params[0] - brute), 1e-4);
  }
}

// ---- weights -----------------------------------------------------------------------------------

Dataset repeat_rows(const Dataset& data, const std::vector<double>& counts) {
  Dataset out;
  out.source = data.source;
  for (std::size_t i = 0; i < data.size(); ++i)
    for (int c = 0; c < static_cast<int>(counts[i]); ++c) {
      out.n.push_back(data.n[i]);
      out.d.push_back(data.d[i]);
      out.loss.push_back(data.loss[i]);
      out.line.push_back(data.line[i]);
    }
  return out;
}

// Stopped on the step and gradient only: the cost rule (relative decrease < 1e-12) may stop
// ~1e-6 short along the flat a–α valley, which would mask what these tests compare.
FitResult fit_chinchilla(const Dataset& data, LossKind loss) {
  const LawEntry& law = find_law("chinchilla");
  FitOptions f;
  f.loss = loss;
  f.cost_tol = 0;
  return lt::fit_best(law.batch(BackendKind::Cpu), law, data, single_start(law.info), f);
}

TEST(LmWeights, IntegerWeightsEqualDuplicatedRows) {
  Dataset data = noisy_chinchilla(8).data;
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<int> count(0, 3);
  std::vector<double> counts(data.size());
  for (double& c : counts) c = count(rng);
  const Dataset repeated = repeat_rows(data, counts);
  data.weight = counts;
  for (LossKind loss : {LossKind::L2, LossKind::Huber}) {
    const FitResult weighted = fit_chinchilla(data, loss);
    const FitResult duplicated = fit_chinchilla(repeated, loss);
    ASSERT_TRUE(converged(weighted.status));
    ASSERT_TRUE(converged(duplicated.status));
    // Same objective up to summation order, so the same optimum to solver precision.
    EXPECT_NEAR(weighted.cost, duplicated.cost, 1e-9 * duplicated.cost);
    // (Under Huber the RSS is not stationary at the optimum, so it only follows the parameters.)
    if (loss == LossKind::L2) EXPECT_NEAR(weighted.rss, duplicated.rss, 1e-9 * duplicated.rss);
    // The fits stop on the step in the flat a–alpha valley, where the summation order moves
    // the stop: 2.0e-7 in a since the CPU sums the points in 4 lanes (lane_linearize.hpp).
    for (int k = 0; k < 5; ++k) EXPECT_NEAR(weighted.params[k], duplicated.params[k], 4e-7) << k;
  }
}

TEST(LmWeights, ZeroWeightsDropPointsExactly) {
  Dataset data = noisy_chinchilla(10).data;
  std::vector<double> keep(data.size(), 1.0);
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i % 4 == 1) {
      keep[i] = 0;
      data.loss[i] = 1e6;  // an absurd value the zero weight must hide completely
    } else {
      kept.push_back(i);
    }
  }
  const Dataset without = repeat_rows(data, keep);
  data.weight = keep;
  for (LossKind loss : {LossKind::L2, LossKind::Huber}) {
    const FitResult weighted = fit_chinchilla(data, loss);
    const FitResult dropped = fit_chinchilla(without, loss);
    ASSERT_TRUE(converged(weighted.status));
    // Zero-weight points are skipped, not multiplied by zero: the arithmetic is identical.
    EXPECT_EQ(weighted.cost, dropped.cost);
    EXPECT_EQ(weighted.iterations, dropped.iterations);
    for (int k = 0; k < 5; ++k) EXPECT_EQ(weighted.params[k], dropped.params[k]) << k;
  }
}

// ---- solver policies ---------------------------------------------------------------------------

// DeviceSolve, the CUDA kernel's policy, run here on the host: it factors J^T W J in place (8 and
// 9 parameters), reads the predicted reduction from the factor, and linearises a refused step's
// point again, and keeps the IRLS curvature for Huber where the host policy switches to the exact
// one, so the two take different paths to the same optimum. DeviceSolve must reach the fit of the
// CPU backend from the same start, judged as CPU and GPU fits are (tests/gpu_cuda_backend.cpp):
// every law, L2 and Huber, from starts 5% off noisy truths. The CPU side is the backend's own
// solver from the law's registry unit, so this program compiles only the device policy per law.
template <class Law>
class SolverPolicies : public ::testing::Test {};
TYPED_TEST_SUITE(SolverPolicies, lt::AllLaws, lt::LawName);

TYPED_TEST(SolverPolicies, DeviceSolveReachesTheHostFit) {
  using Law = TypeParam;
  const LawEntry& law = lt::entry<Law>();
  const synth::Design design = synth::make_design(law.info);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> nudge(-0.05, 0.05);
  constexpr lt::AgreementTolerances kSameFit{1e-9, 1e-6, 1e-4, 1e-4, 1e-8};
  int compared = 0;
  for (int problem = 0; problem < 4; ++problem) {
    const lt::Truth truth = lt::draw_truth<Law>(design, rng);
    const Dataset data = synth::synthesize<Law>(truth.params, design, 0.002, rng);
    std::vector<double> start = truth.params;
    for (double& v : start) v += nudge(rng) * std::max(std::abs(v), 0.1);
    for (LossKind loss : {LossKind::L2, LossKind::Huber}) {
      FitOptions options;
      options.loss = loss;
      const auto o = solver_options<Law::kParams>(law.info, options);
      const PreparedPoints pts = prepare_points(data, Space::Log);
      const FitResult host = lt::fit_best(law.batch(BackendKind::Cpu), law, data, start, options);
      const FitResult device = to_result<Law::kParams>(
          fit_one<Law, double, DeviceSolve>(pts.view(), nullptr, start.data(), o), 0);
      SCOPED_TRACE(::testing::Message() << law.info.name << " problem " << problem
                                        << (loss == LossKind::L2 ? " l2" : " huber"));
      EXPECT_EQ(converged(host.status), converged(device.status))
          << to_string(host.status) << " vs " << to_string(device.status);
      if (!converged(host.status)) continue;
      ++compared;
      EXPECT_TRUE(lt::fits_agree(law, data, Space::Log, nullptr, device, host, kSameFit));
    }
  }
  EXPECT_GE(compared, 6) << "too few converged fits to compare";
}

}  // namespace
