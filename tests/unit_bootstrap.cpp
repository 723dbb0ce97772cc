#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "analysis/bootstrap.hpp"
#include "shannonfit/errors.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::synth::chinchilla_data;

namespace {

BootstrapOptions quick_options(int resamples) {
  BootstrapOptions o;
  o.resamples = resamples;
  o.seed = 1234;
  o.jackknife = false;
  o.fit.full_starts = single_start(find_law("chinchilla").info);
  return o;
}

void expect_identical(const BootstrapResult& a, const BootstrapResult& b) {
  ASSERT_EQ(a.resamples.size(), b.resamples.size());
  for (std::size_t r = 0; r < a.resamples.size(); ++r) {
    for (int k = 0; k < a.n_params; ++k)
      ASSERT_EQ(a.resamples[r].params[k], b.resamples[r].params[k]) << "resample " << r;
    ASSERT_EQ(a.resamples[r].cost, b.resamples[r].cost) << "resample " << r;
    ASSERT_EQ(a.resamples[r].best_start, b.resamples[r].best_start) << "resample " << r;
  }
}

}  // namespace

TEST(Bootstrap, IdenticalForAnyThreadCountAndChunkSize) {
  const Dataset data = chinchilla_data(0.02, 7);
  const LawEntry& law = find_law("chinchilla");
  for (Scheme scheme : {Scheme::Case, Scheme::Cluster, Scheme::Residual}) {
    BootstrapOptions o = quick_options(24);
    o.scheme = scheme;
    o.jackknife = true;
    o.fit.threads = 1;
    o.chunk = 24;
    const BootstrapResult base = run_bootstrap(data, law, o);
    EXPECT_EQ(base.failed(), 0) << to_string(scheme);
    for (int threads : {1, 2})
      for (int chunk : {1, 5, 0}) {
        o.fit.threads = threads;
        o.chunk = chunk;
        const BootstrapResult other = run_bootstrap(data, law, o);
        SCOPED_TRACE(std::string(to_string(scheme)) + " threads " + std::to_string(threads) +
                     " chunk " + std::to_string(chunk));
        expect_identical(base, other);
        ASSERT_EQ(base.jackknife.size(), other.jackknife.size());
        for (std::size_t i = 0; i < base.jackknife.size(); ++i)
          ASSERT_EQ(base.jackknife[i].params, other.jackknife[i].params);
      }
  }
}

TEST(Bootstrap, GridStartsAreDeterministicAcrossChunks) {
  const Dataset data = chinchilla_data(0.02, 8, 4, 4);
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions o = quick_options(3);
  o.fit.starts = StartStrategy::Grid;
  o.chunk = 3;
  const BootstrapResult a = run_bootstrap(data, law, o);
  o.chunk = 2;
  o.fit.threads = 1;
  const BootstrapResult b = run_bootstrap(data, law, o);
  EXPECT_EQ(a.n_starts, 4500);
  expect_identical(a, b);
}

TEST(Bootstrap, SameSeedSameDrawsDifferentSeedDifferent) {
  const Dataset data = chinchilla_data(0.02, 7);
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions o = quick_options(8);
  const BootstrapResult a = run_bootstrap(data, law, o);
  const BootstrapResult b = run_bootstrap(data, law, o);
  expect_identical(a, b);
  o.seed = 1235;
  const BootstrapResult c = run_bootstrap(data, law, o);
  int differing = 0;
  for (int r = 0; r < 8; ++r) differing += a.resamples[r].params[3] != c.resamples[r].params[3];
  EXPECT_EQ(differing, 8);
}

TEST(Bootstrap, ResampleSpreadTracksTheNoise) {
  const LawEntry& law = find_law("chinchilla");
  auto spread = [&](double noise) {
    const Dataset data = chinchilla_data(noise, 11);
    const BootstrapResult r = run_bootstrap(data, law, quick_options(40));
    double m = 0, s = 0;
    for (const auto& f : r.resamples) m += f.params[3] / r.resamples.size();
    for (const auto& f : r.resamples) s += (f.params[3] - m) * (f.params[3] - m);
    return std::sqrt(s / (r.resamples.size() - 1));
  };
  const double small = spread(0.005), large = spread(0.04);
  EXPECT_GT(small, 0);
  EXPECT_GT(large / small, 4.0);
}

