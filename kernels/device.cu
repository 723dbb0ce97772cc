// The law-independent half of the CUDA backend: error reporting, device discovery, best-start
// selection and column quantiles.
#include <cub/device/device_segmented_radix_sort.cuh>

#include <climits>
#include <string>
#include <vector>

#include "cuda_support.cuh"
#include "quantile_position.hpp"
#include "shannonfit/fit_item.hpp"

namespace shannonfit::cuda {

namespace detail {

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + call + " failed: " +
                  cudaGetErrorName(status) + ": " + cudaGetErrorString(status));
}

namespace {

constexpr unsigned kFullWarp = 0xffffffffu;
constexpr int kMinComputeMajor = 8;  // the oldest architecture CMAKE_CUDA_ARCHITECTURES builds
constexpr int kSelectBlock = 256;  // eight weightings per block, one warp each
constexpr int kQuantileBlock = 256;

__global__ void __launch_bounds__(kSelectBlock)
    select_best_kernel(const double* records, int width, int cost_at, int status_at,
                       int n_starts, long n_weightings, double* best) {
  const long weighting = (static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x % 32);
  // The block size is a multiple of 32, so a warp either returns whole or not at all, and the
  // shuffles below always run with every lane present.
  if (weighting >= n_weightings) return;
  const double* group = records + weighting * n_starts * static_cast<long>(width);

  // Sentinel that every real start precedes: non-finite, with the largest index. precedes is
  // strict and total, so this tree of comparisons finds the CPU driver's winner whatever its
  // shape.
  FitRank best_rank{false, 0.0, INT_MAX};
  int failed = 0;
  for (int s = lane; s < n_starts; s += 32) {
    const double* rec = group + static_cast<long>(s) * width;
    const double cost = rec[cost_at];
    // fit_rank's order, with CUDA's isfinite for its finiteness test: through fit_rank (the
    // solver's v - v == 0, or std::isfinite) ptxas keeps the cost in 8 bytes of local memory.
    const FitRank rank{static_cast<bool>(isfinite(cost)), cost, s};
    if (precedes(rank, best_rank)) best_rank = rank;
    if (!converged(static_cast<FitStatus>(static_cast<int>(rec[status_at])))) ++failed;
  }
  // Butterfly: after the last step every lane holds the warp's winner and failure count.
  for (int offset = 16; offset > 0; offset /= 2) {
    const FitRank other{__shfl_xor_sync(kFullWarp, static_cast<int>(best_rank.finite), offset) != 0,
                        __shfl_xor_sync(kFullWarp, best_rank.cost, offset),
                        __shfl_xor_sync(kFullWarp, best_rank.start, offset)};
    failed += __shfl_xor_sync(kFullWarp, failed, offset);
    if (precedes(other, best_rank)) best_rank = other;
  }
  const int start = best_rank.start;
  const double* winner = group + static_cast<long>(start) * width;
  double* out = best + weighting * (width + 2);
  for (int k = lane; k < width; k += 32) out[k] = winner[k];
  if (lane == 0) {
    out[width] = static_cast<double>(start);
    out[width + 1] = static_cast<double>(failed);
  }
}

// Column-major copy of a row-major rows × cols table, so each column is one sort segment.
__global__ void transpose_kernel(const double* values, long rows, int cols, double* columns) {
  const long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= rows * cols) return;
  const long r = i / cols;
  const int c = static_cast<int>(i - r * cols);
  columns[c * rows + r] = values[i];
}

// For each (column, probability): the order statistics at lo and lo + 1 (clamped).
__global__ void gather_order_stats_kernel(const double* sorted, long rows, int cols,
                                          const long* lo, int n_probs, double* out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= cols * n_probs) return;
  const int c = i / n_probs;
  const int q = i - c * n_probs;
  const long at = lo[q];
  const long next = at + 1 < rows ? at + 1 : rows - 1;
  out[2 * i] = sorted[c * rows + at];
  out[2 * i + 1] = sorted[c * rows + next];
}

