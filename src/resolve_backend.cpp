// Which batch function runs a law on a backend. Kept out of the base library (src/core.cpp):
// asking for devices calls into the CUDA library, which itself builds on the base.
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
  switch (kind) {
    case BackendKind::Cpu: return law.cpu;
    case BackendKind::Reference: return law.reference;
    case BackendKind::Auto: return law.cuda && cuda_available() ? law.cuda : law.cpu;
    case BackendKind::Cuda:
      if (!law.cuda)
        throw InputError("--backend cuda: this build has no CUDA kernel for law '" +
                         law.info.name + "' (configure with SHANNONFIT_CUDA=ON where nvcc exists)");
      if (!cuda_available())
        throw InputError("--backend cuda: no CUDA device is visible on this machine");
      return law.cuda;
  }
  return law.cpu;
}

}  // namespace shannonfit
