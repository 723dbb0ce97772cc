// Hostile --at points and --curves specs: parsing may only give finite, positive N and D (and a
// finite x) or throw InputError.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analysis/prediction.hpp"
#include "shannonfit/errors.hpp"

using namespace shannonfit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string spec(reinterpret_cast<const char*>(bytes), size);
  try {
    const PredictionPoint p = parse_point(spec);
    if (!(std::isfinite(p.n) && p.n > 0 && std::isfinite(p.d) && p.d > 0 && std::isfinite(p.x))) {
      std::fprintf(stderr, "--at '%s' parsed to N=%g D=%g x=%g\n", spec.c_str(), p.n, p.d, p.x);
      std::abort();
    }
  } catch (const InputError&) {
  }
  return 0;
}
