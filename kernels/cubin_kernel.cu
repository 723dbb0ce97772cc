// Formula laws' fit kernels on the CUDA backend: a cubin NVRTC compiled (formula/nvrtc.hpp),
// loaded through the driver API and launched by fit_batch.cuh's driver, one instantiation per
// parameter count (the driver's records and options are sized at compile time).
#include <cuda.h>
#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "fit_batch.cuh"
#include "shannonfit/cuda_cubin_kernel.hpp"
#include "shannonfit/dynamic_symbols.hpp"
#include "shannonfit/formula/param_count.hpp"

namespace shannonfit::cuda {
namespace detail {
namespace {

// The few driver API calls a cubin needs, loaded with dlopen: the runtime library loads the
// driver itself the same way, so linking it would make the binary need it to start.
struct DriverApi {
  std::string missing;  // why it is not there; "" when it is
  decltype(&cuModuleLoadData) load_data = nullptr;
  decltype(&cuModuleGetFunction) get_function = nullptr;
  decltype(&cuFuncGetAttribute) function_attribute = nullptr;
  decltype(&cuLaunchKernel) launch_kernel = nullptr;
  decltype(&cuGetErrorString) error_string = nullptr;
};

const DriverApi& driver_api() {
  static DriverApi api;
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("SHANNONFIT_LIBCUDA");
    const std::string library = env && *env ? env : "libcuda.so.1";
    void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      api.missing = "the CUDA driver (" + library + ") could not be loaded: " + dlerror();
      return;
    }
    const std::string driver = "the CUDA driver (" + library + ")";
    auto bind = [&](auto& fn, const char* symbol) {
      bind_symbol(handle, fn, symbol, driver, api.missing);
    };
    bind(api.load_data, "cuModuleLoadData");
    bind(api.get_function, "cuModuleGetFunction");
    bind(api.function_attribute, "cuFuncGetAttribute");
    bind(api.launch_kernel, "cuLaunchKernel");
    bind(api.error_string, "cuGetErrorString");
  });
  return api;
}

void check(CUresult status, const char* call) {
  if (status == CUDA_SUCCESS) return;
  const char* what = nullptr;
  driver_api().error_string(status, &what);
  throw CudaError(std::string(call) + " failed: " + (what ? what : "unknown error"));
}

struct LoadedKernel {
  CUfunction function = nullptr;
  int registers = 0;
};

// The kernel of a cubin on the current device, loaded once per process into the runtime's
// primary context (the one the driver's buffers and streams live in) and never unloaded, as the
// built-in kernels stay loaded.
LoadedKernel load(const CubinKernel& kernel) {
  const DriverApi& api = driver_api();
  if (!api.missing.empty()) throw CudaError(api.missing);
  int device = 0;
  SF_CUDA_CHECK(cudaGetDevice(&device));
  SF_CUDA_CHECK(cudaFree(nullptr));  // makes the primary context current on this thread
  static std::mutex mutex;
  static std::map<std::pair<int, std::string>, LoadedKernel> loaded;
  const std::lock_guard<std::mutex> lock(mutex);
  LoadedKernel& k = loaded[{device, kernel.key}];
  if (!k.function) {
    CUmodule module = nullptr;
    check(api.load_data(&module, kernel.cubin->data()), "cuModuleLoadData");
    CUfunction function = nullptr;
    check(api.get_function(&function, module, kernel.entry), "cuModuleGetFunction");
    check(api.function_attribute(&k.registers, CU_FUNC_ATTRIBUTE_NUM_REGS, function),
          "cuFuncGetAttribute");
    k.function = function;
  }
  return k;
}

// fit_batch.cuh's FitLauncher for a loaded kernel.
template <int P>
struct CubinFitKernel {
  LoadedKernel kernel;
  void launch(const ChunkArgs<double>& a, const SolverOptions<double, P>& options,
              std::size_t shared, cudaStream_t stream) const {
    void* params[] = {const_cast<ChunkArgs<double>*>(&a),
                      const_cast<SolverOptions<double, P>*>(&options)};
    check(driver_api().launch_kernel(kernel.function, blocks_for(a.n_fits, kFitBlock), 1, 1,
                                     kFitBlock, 1, 1, static_cast<unsigned>(shared),
                                     reinterpret_cast<CUstream>(stream), params, nullptr),
          "cuLaunchKernel");
  }
  int registers() const { return kernel.registers; }
};

}  // namespace
}  // namespace detail

std::string driver_api_missing() { return detail::driver_api().missing; }

int device_architecture() {
  int device = 0, major = 0, minor = 0;
  SF_CUDA_CHECK(cudaGetDevice(&device));
  SF_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  SF_CUDA_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device));
  return 10 * major + minor;
}

std::vector<FitResult> fit_batch_cubin(const LawEntry& law, const BatchRequest& req,
                                 const CubinKernel& kernel, const LaunchConfig& config,
                                 RunStats* stats) {
  const detail::LoadedKernel loaded = detail::load(kernel);
  return formula::with_param_count(law.n_params, [&](auto count) {
    constexpr int P = decltype(count)::value;
    return detail::run_batch<P>(law, req, config, stats, detail::CubinFitKernel<P>{loaded});
  });
}

}  // namespace shannonfit::cuda
