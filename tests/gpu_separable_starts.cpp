// Per-weighting starts (BatchRequest::starts_per_weighting, what --starts separable hands the
// backends in a bootstrap) on the CUDA backend against the CPU backend. Skips without a device.
// Costs are compared to 1e-9 relative, as in gpu_cuda_backend.cpp (the two backends follow
// slightly different floating-point paths to the same optimum). At noise 0.02 almost every
// residual lies beyond Huber's delta, and in 3 of the 40 resamples both backends stop at
// max-iterations, short of an optimum they could agree on; at 0.005 every resample converges.
#include <gtest/gtest.h>

#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/separable_starts.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

TEST(GpuSeparableStarts, EachWeightingFromItsOwnStartsAsOnTheCpu) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";
  const LawEntry& law = find_law("chinchilla");
  const Dataset data = synth::chinchilla_data(0.005, 4);
  BootstrapOptions o;
  o.resamples = 40;
  o.seed = 5;
  o.jackknife = false;
  o.fit.starts = StartStrategy::Separable;
  o.fit.options.loss = LossKind::Huber;
  o.fit.backend = BackendKind::Cpu;
  const BootstrapResult cpu = run_bootstrap(data, law, o);
  o.fit.backend = BackendKind::Cuda;
  for (int chunk : {7, 0}) {
    o.chunk = chunk;
    const BootstrapResult gpu = run_bootstrap(data, law, o);
    ASSERT_EQ(gpu.resamples.size(), cpu.resamples.size());
    for (std::size_t r = 0; r < cpu.resamples.size(); ++r) {
      ASSERT_TRUE(cpu.resamples[r].ok()) << "resample " << r;
      ASSERT_TRUE(gpu.resamples[r].ok()) << "resample " << r << " chunk " << chunk;
      EXPECT_NEAR(gpu.resamples[r].cost, cpu.resamples[r].cost, 1e-9 * cpu.resamples[r].cost)
          << "resample " << r << " chunk " << chunk;
    }
  }
}
