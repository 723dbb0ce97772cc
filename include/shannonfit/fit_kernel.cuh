#pragma once
// The batched fit kernel, templated on the law: one thread per (weighting, start) fit, each
// running fit_item.hpp's item through fit_one with the device policy. Compiled by nvcc for the
// built-in laws (kernels/fit_batch.cuh, whose host driver launches it) and by NVRTC for formula
// laws (src/formula/nvrtc.cpp, which embeds this header): both launch fit_chunk's code, so a
// formula law's kernel is the built-in kernel with another law. Device code only: no CUDA
// runtime header, nothing NVRTC cannot compile.
#include "shannonfit/fit_item.hpp"
#include "shannonfit/lm.hpp"

namespace shannonfit::cuda::detail {

// Threads per block of the fit kernel. Four warps keep blocks small enough that the last,
// partly filled block of a chunk wastes little, and let the register budget (see
// tests/unit_cuda_resources.cpp) decide occupancy rather than the block shape.
constexpr int kFitBlock = 128;

template <typename S>
struct ChunkArgs {
  BatchView<S> batch;  // device memory, starting at the chunk's first weighting
  long n_fits;         // weightings in this chunk × n_starts
  bool stage_points;   // copy the points into shared memory first
  S* records;          // n_fits rows of RecordLayout<P>::kWidth
};

// The kernel's body, a device function so that a kernel NVRTC compiles under a plain C name
// (no mangled template name to look up) runs exactly this code. Each thread runs the whole LM
// loop of its fit and stops on its own test, so a converged fit never waits on the host or on
// a batch-wide test.
template <class Law, typename S>
__device__ __forceinline__ void fit_chunk(const ChunkArgs<S> a,
                                          const SolverOptions<S, Law::kParams> options) {
  constexpr int P = Law::kParams;
  extern __shared__ __align__(16) unsigned char sf_shared_bytes[];

  BatchView<S> batch = a.batch;
  if (a.stage_points) {
    // Every thread of the block helps copy, including those past the end of the chunk, and
    // all of them reach the barrier before any returns.
    PointsView<S>& points = batch.points;
    S* shared = reinterpret_cast<S*>(sf_shared_bytes);
    const int n = points.n;
    const bool has_x = points.x != nullptr;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      shared[i] = points.ln_n[i];
      shared[n + i] = points.ln_d[i];
      shared[2 * n + i] = points.target[i];
      if (has_x) shared[3 * n + i] = points.x[i];
    }
    __syncthreads();
    points.ln_n = shared;
    points.ln_d = shared + n;
    points.target = shared + 2 * n;
    points.x = has_x ? shared + 3 * n : nullptr;
  }

  const long fit = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (fit >= a.n_fits) return;
  const FitItem<S> item = fit_item<P>(batch, fit);
  write_record(fit_one<Law, S, DeviceSolve>(item.points, item.weights, item.start_values, options),
               a.records + fit * RecordLayout<P>::kWidth);
}

template <class Law, typename S>
__global__ void __launch_bounds__(kFitBlock)
    fit_kernel(const ChunkArgs<S> a, const SolverOptions<S, Law::kParams> options) {
  fit_chunk<Law, S>(a, options);
}

}  // namespace shannonfit::cuda::detail
