#pragma once
// A backend as a value: which kind it is, the name outputs report, the batch function that runs
// it and how many fits it wants per call. Everything that asks "which backend is this?" reads
// these fields; nothing compares batch function pointers.
#include <string>
#include <vector>

#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit {

struct Backend {
  BackendKind kind = BackendKind::Cpu;  // never Auto: select_backend has resolved it
  const char* name = "cpu";             // "cpu", "reference", "cuda"
  BatchFn entry = nullptr;
  // Fits (weightings × starts) per batch call the backend runs well at: a GPU starves on fewer,
  // while CPU threads report progress and notice Ctrl-C only between calls.
  long preferred_fits_per_call = 1024;

  std::vector<FitResult> run(const LawEntry& law, const BatchRequest& request) const {
    return entry(law, request);
  }
};

// The backend `kind` asks for, for `law`. Auto is CUDA when a device is there and the law has a
// kernel, else the CPU. Throws InputError when CUDA is asked for and cannot be had.
inline Backend select_backend(const LawEntry& law, BackendKind kind) {
  if (kind == BackendKind::Auto)
    kind = law.cuda && cuda_available() ? BackendKind::Cuda : BackendKind::Cpu;
  switch (kind) {
    case BackendKind::Reference: return {kind, "reference", law.reference, 1024};
    case BackendKind::Cuda:
      if (!law.cuda)
        throw InputError("--backend cuda: this build has no CUDA kernel for law '" +
                         law.info.name + "' (configure with SHANNONFIT_CUDA=ON where nvcc exists)");
      if (!cuda_available())
        throw InputError("--backend cuda: no CUDA device is visible on this machine");
      return {kind, "cuda", law.cuda, 1L << 18};
    default: return {BackendKind::Cpu, "cpu", law.cpu, 1024};
  }
}

}  // namespace shannonfit
