#pragma once
// The small host-side toolkit every kernels/*.cu file uses: one checking macro, one owner for
// device and pinned host memory, one owner for streams, one way to launch a kernel.
#include <cuda_runtime.h>

#include <cstddef>
#include <utility>

#include "shannonfit/cuda_backend.hpp"

namespace shannonfit::cuda::detail {

// Throws CudaError naming the failed call, where it was made and what CUDA said.
void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line);

}  // namespace shannonfit::cuda::detail

// Every CUDA runtime call goes through this, so a failure is never silently ignored.
#define SF_CUDA_CHECK(expr)                                                               \
  do {                                                                                    \
    const cudaError_t sf_cuda_status_ = (expr);                                           \
    if (sf_cuda_status_ != cudaSuccess)                                                   \
      ::shannonfit::cuda::detail::throw_cuda_error(sf_cuda_status_, #expr, __FILE__, __LINE__); \
  } while (0)

namespace shannonfit::cuda::detail {

enum class Memory { Device, PinnedHost };

// Unique owner of `count` elements of T in device memory or in page-locked host memory (the
// staging side of asynchronous copies). Move-only; frees in the destructor.
template <class T, Memory Kind>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t count) : count_(count) {
    if (count == 0) return;
    void* p = nullptr;
    if constexpr (Kind == Memory::Device)
      SF_CUDA_CHECK(cudaMalloc(&p, bytes()));
    else
      SF_CUDA_CHECK(cudaMallocHost(&p, bytes()));
    data_ = static_cast<T*>(p);
  }
  Buffer(Buffer&& o) noexcept : data_(std::exchange(o.data_, nullptr)), count_(std::exchange(o.count_, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      count_ = std::exchange(o.count_, 0);
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { release(); }

  T* get() const { return data_; }
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return count_ * sizeof(T); }

 private:
  // A failing free cannot be reported from a destructor; the next checked call reports the
  // sticky error instead.
  void release() noexcept {
    if (!data_) return;
    if constexpr (Kind == Memory::Device)
      cudaFree(data_);
    else
      cudaFreeHost(data_);
    data_ = nullptr;
  }
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

template <class T>
using DeviceBuffer = Buffer<T, Memory::Device>;
template <class T>
using PinnedBuffer = Buffer<T, Memory::PinnedHost>;

// Unique owner of a non-blocking stream (it does not serialise with the legacy default stream).
class Stream {
 public:
  Stream() { SF_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  Stream(Stream&& o) noexcept : stream_(std::exchange(o.stream_, nullptr)) {}
  Stream& operator=(Stream&&) = delete;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (stream_) cudaStreamDestroy(stream_);
  }
  cudaStream_t get() const { return stream_; }
  void synchronize() const { SF_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
};

// Blocks of `block` threads that cover `items` threads.
inline unsigned blocks_for(long items, int block) {
  return static_cast<unsigned>((items + block - 1) / block);
}

// Launches `kernel` with one thread per item (blocks of `block`, `shared` bytes of dynamic
// shared memory) on `stream`, and reports a launch that failed.
template <class... Params, class... Args>
void launch(void (*kernel)(Params...), long items, int block, std::size_t shared,
            cudaStream_t stream, Args&&... args) {
  kernel<<<blocks_for(items, block), block, shared, stream>>>(std::forward<Args>(args)...);
  SF_CUDA_CHECK(cudaGetLastError());
}

// Writes, for each of n_weightings consecutive groups of n_starts records (fit_item.hpp's
// RecordLayout), the record that precedes the others (fit_item.hpp) followed by its start index
// and the number of its group's starts that did not converge. One warp per group.
void launch_select_best(const double* records, int width, int cost_at, int status_at,
                        int n_starts, long n_weightings, double* best, cudaStream_t stream);

}  // namespace shannonfit::cuda::detail
