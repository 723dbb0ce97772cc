// Regressions for inputs found by the fuzzers in tests/fuzz: each once loaded into a Dataset a
// number the solver cannot take (0 or infinity) instead of failing with a located error.
#include <gtest/gtest.h>

#include <string>

#include "io/csv.hpp"
#include "shannonfit/errors.hpp"

using namespace shannonfit;

namespace {
std::string load_error(const std::string& text, const io::ColumnMap& map) {
  try {
    io::load_data(io::parse_csv(text, "runs.csv"), map);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(HostileInput, ComputeThatUnderflowsTokensIsRefusedWithItsLocation) {
  io::ColumnMap map;
  map.flops = "C";
  const std::string err = load_error("N,C,loss\n1e8,1.2e18,3\n1e300,1e-300,3\n", map);
  EXPECT_NE(err.find("runs.csv:3: column 'C'"), std::string::npos) << err;
  EXPECT_NE(err.find("beyond the range"), std::string::npos) << err;
}

TEST(HostileInput, ComputeThatOverflowsTokensIsRefusedWithItsLocation) {
  io::ColumnMap map;
  map.flops = "C";
  const std::string err = load_error("N,C,loss\n1e-300,1e300,3\n", map);
  EXPECT_NE(err.find("runs.csv:2: column 'C'"), std::string::npos) << err;
}

TEST(HostileInput, SnrThatOverflowsTheNoiseStrengthIsRefused) {
  io::ColumnMap map;
  map.perturbation = io::Perturbation{io::PerturbationKind::NoiseSnrDb, "snr"};
  const std::string err = load_error("N,D,loss,snr\n1e8,2e9,3,10\n1e8,2e9,3,-7000\n", map);
  EXPECT_NE(err.find("runs.csv:3: column 'snr'"), std::string::npos) << err;
  EXPECT_NE(err.find("-7000 dB"), std::string::npos) << err;
}

TEST(HostileInput, OrdinaryComputeAndSnrStillLoad) {
  io::ColumnMap map;
  map.flops = "C";
  map.perturbation = io::Perturbation{io::PerturbationKind::NoiseSnrDb, "snr"};
  const auto loaded = io::load_data(io::parse_csv("N,C,loss,snr\n1e8,6e17,3,20\n", "runs.csv"), map);
  ASSERT_EQ(loaded.slices.size(), 1u);
  EXPECT_DOUBLE_EQ(loaded.slices[0].data.d[0], 1e9);
  EXPECT_DOUBLE_EQ(loaded.slices[0].data.x[0], 0.1);
}