TEST(Bootstrap, ClusterSchemeMovesWholeCurves) {
  // With a shared offset per curve and tiny within-curve noise, treating points as independent
  // (case) understates the spread that resampling curves (cluster) shows.
  const Dataset data = chinchilla_data(0.001, 5, 10, 6, 0.03);
  const LawEntry& law = find_law("chinchilla");
  auto spread = [&](Scheme scheme) {
    BootstrapOptions o = quick_options(60);
    o.scheme = scheme;
    const BootstrapResult r = run_bootstrap(data, law, o);
    EXPECT_EQ(r.failed(), 0);
    double m = 0, s = 0;
    int ok = 0;
    for (const auto& f : r.resamples)
      if (f.ok()) m += f.params[2], ++ok;
    m /= ok;
    for (const auto& f : r.resamples)
      if (f.ok()) s += (f.params[2] - m) * (f.params[2] - m);
    return std::sqrt(s / (ok - 1));
  };
  EXPECT_GT(spread(Scheme::Cluster), 1.5 * spread(Scheme::Case));
}

TEST(Bootstrap, ResidualSchemeOnExactDataReproducesTheFit) {
  const Dataset data = chinchilla_data(0.0, 1);
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions o = quick_options(5);
  o.scheme = Scheme::Residual;
  const BootstrapResult r = run_bootstrap(data, law, o);
  for (const auto& f : r.resamples)
    for (int k = 0; k < 5; ++k) EXPECT_NEAR(f.params[k], r.full.params[k], 1e-5);
}

namespace {

// The residual scheme's resamples on `backend` against the CPU's, resample by resample.
void expect_residual_resamples_match_cpu(BackendKind backend) {
  const Dataset data = chinchilla_data(0.02, 3);
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions o = quick_options(3);
  o.scheme = Scheme::Residual;
  const BootstrapResult cpu = run_bootstrap(data, law, o);
  o.fit.backend = backend;
  const BootstrapResult other = run_bootstrap(data, law, o);
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 5; ++k)
      EXPECT_NEAR(other.resamples[r].params[k], cpu.resamples[r].params[k], 1e-5)
          << to_string(backend) << " resample " << r;
  // And the resampled targets matter: the resamples differ from the full fit.
  EXPECT_GT(std::abs(cpu.resamples[0].params[3] - cpu.full.params[3]), 1e-4);
}

}  // namespace

TEST(Bootstrap, ResidualTargetsAreHonouredByTheReferenceBackend) {
  expect_residual_resamples_match_cpu(BackendKind::Reference);
}

TEST(Bootstrap, ResidualTargetsAreHonouredByTheCudaBackend) {
  if (!cuda_available() || !find_law("chinchilla").batch(BackendKind::Cuda))
    GTEST_SKIP() << "no CUDA device (or built without CUDA): the CUDA backend is not checked";
  expect_residual_resamples_match_cpu(BackendKind::Cuda);
}

TEST(Bootstrap, FailedResamplesAreCountedNotDropped) {
  const Dataset data = chinchilla_data(0.02, 7);
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions o = quick_options(6);
  o.fit.full_starts.clear();
  // Every refit searches the grid at the plain cap (a single-start refit would get
  // kSingleStartIterationFactor times it); one iteration converges from no start.
  o.fit.starts = StartStrategy::Grid;
  o.fit.full_starts = {20, 20, 2, 3, 3};
  o.fit.options.max_iterations = 1;
  const BootstrapResult r = run_bootstrap(data, law, o);
  EXPECT_EQ(r.resamples.size(), 6u);
  EXPECT_EQ(r.failed(), 6);
}

TEST(Bootstrap, CancelKeepsTheCompletedPrefix) {
  const Dataset data = chinchilla_data(0.02, 7);
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions o = quick_options(20);
  o.chunk = 4;
  std::atomic<bool> cancel{false};
  int reports = 0;
  const BootstrapResult r = run_bootstrap(
      data, law, o,
      [&](const BootstrapProgress& p) {
        if (std::string(p.phase) == "resamples" && ++reports == 2) cancel = true;
      },
      &cancel);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.resamples.size(), 8u);
  const BootstrapResult full = run_bootstrap(data, law, o);
  EXPECT_FALSE(full.interrupted);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(r.resamples[i].params, full.resamples[i].params);
}

TEST(Bootstrap, RejectsRequestsTheDataCannotExpress) {
  Dataset data = chinchilla_data(0.02, 7);
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions o = quick_options(0);
  EXPECT_THROW(run_bootstrap(data, law, o), InputError);
  o.resamples = -3;
  EXPECT_THROW(run_bootstrap(data, law, o), InputError);
  o.resamples = 5;
  o.scheme = Scheme::Cluster;
  data.group.clear();
  try {
    run_bootstrap(data, law, o);
    FAIL() << "cluster without groups accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("group"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_scheme("bayes"), InputError);
  EXPECT_THROW(parse_start_strategy("random"), InputError);
}
