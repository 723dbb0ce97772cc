// The CUDA backend against the CPU backend, for every law of SF_FOR_EACH_LAW. Every test skips
// (it does not pass) when no CUDA device is visible or the build has no CUDA backend; run them
// with tools/gpu-check.sh on a machine with a GPU.
//
// Tolerances. Both backends run the same fit_one<Law, double> (the GPU with the DeviceSolve
// policy, whose path the CPU tests in unit_lm), but nvcc contracts a*b+c into FMAs and CUDA's
// exp/log differ from glibc's in the last bit, so a fit follows a slightly different path to the
// same optimum. Two fits are compared on what the data identify (tests/support/fit_agreement.hpp):
// costs to 1e-9 relative; fitted values to 1e-5 (at equal cost to 1e-9 the fitted values of two
// optima differ by at most sqrt(2e-9 cost), ~3e-6 at these costs); parameters to 1e-4 relative to
// max(1, |value|) (the solver stops at relative step 1e-10, and badly conditioned directions
// amplify that), except those in a direction whose scaled curvature is below 1e-6 of the
// largest, along which equal costs leave them free (on an H200, shannon-simple's ln a, ln c and
// ln d differed by 4.4 at weighting 1); J^T W J to 1e-4 of its largest entry. Among starts
// whose costs tie to 1e-9, either backend may pick a different one, so the start index is
// compared exactly only when the CPU's winner is separated from every other start by more.
// Within the CUDA backend (chunking, streams, keep_all_starts) results are bit-identical.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "cpu/column_quantiles.hpp"
#include "shannonfit/errors.hpp"
#include "support/fit_agreement.hpp"
#include "support/law_testing.hpp"
#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_backend.hpp"
#endif

using namespace shannonfit;

namespace {

constexpr double kCostTolerance = 1e-9;
constexpr double kParamTolerance = 1e-4;
constexpr lawtest::AgreementTolerances kSameFit{kCostTolerance, 1e-5, kParamTolerance,
                                                kParamTolerance, 1e-6};

#define SF_REQUIRE_DEVICE()                                                                   \
  do {                                                                                        \
    if (!cuda_available())                                                                    \
      GTEST_SKIP() << "no CUDA device visible (or built without CUDA): not checked here";     \
  } while (0)

// A law's synthetic dataset and R weightings: row 0 all ones, the others bootstrap counts.
struct Problem {
  Dataset data;
  std::vector<double> weights;
  int n_weightings = 0;
};

template <class Law>
Problem make_problem(unsigned seed, int n_weightings, int n_count = 6, int d_count = 6) {
  std::mt19937_64 rng(seed);
  const synth::Design g = synth::make_design(Law::info(), n_count, d_count);
  const lawtest::Truth truth = lawtest::draw_truth<Law>(g, rng);
  Problem p;
  p.data = synth::synthesize<Law>(truth.params, g, 0.01, rng);
  const std::size_t n = p.data.size();
  p.n_weightings = n_weightings;
  p.weights.assign(n * n_weightings, 0.0);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  for (std::size_t i = 0; i < n; ++i) p.weights[i] = 1.0;
  for (int w = 1; w < n_weightings; ++w)
    for (std::size_t j = 0; j < n; ++j) p.weights[w * n + pick(rng)] += 1.0;
  return p;
}

BatchRequest request(const Problem& p, const std::vector<double>& starts, bool keep_all) {
  BatchRequest req;
  req.data = &p.data;
  req.starts = starts;
  req.weights = p.weights.data();
  req.n_weightings = p.n_weightings;
  req.keep_all_starts = keep_all;
  return req;
}

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

// Bit equality, so that two NaN costs of failed fits compare equal.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

template <std::size_t N>
bool same_bits(const std::array<double, N>& a, const std::array<double, N>& b) {
  return std::memcmp(a.data(), b.data(), sizeof(double) * N) == 0;
}

// `weights`: the weighting's row (null: every point counts).
void expect_same_fit(const LawEntry& law, const Dataset& data, const double* weights,
                     const FitResult& gpu, const FitResult& cpu, const std::string& what) {
  EXPECT_EQ(converged(gpu.status), converged(cpu.status))
      << what << ": " << to_string(gpu.status) << " vs " << to_string(cpu.status);
  EXPECT_TRUE(lawtest::fits_agree(law, data, Space::Log, weights, gpu, cpu, kSameFit)) << what;
}

void expect_identical(const std::vector<FitResult>& a, const std::vector<FitResult>& b,
                      const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].best_start, b[i].best_start) << what << " row " << i;
    EXPECT_EQ(a[i].failed_starts, b[i].failed_starts) << what << " row " << i;
    EXPECT_EQ(a[i].status, b[i].status) << what << " row " << i;
    EXPECT_EQ(a[i].iterations, b[i].iterations) << what << " row " << i;
    EXPECT_TRUE(same_bits(a[i].cost, b[i].cost)) << what << " row " << i;
    EXPECT_TRUE(same_bits(a[i].rss, b[i].rss)) << what << " row " << i;
    EXPECT_TRUE(same_bits(a[i].params, b[i].params)) << what << " row " << i;
    EXPECT_TRUE(same_bits(a[i].normal, b[i].normal)) << what << " row " << i;
  }
}

}  // namespace

