#pragma once
// The batched fit kernel's host driver. Included by the kernels/fit_shard_<k>.cu files, each of
// which instantiates it for its share of SF_FOR_EACH_LAW, and by kernels/runtime_kernel.cu,
// which drives formula laws' kernels compiled at run time.
//
// The kernel (shannonfit/fit_kernel.cuh) runs fit_item.hpp's per-fit item, one thread each. The
// driver is templated on the parameter count and on how a chunk's fits are launched (a
// FitLauncher: the law's kernel compiled into the library, BuiltinFitKernel, or a formula law's
// loaded from its cubin). It runs a batch in
// four steps: plan (how many weightings a chunk holds, plan_chunks), stage (the data every chunk
// reads, on the device once: StagedBatch), launch (a chunk's own rows up, its fits, its winners
// back, asynchronously on one of several streams: launch_chunk) and collect (a finished chunk's
// records into FitResults: collect_chunk).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cuda_support.cuh"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/fit_item.hpp"
#include "shannonfit/fit_kernel.cuh"
#include "shannonfit/lm.hpp"

namespace shannonfit::cuda::detail {

// Points are staged in shared memory when their arrays fit in the 48 KiB every block may use
// without an opt-in; larger datasets are read from global memory through the L1 cache.
constexpr std::size_t kSharedStageBytes = 48 * 1024;
// A chunk should hold enough fits to fill an H100 (132 SMs × up to 2048 resident threads) with
// room to spare, or the GPU idles while chunks are swapped.
constexpr long kMinFitsPerChunk = 1L << 18;

// One stream's share of the pipeline: its buffers are reused by every chunk it runs.
struct Slot {
  Stream stream;
  DeviceBuffer<double> weights, targets, records, best;
  PinnedBuffer<double> host_weights, host_targets, host_out;
  long first = 0;  // first weighting of the chunk in flight
  long count = 0;  // weightings in it; 0 = idle
};

// How a batch is cut into chunks, from the memory budget and the batch's shape.
struct ChunkPlan {
  long weightings_per_chunk;
  std::size_t shared_bytes;         // points, starts, data weights: allocated once
  std::size_t bytes_per_weighting;  // per slot
};

inline ChunkPlan plan_chunks(const LaunchConfig& config, long n_weightings, long n_starts,
                             std::size_t start_values, std::size_t n_points, bool has_x,
                             int rows_per_weighting, bool data_weights, bool keep_all, int width,
                             int best_width) {
  constexpr std::size_t kReal = sizeof(double);
  ChunkPlan plan;
  plan.shared_bytes =
      kReal * ((has_x ? 4 : 3) * n_points + start_values + (data_weights ? n_points : 0));
  plan.bytes_per_weighting =
      kReal * (rows_per_weighting * n_points + static_cast<std::size_t>(n_starts) * width +
               (keep_all ? 0 : static_cast<std::size_t>(best_width)));
  std::size_t budget = config.device_memory_budget;
  if (budget == 0) {
    std::size_t free_bytes = 0, total_bytes = 0;
    SF_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    budget = free_bytes / 2;
  }
  const std::size_t streams = static_cast<std::size_t>(config.streams);
  if (budget <= plan.shared_bytes ||
      (budget - plan.shared_bytes) / streams < plan.bytes_per_weighting)
    throw FitError("CUDA backend: a device memory budget of " + std::to_string(budget) +
                   " bytes cannot hold one weighting on " + std::to_string(streams) +
                   " streams (needs " +
                   std::to_string(plan.shared_bytes + streams * plan.bytes_per_weighting) + ")");
  const long by_budget =
      static_cast<long>((budget - plan.shared_bytes) / (streams * plan.bytes_per_weighting));
  // Enough chunks that every stream gets at least two (copies then overlap compute), but none
  // so small that it cannot fill the device.
  const long to_fill = (kMinFitsPerChunk + n_starts - 1) / n_starts;
  const long to_pipeline = (n_weightings + 2 * config.streams - 1) / (2 * config.streams);
  long chunk = std::min(by_budget, std::max(to_fill, to_pipeline));
  if (config.max_weightings_per_chunk > 0) chunk = std::min(chunk, config.max_weightings_per_chunk);
  plan.weightings_per_chunk = std::max(1L, std::min(chunk, n_weightings));
  return plan;
}

// The data every chunk reads, on the device: the points as [ln N | ln D | target | x], the
// starts and the data's own weights; and the batch view over them that each chunk narrows.
struct StagedBatch {
  DeviceBuffer<double> points, starts, data_weights;
  BatchView<double> view{};
  bool stage_points = false;  // the points fit in a block's shared memory
  std::size_t bytes() const { return points.bytes() + starts.bytes() + data_weights.bytes(); }
};

inline StagedBatch stage(const BatchRequest& req, const PreparedPoints& prepared, long n_starts,
                         int n_params) {
  const Dataset& data = *req.data;
  const std::size_t n = data.size();
  const bool has_x = !prepared.x.empty();
  const bool data_weights = req.weights == nullptr && !data.weight.empty();
  StagedBatch b;
  b.points = DeviceBuffer<double>((has_x ? 4 : 3) * n);
  b.starts = DeviceBuffer<double>(req.starts.size());
  b.data_weights = DeviceBuffer<double>(data_weights ? n : 0);
  std::vector<double> packed;
  packed.reserve(b.points.size());
  for (const auto* column : {&prepared.ln_n, &prepared.ln_d, &prepared.target})
    packed.insert(packed.end(), column->begin(), column->end());
  if (has_x) packed.insert(packed.end(), prepared.x.begin(), prepared.x.end());
  SF_CUDA_CHECK(cudaMemcpy(b.points.get(), packed.data(), b.points.bytes(), cudaMemcpyHostToDevice));
  SF_CUDA_CHECK(
      cudaMemcpy(b.starts.get(), req.starts.data(), b.starts.bytes(), cudaMemcpyHostToDevice));
  if (data_weights)
    SF_CUDA_CHECK(cudaMemcpy(b.data_weights.get(), data.weight.data(), b.data_weights.bytes(),
                             cudaMemcpyHostToDevice));
  double* p = b.points.get();
  b.view.points = {p, p + n, has_x ? p + 3 * n : nullptr, p + 2 * n, static_cast<int>(n)};
  b.view.weights = data_weights ? b.data_weights.get() : nullptr;
  b.view.weight_stride = 0;
  b.view.targets = nullptr;
  b.view.starts = b.starts.get();
  b.view.starts_stride = req.starts_per_weighting ? n_starts * n_params : 0;
  b.view.n_starts = n_starts;
  b.stage_points = n > 0 && b.points.bytes() <= kSharedStageBytes;
  return b;
}

// A FitLauncher for a law whose fit_kernel is compiled into the library: launch(chunk, options,
// shared bytes, stream) runs a chunk's fits, registers() reports the kernel's registers.
template <class Law>
struct BuiltinFitKernel {
  void launch(const ChunkArgs<double>& a, const SolverOptions<double, Law::kParams>& options,
              std::size_t shared, cudaStream_t stream) const {
    detail::launch(fit_kernel<Law, double>, a.n_fits, kFitBlock, shared, stream, a, options);
  }
  int registers() const {
    cudaFuncAttributes attributes{};
    SF_CUDA_CHECK(cudaFuncGetAttributes(&attributes, fit_kernel<Law, double>));
    return attributes.numRegs;
  }
};

// Starts slot s's chunk: its rows of per-weighting weights and targets go up through pinned
// memory (the copy is asynchronous and overlaps the other streams' kernels), its fits run, and
// its records (keep_all) or its weightings' winners come back into s.host_out.
template <int P, class FitLauncher>
void launch_chunk(Slot& s, const StagedBatch& staged, const BatchRequest& req,
                  const SolverOptions<double, P>& options, const FitLauncher& kernel) {
  using S = double;
  using L = RecordLayout<P>;
  const long n = staged.view.points.n;
  const long n_starts = staged.view.n_starts;
  const cudaStream_t stream = s.stream.get();
  auto upload_rows = [&](const S* rows, PinnedBuffer<S>& host, DeviceBuffer<S>& device) {
    const std::size_t count = static_cast<std::size_t>(s.count) * n;
    std::memcpy(host.get(), rows + s.first * n, count * sizeof(S));
    SF_CUDA_CHECK(cudaMemcpyAsync(device.get(), host.get(), count * sizeof(S),
                                  cudaMemcpyHostToDevice, stream));
    return static_cast<const S*>(device.get());
  };
  ChunkArgs<S> a{staged.view, s.count * n_starts, staged.stage_points, s.records.get()};
  a.batch.starts += s.first * a.batch.starts_stride;
  if (req.targets) a.batch.targets = upload_rows(req.targets, s.host_targets, s.targets);
  if (req.weights) {
    a.batch.weights = upload_rows(req.weights, s.host_weights, s.weights);
    a.batch.weight_stride = n;
  }
  const std::size_t shared = staged.stage_points ? staged.points.bytes() : 0;
  kernel.launch(a, options, shared, stream);
  if (req.keep_all_starts) {
    SF_CUDA_CHECK(cudaMemcpyAsync(s.host_out.get(), s.records.get(),
                                  a.n_fits * L::kWidth * sizeof(S), cudaMemcpyDeviceToHost,
                                  stream));
  } else {
    launch_select_best(s.records.get(), L::kWidth, L::kCost, L::kStatus,
                       static_cast<int>(n_starts), s.count, s.best.get(), stream);
    SF_CUDA_CHECK(cudaMemcpyAsync(s.host_out.get(), s.best.get(),
                                  s.count * L::kBestWidth * sizeof(S), cudaMemcpyDeviceToHost,
                                  stream));
  }
}

// Waits for slot s's chunk and turns what came back into its weightings' FitResults.
template <int P>
void collect_chunk(Slot& s, long n_starts, bool keep_all, std::vector<FitResult>& out) {
  using L = RecordLayout<P>;
  s.stream.synchronize();
  const double* h = s.host_out.get();
  if (keep_all) {
    for (long i = 0; i < s.count * n_starts; ++i)
      out[s.first * n_starts + i] =
          to_result<P>(read_record<double, P>(h + i * L::kWidth), static_cast<int>(i % n_starts));
  } else {
    for (long i = 0; i < s.count; ++i) {
      const double* rec = h + i * L::kBestWidth;
      out[s.first + i] = to_result<P>(read_record<double, P>(rec),
                                      static_cast<int>(rec[L::kBestStart]),
                                      static_cast<int>(rec[L::kFailedStarts]));
    }
  }
  s.count = 0;
}

template <int P, class FitLauncher>
std::vector<FitResult> run_batch(const LawEntry& law, const BatchRequest& req,
                                 const LaunchConfig& config, RunStats* stats,
                                 const FitLauncher& kernel) {
  using S = double;
  using L = RecordLayout<P>;
  if (!req.data) throw std::invalid_argument("fit_batch: request has no data");
  if (req.starts.size() % P != 0)
    throw std::invalid_argument("fit_batch: starts are not rows of " + std::to_string(P));
  if (config.streams < 1) throw std::invalid_argument("fit_batch: streams must be at least 1");
  const Dataset& data = *req.data;
  const long n_starts = req.n_starts(P);
  const long n_weightings = req.n_weightings;
  const std::size_t n = data.size();
  const bool keep_all = req.keep_all_starts;

  std::vector<FitResult> out(keep_all ? n_weightings * n_starts : n_weightings);
  for (auto& r : out) r.n_params = P;
  if (n_starts == 0 || n_weightings == 0) return out;

  // Plan.
  const PreparedPoints prepared = prepare_points(data, req.options.space);
  const bool copy_weights = req.weights != nullptr;
  const bool copy_targets = req.targets != nullptr;
  const ChunkPlan plan = plan_chunks(
      config, n_weightings, n_starts, req.starts.size(), n, !prepared.x.empty(),
      int{copy_weights} + int{copy_targets}, !copy_weights && !data.weight.empty(), keep_all,
      L::kWidth, L::kBestWidth);
  const long chunk = plan.weightings_per_chunk;

  // Stage.
  const StagedBatch staged = stage(req, prepared, n_starts, P);
  const SolverOptions<S, P> options = solver_options<P>(law.info, req.options);
  const std::size_t out_width = keep_all ? n_starts * L::kWidth : L::kBestWidth;
  std::vector<Slot> slots(static_cast<std::size_t>(config.streams));
  std::size_t device_bytes = staged.bytes();
  for (Slot& s : slots) {
    s.weights = DeviceBuffer<S>(copy_weights ? chunk * n : 0);
    s.targets = DeviceBuffer<S>(copy_targets ? chunk * n : 0);
    s.records = DeviceBuffer<S>(chunk * n_starts * L::kWidth);
    s.best = DeviceBuffer<S>(keep_all ? 0 : chunk * L::kBestWidth);
    s.host_weights = PinnedBuffer<S>(s.weights.size());
    s.host_targets = PinnedBuffer<S>(s.targets.size());
    s.host_out = PinnedBuffer<S>(chunk * out_width);
    device_bytes += s.weights.bytes() + s.targets.bytes() + s.records.bytes() + s.best.bytes();
  }

  // Launch and collect, round robin over the slots.
  const long n_chunks = (n_weightings + chunk - 1) / chunk;
  long c = 0;  // after the loop: the chunks launched
  for (; c < n_chunks; ++c) {
    // A cancelled batch launches no further chunk, as the CPU backend begins no further fit; the
    // weightings of the chunks not launched keep best_start = -1. A chunk in flight runs out.
    if (req.cancel && req.cancel->load(std::memory_order_relaxed)) break;
    Slot& s = slots[static_cast<std::size_t>(c % config.streams)];
    if (s.count > 0) collect_chunk<P>(s, n_starts, keep_all, out);
    s.first = c * chunk;
    s.count = std::min(chunk, n_weightings - s.first);
    launch_chunk<P>(s, staged, req, options, kernel);
  }
  for (Slot& s : slots)
    if (s.count > 0) collect_chunk<P>(s, n_starts, keep_all, out);

  if (stats) {
    stats->chunks = c;
    stats->weightings_per_chunk = chunk;
    stats->device_bytes = device_bytes;
    stats->points_in_shared = staged.stage_points;
    stats->registers_per_thread = kernel.registers();
  }
  return out;
}

template <class Law, int Shard, bool Active>
std::vector<FitResult> ShardEntry<Law, Shard, Active>::run(const LawEntry& law,
                                                          const BatchRequest& req,
                                                          const LaunchConfig& config,
                                                          RunStats* stats) {
  return run_batch<Law::kParams>(law, req, config, stats, BuiltinFitKernel<Law>{});
}

}  // namespace shannonfit::cuda::detail

// Instantiates the drivers (and so the kernels) of the laws that belong to shard SF_SHARD.
#define SF_CUDA_INSTANTIATE_SHARD(Law)                                                    \
  template struct shannonfit::cuda::detail::ShardEntry<                                    \
      Law, shannonfit::cuda::detail::shard_of<Law>() == SF_SHARD ? SF_SHARD : -1 - SF_SHARD>;
