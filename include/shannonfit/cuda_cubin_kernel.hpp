#pragma once
// The CUDA backend's driver for a fit kernel compiled at run time (a formula law's, by NVRTC:
// formula/nvrtc.hpp): the cubin is loaded with the CUDA driver API and its kernel launched by
// the same plan / stage / launch / collect driver as the built-in laws' (kernels/fit_batch.cuh).
// The driver API (libcuda.so.1) is loaded when first needed, so the binary runs where it is
// absent. Needs no CUDA headers, like cuda_backend.hpp.
#include <string>
#include <vector>

#include "shannonfit/cuda_backend.hpp"

namespace shannonfit::cuda {

// A cubin whose kernel `entry` takes fit_kernel's parameters (fit_kernel.cuh) for a law of
// law.n_params parameters.
struct CubinKernel {
  const std::string* cubin;  // the ELF image; outlives the process's use of the key
  std::string key;           // names the cubin: it is loaded once per device under this key
  const char* entry;
};

// "" when the CUDA driver API can be loaded ($SHANNONFIT_LIBCUDA, else libcuda.so.1), else why
// it cannot.
std::string driver_api_missing();

// The current device's architecture as NVRTC's -arch names it, e.g. 90 for sm_90. Throws
// CudaError when there is no device.
int device_architecture();

// Runs a batch with the cubin's kernel on the current device: fit_batch<Law>'s contract and
// results. Throws CudaError when the driver API is missing or rejects the cubin.
std::vector<FitResult> fit_batch_cubin(const LawEntry& law, const BatchRequest& req,
                                 const CubinKernel& kernel, const LaunchConfig& config = {},
                                 RunStats* stats = nullptr);

}  // namespace shannonfit::cuda
