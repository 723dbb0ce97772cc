#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "shannonfit/batch.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;

namespace {
// Hoffmann et al.'s law, noiseless, at 7 model sizes × 5 tokens per parameter.
Dataset noiseless_chinchilla() {
  std::mt19937_64 unused;  // no scatter: nothing is drawn
  synth::Generator gen(synth::ChinchillaTruth().truth(), {}, unused);
  for (double n : {1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10})
    for (double tpp : {5.0, 10.0, 20.0, 40.0, 80.0}) gen.add(synth::at_units(n, n * tpp));
  return gen.finish("synthetic");
}
}  // namespace

TEST(SolverSmoke, RecoversChinchillaOnBothPaths) {
  const Dataset data = noiseless_chinchilla();
  for (const char* backend : {"cpu", "reference"}) {
    const LawEntry& law = find_law("chinchilla");
    BatchRequest req;
    req.data = &data;
    req.starts = single_start(law.info);
    const BatchFn fn = law.batch(parse_backend(backend));
    const auto res = fn(law, req);
    ASSERT_EQ(res.size(), 1u);
    EXPECT_TRUE(converged(res[0].status)) << backend << " " << to_string(res[0].status);
    EXPECT_NEAR(std::exp(res[0].params[0]), 406.4, 1e-3 * 406.4) << backend;
    EXPECT_NEAR(res[0].params[3], 0.34, 1e-6) << backend;
  }
}
