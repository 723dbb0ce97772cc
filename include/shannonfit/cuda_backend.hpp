#pragma once
// The CUDA batch driver, as the host sees it. This header needs no CUDA headers: the core
// library (built by the host compiler) includes it when SHANNONFIT_HAVE_CUDA is set, and the
// definitions live in kernels/ (built by nvcc).
//
// A batch runs one thread per (weighting, start) fit, calling the same fit_one<Law> as the CPU
// driver. Weightings are processed in chunks on several streams, so device memory stays within
// a budget however many resamples and starts there are, and each weighting's best start is
// picked on the device with better_fit's total order (only the winners come back).
#include <cstddef>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "shannonfit/batch.hpp"
#include "shannonfit/laws/all.hpp"

namespace shannonfit::cuda {

// A CUDA runtime call failed; the message names the call, its file and line, and the CUDA error.
class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Devices the kernels can run on (compute capability 8.0 or newer) that the CUDA runtime can
// see; 0 when there is no such device or no driver. Never throws.
int device_count() noexcept;

struct LaunchConfig {
  // Device bytes one batch may allocate, all streams together; 0 = half the device's free
  // memory when the batch starts.
  std::size_t device_memory_budget = 0;
  int streams = 2;                     // chunks in flight; >= 2 lets copies overlap compute
  long max_weightings_per_chunk = 0;   // 0 = chosen from the budget and the batch size
};

// What a batch did, for tests and benchmarks.
struct RunStats {
  long chunks = 0;                 // launched (fewer than planned when cancelled)
  long weightings_per_chunk = 0;
  std::size_t device_bytes = 0;    // everything the batch allocated on the device
  bool points_in_shared = false;   // dataset staged in shared memory (else read from global)
  int registers_per_thread = 0;    // of the fit kernel, as the runtime reports it
};

namespace detail {

// Position of Law in SF_FOR_EACH_LAW. Kernels are compiled in kKernelShards translation units
// (kernels/fit_shard_<k>.cu), law i in shard i % kKernelShards, so nvcc builds them in parallel
// and a law added to the X-macro is compiled without touching kernels/.
template <class Law>
constexpr int law_index() {
  int index = -1, i = 0;
#define SF_CUDA_LAW_INDEX(L) \
  if (std::is_same_v<Law, L>) index = i; \
  ++i;
  SF_FOR_EACH_LAW(SF_CUDA_LAW_INDEX)
#undef SF_CUDA_LAW_INDEX
  return index;
}

constexpr int kKernelShards = 4;

template <class Law>
constexpr int shard_of() {
  static_assert(law_index<Law>() >= 0, "law is not listed in SF_FOR_EACH_LAW");
  return law_index<Law>() % kKernelShards;
}

// The batch driver of Law, defined in the shard that compiles Law's kernel. Shards explicitly
// instantiate ShardEntry<Law, Shard> only for their own laws; a negative Shard is an empty
// placeholder other shards instantiate instead.
template <class Law, int Shard, bool Active = (Shard >= 0)>
struct ShardEntry {
  static std::vector<FitResult> run(const LawEntry& law, const BatchRequest& req,
                                    const LaunchConfig& config, RunStats* stats);
};
template <class Law, int Shard>
struct ShardEntry<Law, Shard, false> {};

}  // namespace detail

// Runs a batch on the current CUDA device. Same contract and results (to rounding) as
// cpu::fit_batch<Law>. Throws CudaError when the device fails, FitError when the memory budget
// cannot hold one weighting.
template <class Law>
std::vector<FitResult> fit_batch(const LawEntry& law, const BatchRequest& req,
                                 const LaunchConfig& config, RunStats* stats = nullptr) {
  return detail::ShardEntry<Law, detail::shard_of<Law>()>::run(law, req, config, stats);
}

// The BatchFn registered for the CUDA backend: the default launch configuration.
template <class Law>
std::vector<FitResult> fit_batch(const LawEntry& law, const BatchRequest& req) {
  return fit_batch<Law>(law, req, LaunchConfig{}, nullptr);
}

// Quantiles of each column of a row-major rows × cols table (e.g. one row of parameters per
// resample), sorted on the device by CUB; only cols × probs numbers come back. Same definition
// as shannonfit::column_quantiles (src/cpu/column_quantiles.hpp), which is the host fallback.
std::vector<double> column_quantiles(const double* values, long rows, int cols,
                                     const std::vector<double>& probs);

}  // namespace shannonfit::cuda
