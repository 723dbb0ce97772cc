#pragma once
// CUDA for a formula law, compiled at run time with NVRTC. The tape becomes a law struct shaped
// like a built-in one (static log_loss over T and S), compiled together with the project's own
// device headers (embedded in the library at build time) into the built-in fit kernel
// (shannonfit/fit_kernel.cuh) under a plain C name, which the CUDA backend's own driver then
// launches (kernels/runtime_kernel.cu). NVRTC needs no GPU:
// the kernel is compiled to a cubin for an architecture and ptxas's resource report is read
// back, so its registers and spills are checked as the built-in kernels' are.
//
// NVRTC is loaded when first needed (dlopen), so a build without the CUDA toolkit, or a machine
// without the library, runs everything else; nvrtc_available() says why it is not there.
#include <string>

#include "shannonfit/formula/formula.hpp"

namespace shannonfit::formula {

// The law as CUDA: `struct <type_name> { kParams; kPointLanes; log_loss }` in namespace
// shannonfit. Throws InputError for a formula that reads further columns (not yet on CUDA).
std::string generated_law_source(const CompiledLaw& law, const std::string& type_name);
// The fit kernel's name in the generated source: fit_kernel.cuh's fit_kernel, parameters and all.
constexpr const char* kFormulaKernelName = "shannonfit_formula_fit";
// The law and its fit kernel, `extern "C" __global__ void shannonfit_formula_fit(...)`.
std::string generated_kernel_source(const CompiledLaw& law);

struct KernelResources {
  int registers = -1;
  long stack = -1, spill_stores = -1, spill_loads = -1;
};

struct CompiledKernel {
  int sm = 0;              // e.g. 90 for sm_90
  std::string key;         // cache_key(law, sm)
  std::string cubin;       // the ELF image
  std::string log;         // NVRTC's log, ptxas -v included
  KernelResources resources;
  bool from_cache = false;
};

bool nvrtc_available(std::string* why = nullptr);
// NVRTC's version, e.g. "13.0"; "" when it is not available.
std::string nvrtc_version();

// The cache key: a hash of the generated source (the formula as compiled, so the tape's
// careful forms and the embedded headers are in it), the engine version and the architecture.
std::string cache_key(const CompiledLaw& law, int sm);
// $SHANNONFIT_CACHE_DIR, else $XDG_CACHE_HOME/shannonfit/nvrtc, else ~/.cache/shannonfit/nvrtc.
std::string default_cache_dir();

// Compiles for sm_<sm>. With a cache_dir, a cubin cached under cache_key is used when present,
// and a new one is stored under a fresh temporary name and renamed into place (an existing file
// is never replaced). Throws std::runtime_error when NVRTC is absent or the compilation fails
// (the log is in the message: a bug, since the formula was validated when it was compiled).
CompiledKernel compile_kernel(const CompiledLaw& law, int sm, const std::string& cache_dir = "");

// The kernel for sm_<sm> as the CUDA backend runs it: compiled once per process (kept in
// memory for the process's lifetime) and, across processes, cached in default_cache_dir().
const CompiledKernel& cached_kernel(const CompiledLaw& law, int sm);

// ptxas -v's report of the fit kernel in an NVRTC log.
KernelResources parse_resources(const std::string& log);

}  // namespace shannonfit::formula