template <class Law>
class CudaBackend : public ::testing::Test {};
TYPED_TEST_SUITE(CudaBackend, lawtest::AllLaws, lawtest::LawName);

// The best start of each weighting: the same fit as the CPU's, chosen by the same rule.
TYPED_TEST(CudaBackend, SameBestStartAndParametersAsCpu) {
  SF_REQUIRE_DEVICE();
  const LawEntry& law = lawtest::entry<TypeParam>();
  const Problem p = make_problem<TypeParam>(11, 4);
  const std::vector<double> starts = lawtest::reduced_grid(law.info, 3);
  const long n_starts = static_cast<long>(starts.size()) / law.n_params;
  const auto cpu_all = law.batch(BackendKind::Cpu)(law, request(p, starts, true));
  const auto cpu = law.batch(BackendKind::Cpu)(law, request(p, starts, false));
  const auto gpu = law.batch(BackendKind::Cuda)(law, request(p, starts, false));
  ASSERT_EQ(gpu.size(), cpu.size());
  for (int w = 0; w < p.n_weightings; ++w) {
    const std::string what = law.info.name + " weighting " + std::to_string(w);
    const int b = gpu[w].best_start;
    ASSERT_GE(b, 0) << what;
    ASSERT_LT(b, n_starts) << what;
    // The GPU's choice is a start the CPU also rates best, to the cost tolerance...
    EXPECT_LE(relative(cpu_all[w * n_starts + b].cost, cpu[w].cost), kCostTolerance) << what;
    // ...and exactly the CPU's when no other start comes that close.
    bool separated = true;
    for (long s = 0; s < n_starts; ++s)
      if (s != cpu[w].best_start && std::isfinite(cpu_all[w * n_starts + s].cost) &&
          relative(cpu_all[w * n_starts + s].cost, cpu[w].cost) <= kCostTolerance)
        separated = false;
    if (separated) EXPECT_EQ(b, cpu[w].best_start) << what;
    expect_same_fit(law, p.data, p.weights.data() + w * p.data.size(), gpu[w],
                    cpu_all[w * n_starts + b], what);
  }
}

// The on-device selection against better_fit applied on the host to every start's result.
TYPED_TEST(CudaBackend, OnDeviceSelectionMatchesBetterFitOverAllStarts) {
  SF_REQUIRE_DEVICE();
  const LawEntry& law = lawtest::entry<TypeParam>();
  const Problem p = make_problem<TypeParam>(12, 5);
  const std::vector<double> starts = lawtest::reduced_grid(law.info, 3);
  const long n_starts = static_cast<long>(starts.size()) / law.n_params;
  const auto all = law.batch(BackendKind::Cuda)(law, request(p, starts, true));
  const auto best = law.batch(BackendKind::Cuda)(law, request(p, starts, false));
  ASSERT_EQ(all.size(), static_cast<std::size_t>(p.n_weightings * n_starts));
  for (int w = 0; w < p.n_weightings; ++w) {
    int winner = 0, failed = 0;
    for (long s = 0; s < n_starts; ++s) {
      const FitResult& r = all[w * n_starts + s];
      EXPECT_EQ(r.best_start, s);
      failed += r.failed_starts;
      if (better_fit(r, all[w * n_starts + winner])) winner = static_cast<int>(s);
    }
    EXPECT_EQ(best[w].best_start, winner) << "weighting " << w;
    EXPECT_EQ(best[w].failed_starts, failed) << "weighting " << w;
    FitResult expected = all[w * n_starts + winner];
    expected.failed_starts = failed;
    expect_identical({best[w]}, {expected}, law.info.name);
  }
}

