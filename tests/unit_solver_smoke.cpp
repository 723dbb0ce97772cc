#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "shannonfit/batch.hpp"

using namespace shannonfit;

namespace {
Dataset chinchilla_data(double noise, unsigned seed) {
  Dataset d;
  std::mt19937 rng(seed);
  std::normal_distribution<double> eps(0, noise);
  const double E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28;
  for (double n : {1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10})
    for (double tpp : {5.0, 10.0, 20.0, 40.0, 80.0}) {
      const double dd = n * tpp;
      d.n.push_back(n);
      d.d.push_back(dd);
      d.loss.push_back((E + A / std::pow(n, alpha) + B / std::pow(dd, beta)) * std::exp(eps(rng)));
      d.line.push_back(static_cast<long>(d.n.size()) + 1);
    }
  return d;
}
}  // namespace

TEST(SolverSmoke, RecoversChinchillaOnBothPaths) {
  const Dataset data = chinchilla_data(0.0, 1);
  for (const char* backend : {"cpu", "reference"}) {
    const LawEntry& law = find_law("chinchilla");
    BatchRequest req;
    req.data = &data;
    req.starts = single_start(law.info);
    const auto fn = std::string(backend) == "cpu" ? law.cpu : law.reference;
    const auto res = fn(law, req);
    ASSERT_EQ(res.size(), 1u);
    EXPECT_TRUE(converged(res[0].status)) << backend << " " << to_string(res[0].status);
    EXPECT_NEAR(std::exp(res[0].params[0]), 406.4, 1e-3 * 406.4) << backend;
    EXPECT_NEAR(res[0].params[3], 0.34, 1e-6) << backend;
  }
}
