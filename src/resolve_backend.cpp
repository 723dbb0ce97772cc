// Which batch function runs a law on a backend. Kept out of the base library (src/core.cpp):
// asking for devices calls into the CUDA library, which itself builds on the base.
#include "shannonfit/backend.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"

#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_backend.hpp"
#endif

namespace shannonfit {

bool cuda_available() {
#if SHANNONFIT_HAVE_CUDA
  return cuda::device_count() > 0;
#else
  return false;
#endif
}

BatchFn resolve_backend(const LawEntry& law, BackendKind kind) {
  return select_backend(law, kind).entry;
}

}  // namespace shannonfit