// One start from the law's default, on data too large for shared memory (read from global),
// with per-weighting targets (the residual bootstrap's request) and the data's own weights.
TYPED_TEST(CudaBackend, GlobalMemoryPointsAndPerWeightingTargets) {
  SF_REQUIRE_DEVICE();
  const LawEntry& law = lawtest::entry<TypeParam>();
  Problem p = make_problem<TypeParam>(13, 3, 48, 48);
  const std::size_t n = p.data.size();
  ASSERT_GT(3 * n * sizeof(double), 48u * 1024) << "design too small to leave shared memory";
  p.data.weight.assign(n, 1.0);
  for (std::size_t i = 0; i < n; i += 3) p.data.weight[i] = 2.0;
  std::vector<double> targets(n * p.n_weightings);
  std::mt19937_64 rng(5);
  std::normal_distribution<double> eps(0.0, 0.01);
  for (int w = 0; w < p.n_weightings; ++w)
    for (std::size_t i = 0; i < n; ++i) targets[w * n + i] = std::log(p.data.loss[i]) + eps(rng);
  BatchRequest req = request(p, single_start(law.info), false);
  req.weights = nullptr;
  req.targets = targets.data();
  const auto cpu = law.batch(BackendKind::Cpu)(law, req);
#if SHANNONFIT_HAVE_CUDA
  cuda::RunStats stats;
  const auto gpu = cuda::fit_batch<TypeParam>(law, req, cuda::LaunchConfig{}, &stats);
  EXPECT_FALSE(stats.points_in_shared);
  ASSERT_EQ(gpu.size(), cpu.size());
  for (std::size_t w = 0; w < cpu.size(); ++w)
    expect_same_fit(law, p.data, nullptr, gpu[w], cpu[w],
                    law.info.name + " weighting " + std::to_string(w));
#endif
}

#if SHANNONFIT_HAVE_CUDA

// Chunk size and stream count change how the batch is scheduled, never a single number.
TYPED_TEST(CudaBackend, ResultsIndependentOfChunkingAndStreams) {
  SF_REQUIRE_DEVICE();
  const LawEntry& law = lawtest::entry<TypeParam>();
  const Problem p = make_problem<TypeParam>(14, 23);
  const std::vector<double> starts = lawtest::reduced_grid(law.info, 2);
  for (bool keep_all : {false, true}) {
    const BatchRequest req = request(p, starts, keep_all);
    cuda::RunStats one_chunk;
    const auto reference = cuda::fit_batch<TypeParam>(law, req, {}, &one_chunk);
    EXPECT_TRUE(one_chunk.points_in_shared);
    for (const auto& [per_chunk, streams] :
         std::vector<std::pair<long, int>>{{1, 1}, {5, 2}, {7, 3}, {22, 2}}) {
      cuda::LaunchConfig config;
      config.max_weightings_per_chunk = per_chunk;
      config.streams = streams;
      cuda::RunStats stats;
      const auto got = cuda::fit_batch<TypeParam>(law, req, config, &stats);
      EXPECT_EQ(stats.weightings_per_chunk, per_chunk);
      EXPECT_EQ(stats.chunks, (p.n_weightings + per_chunk - 1) / per_chunk);
      expect_identical(got, reference,
                       law.info.name + " chunk " + std::to_string(per_chunk) + " streams " +
                           std::to_string(streams) + (keep_all ? " keep-all" : ""));
    }
  }
}

// A cancelled request launches no chunk and leaves every weighting unfitted, as the CPU backend
// leaves the fits it had not begun (best_start = -1), so callers detect the stop the same way.
TYPED_TEST(CudaBackend, ACancelledBatchLaunchesNoChunk) {
  SF_REQUIRE_DEVICE();
  const LawEntry& law = lawtest::entry<TypeParam>();
  const Problem p = make_problem<TypeParam>(16, 5);
  BatchRequest req = request(p, lawtest::reduced_grid(law.info, 2), false);
  const std::atomic<bool> cancelled{true};
  req.cancel = &cancelled;
  cuda::LaunchConfig per_weighting;
  per_weighting.max_weightings_per_chunk = 1;
  cuda::RunStats stats;
  const auto got = cuda::fit_batch<TypeParam>(law, req, per_weighting, &stats);
  EXPECT_EQ(stats.chunks, 0);
  ASSERT_EQ(got.size(), 5u);
  for (const auto& r : got) EXPECT_EQ(r.best_start, -1) << law.info.name;
}

