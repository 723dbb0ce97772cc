#pragma once
// Which block of seeds a statistical test draws from: SHANNONFIT_TEST_SEED_BLOCK=k selects the
// k-th disjoint block (0, CI's, when unset), so that a test's false-alarm rate can be measured
// by running it many times outside CI (docs/testing.md, tools/coverage_runs.py).
#include <cstdint>
#include <cstdlib>

namespace shannonfit::testing {

inline std::uint64_t seed_block() {
  const char* s = std::getenv("SHANNONFIT_TEST_SEED_BLOCK");
  return s ? std::strtoull(s, nullptr, 10) : 0;
}

}  // namespace shannonfit::testing