__global__ void segment_offsets_kernel(long rows, int cols, int* offsets) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c <= cols) offsets[c] = static_cast<int>(c * rows);
}

}  // namespace

void launch_select_best(const double* records, int width, int cost_at, int status_at,
                        int n_starts, long n_weightings, double* best, cudaStream_t stream) {
  launch(select_best_kernel, n_weightings * 32, kSelectBlock, 0, stream, records, width, cost_at,
         status_at, n_starts, n_weightings, best);
}

}  // namespace detail

int device_count() noexcept {
  int count = 0;
  // No driver, no device, or a driver older than the runtime: all mean "no CUDA here".
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the error so it does not surface from a later call
    return 0;
  }
  // The library carries sm_80/sm_90 code and compute_80 PTX, which newer GPUs JIT-compile;
  // older ones cannot run it, so they do not count (auto then stays on the CPU).
  int usable = 0;
  for (int d = 0; d < count; ++d) {
    int major = 0;
    if (cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, d) == cudaSuccess &&
        major >= detail::kMinComputeMajor)
      ++usable;
  }
  cudaGetLastError();
  return usable;
}

std::vector<double> column_quantiles(const double* values, long rows, int cols,
                                     const std::vector<double>& probs) {
  using namespace detail;
  check_quantile_request(values, rows, cols, probs);
  const long items = rows * cols;
  if (items > INT_MAX)
    throw std::invalid_argument("column_quantiles: more than INT_MAX values for one device sort");
  const int n_probs = static_cast<int>(probs.size());
  std::vector<double> result(static_cast<std::size_t>(cols) * n_probs);
  if (n_probs == 0) return result;

  std::vector<long> lo(n_probs);
  std::vector<double> frac(n_probs);
  for (int q = 0; q < n_probs; ++q) {
    const QuantilePosition at = quantile_position(rows, probs[q]);
    lo[q] = at.lo;
    frac[q] = at.frac;
  }

  DeviceBuffer<double> d_values(items), d_columns(items), d_sorted(items);
  DeviceBuffer<int> d_offsets(cols + 1);
  DeviceBuffer<long> d_lo(n_probs);
  DeviceBuffer<double> d_stats(2 * result.size());
  SF_CUDA_CHECK(cudaMemcpy(d_values.get(), values, d_values.bytes(), cudaMemcpyHostToDevice));
  SF_CUDA_CHECK(cudaMemcpy(d_lo.get(), lo.data(), d_lo.bytes(), cudaMemcpyHostToDevice));
  launch(transpose_kernel, items, kQuantileBlock, 0, nullptr, d_values.get(), rows, cols,
         d_columns.get());
  launch(segment_offsets_kernel, cols + 1, kQuantileBlock, 0, nullptr, rows, cols,
         d_offsets.get());

  std::size_t temp_bytes = 0;
  SF_CUDA_CHECK(cub::DeviceSegmentedRadixSort::SortKeys(
      nullptr, temp_bytes, d_columns.get(), d_sorted.get(), static_cast<int>(items), cols,
      d_offsets.get(), d_offsets.get() + 1));
  DeviceBuffer<unsigned char> temp(temp_bytes);
  SF_CUDA_CHECK(cub::DeviceSegmentedRadixSort::SortKeys(
      temp.get(), temp_bytes, d_columns.get(), d_sorted.get(), static_cast<int>(items), cols,
      d_offsets.get(), d_offsets.get() + 1));

  launch(gather_order_stats_kernel, static_cast<long>(result.size()), kQuantileBlock, 0, nullptr,
         d_sorted.get(), rows, cols, d_lo.get(), n_probs, d_stats.get());
  std::vector<double> stats(d_stats.size());
  SF_CUDA_CHECK(cudaMemcpy(stats.data(), d_stats.get(), d_stats.bytes(), cudaMemcpyDeviceToHost));
  for (std::size_t i = 0; i < result.size(); ++i)
    result[i] = interpolate_quantile(stats[2 * i], stats[2 * i + 1], frac[i % n_probs]);
  return result;
}

}  // namespace shannonfit::cuda