// A memory budget bounds what the batch allocates, however many weightings it has.
TYPED_TEST(CudaBackend, DeviceMemoryStaysWithinBudget) {
  SF_REQUIRE_DEVICE();
  const LawEntry& law = lawtest::entry<TypeParam>();
  const Problem p = make_problem<TypeParam>(15, 40);
  const BatchRequest req = request(p, lawtest::reduced_grid(law.info, 2), false);
  cuda::LaunchConfig minimal;
  minimal.max_weightings_per_chunk = 1;
  cuda::RunStats one;
  const auto reference = cuda::fit_batch<TypeParam>(law, req, minimal, &one);

  cuda::LaunchConfig bounded;
  bounded.device_memory_budget = 3 * one.device_bytes;
  cuda::RunStats stats;
  const auto got = cuda::fit_batch<TypeParam>(law, req, bounded, &stats);
  EXPECT_LE(stats.device_bytes, bounded.device_memory_budget);
  EXPECT_GT(stats.chunks, 1);
  expect_identical(got, reference, law.info.name + " bounded");

  cuda::LaunchConfig too_small;
  too_small.device_memory_budget = one.device_bytes - 1;
  EXPECT_THROW(cuda::fit_batch<TypeParam>(law, req, too_small), FitError);
}

TEST(CudaQuantiles, BitIdenticalToTheHostPath) {
  SF_REQUIRE_DEVICE();
  std::mt19937_64 rng(3);
  std::normal_distribution<double> value(0.0, 1.0);
  for (const auto& [rows, cols] :
       std::vector<std::pair<long, int>>{{1, 1}, {2, 3}, {1000, 5}, {4097, 10}}) {
    std::vector<double> table(rows * cols);
    for (double& v : table) v = value(rng);
    const std::vector<double> probs = {0.0, 0.025, 0.05, 0.5, 0.95, 0.975, 1.0};
    const auto host = column_quantiles(table.data(), rows, cols, probs, BackendKind::Cpu);
    EXPECT_EQ(cuda::column_quantiles(table.data(), rows, cols, probs), host) << rows << "x" << cols;
    EXPECT_EQ(column_quantiles(table.data(), rows, cols, probs, BackendKind::Auto), host);
  }
}

// A bootstrap run gives the same resamples for the same seed on either backend. The residual
// scheme builds every resample's targets from the full-data fit, whose parameters two backends
// agree on only to about 1e-8 in flat directions even when their costs agree to 1e-15; targets
// that far apart move each resample's optimum by up to 2.6e-8 in cost (measured on an H100,
// and 1e-8 between the CPU and reference backends). So the GPU run is given the CPU's full fit,
// as the CLI does when it reports the full fit before bootstrapping, and both fit the same data.
TEST(CudaBootstrap, SameResamplesAsCpuForTheSameSeed) {
  SF_REQUIRE_DEVICE();
  const LawEntry& law = find_law("chinchilla");
  std::mt19937_64 rng(21);
  const synth::Design g = synth::make_design(law.info);
  const Dataset data =
      synth::synthesize<laws::Chinchilla>(lawtest::draw_truth<laws::Chinchilla>(g, rng).params,
                                          g, 0.02, rng);
  for (Scheme scheme : {Scheme::Case, Scheme::Residual}) {
    BootstrapOptions options;
    options.scheme = scheme;
    options.resamples = 64;
    options.seed = 7;
    options.jackknife = false;
    options.fit.backend = BackendKind::Cpu;
    const BootstrapResult cpu = run_bootstrap(data, law, options);
    options.fit.backend = BackendKind::Cuda;
    const BootstrapResult gpu_own_full = run_bootstrap(data, law, options);
    expect_same_fit(law, data, nullptr, gpu_own_full.full, cpu.full, "full-data fit");
    options.full = &cpu.full;
    const BootstrapResult gpu = run_bootstrap(data, law, options);
    ASSERT_EQ(gpu.resamples.size(), cpu.resamples.size());
    for (std::size_t r = 0; r < cpu.resamples.size(); ++r) {
      EXPECT_EQ(gpu.resamples[r].ok(), cpu.resamples[r].ok()) << to_string(scheme) << " " << r;
      if (!cpu.resamples[r].ok()) continue;
      EXPECT_LE(relative(gpu.resamples[r].cost, cpu.resamples[r].cost), kCostTolerance) << r;
      for (int k = 0; k < law.n_params; ++k)
        EXPECT_LE(lawtest::relative_error(gpu.resamples[r].params[k], cpu.resamples[r].params[k]),
                  kParamTolerance)
            << to_string(scheme) << " resample " << r << " parameter " << k;
    }
  }
}

#endif  // SHANNONFIT_HAVE_CUDA
