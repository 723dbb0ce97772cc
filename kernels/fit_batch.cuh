#pragma once
// The batched fit kernel and its host driver, templated on the law. Included only by the
// kernels/fit_shard_<k>.cu files, each of which instantiates its share of SF_FOR_EACH_LAW.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cuda_support.cuh"
#include "records.cuh"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/lm.hpp"

namespace shannonfit::cuda::detail {

// Threads per block of the fit kernel. Four warps keep blocks small enough that the last,
// partly filled block of a chunk wastes little, and let the register budget (see
// tests/unit_cuda_resources.cpp) decide occupancy rather than the block shape.
constexpr int kFitBlock = 128;
// Points are staged in shared memory when their arrays fit in the 48 KiB every block may use
// without an opt-in; larger datasets are read from global memory through the L1 cache.
constexpr std::size_t kSharedStageBytes = 48 * 1024;
// A chunk should hold enough fits to fill an H100 (132 SMs × up to 2048 resident threads) with
// room to spare, or the GPU idles while chunks are swapped.
constexpr long kMinFitsPerChunk = 1L << 18;

template <typename S>
struct ChunkArgs {
  PointsView<S> points;   // device global memory; x is null when the dataset has none
  const S* weights;       // null: every point weighs 1
  long weight_stride;     // elements between two weightings' rows; 0 when they share one row
  const S* targets;       // null: the points' own targets; else one row of n per weighting
  const S* starts;        // n_starts rows of P values (of the chunk's first weighting)
  long starts_stride;     // elements between two weightings' starts; 0 when they share one set
  int n_starts;
  long n_fits;            // weightings in this chunk × n_starts, weighting-major
  bool stage_points;      // copy the points into shared memory first
  S* records;             // n_fits rows of RecordLayout<P>::kWidth
};

// One thread per (weighting, start) fit. Each thread runs the whole LM loop of its fit and
// stops on its own test, so a converged fit never waits on the host or on a batch-wide test.
template <class Law, typename S>
__global__ void __launch_bounds__(kFitBlock)
    fit_kernel(const ChunkArgs<S> a, const SolverOptions<S, Law::kParams> options) {
  constexpr int P = Law::kParams;
  using L = RecordLayout<P>;
  extern __shared__ __align__(16) unsigned char sf_shared_bytes[];

  PointsView<S> points = a.points;
  if (a.stage_points) {
    // Every thread of the block helps copy, including those past the end of the chunk, and
    // all of them reach the barrier before any returns.
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
  const long weighting = fit / a.n_starts;
  const int start = static_cast<int>(fit - weighting * a.n_starts);
  const S* weights = a.weights ? a.weights + weighting * a.weight_stride : nullptr;
  if (a.targets) points.target = a.targets + weighting * points.n;

  const FitState<S, P> st = fit_one<Law, S, DeviceSolve>(
      points, weights, a.starts + weighting * a.starts_stride + start * P, options);

  S* rec = a.records + fit * L::kWidth;
  for (int k = 0; k < P; ++k) rec[L::kParams + k] = st.params[k];
  for (int k = 0; k < packed_size<P>(); ++k) rec[L::kNormal + k] = st.normal[k];
  rec[L::kCost] = st.cost;
  rec[L::kRss] = st.rss;
  rec[L::kIterations] = static_cast<S>(st.iterations);
  rec[L::kStatus] = static_cast<S>(static_cast<int>(st.status));
}

template <int P>
FitResult record_to_result(const double* rec, int start, int failed_starts) {
  using L = RecordLayout<P>;
  FitResult r;
  r.n_params = P;
  for (int k = 0; k < P; ++k) r.params[k] = rec[L::kParams + k];
  for (int k = 0; k < packed_size<P>(); ++k) r.normal[k] = rec[L::kNormal + k];
  r.cost = rec[L::kCost];
  r.rss = rec[L::kRss];
  r.iterations = static_cast<int>(rec[L::kIterations]);
  r.status = static_cast<FitStatus>(static_cast<int>(rec[L::kStatus]));
  r.best_start = start;
  r.failed_starts = failed_starts;
  return r;
}

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
                             int rows_per_weighting, bool data_weights, bool keep_all, int width, int best_width) {
  constexpr std::size_t kReal = sizeof(double);
  ChunkPlan plan;
  plan.shared_bytes =
      kReal * ((has_x ? 4 : 3) * n_points + start_values +
               (data_weights ? n_points : 0));
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

template <class Law>
std::vector<FitResult> run_batch(const LawEntry& law, const BatchRequest& req,
                                 const LaunchConfig& config, RunStats* stats) {
  using S = double;
  constexpr int P = Law::kParams;
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

  const PreparedPoints prepared = prepare_points(data, req.options.space);
  const bool has_x = !prepared.x.empty();
  const bool copy_weights = req.weights != nullptr;
  const bool copy_targets = req.targets != nullptr;
  const bool data_weights = !copy_weights && !data.weight.empty();
  const ChunkPlan plan =
      plan_chunks(config, n_weightings, n_starts, req.starts.size(), n, has_x, int{copy_weights} + int{copy_targets},
                  data_weights, keep_all, L::kWidth, L::kBestWidth);
  const long chunk = plan.weightings_per_chunk;

  // Data every chunk reads: points as [ln N | ln D | target | x], the starts, the data's weights.
  DeviceBuffer<S> d_points((has_x ? 4 : 3) * n);
  DeviceBuffer<S> d_starts(req.starts.size());
  DeviceBuffer<S> d_data_weights(data_weights ? n : 0);
  {
    std::vector<S> packed;
    packed.reserve(d_points.size());
    for (const auto* column : {&prepared.ln_n, &prepared.ln_d, &prepared.target})
      packed.insert(packed.end(), column->begin(), column->end());
    if (has_x) packed.insert(packed.end(), prepared.x.begin(), prepared.x.end());
    SF_CUDA_CHECK(cudaMemcpy(d_points.get(), packed.data(), d_points.bytes(), cudaMemcpyHostToDevice));
    SF_CUDA_CHECK(cudaMemcpy(d_starts.get(), req.starts.data(), d_starts.bytes(), cudaMemcpyHostToDevice));
    if (data_weights)
      SF_CUDA_CHECK(cudaMemcpy(d_data_weights.get(), data.weight.data(), d_data_weights.bytes(),
                               cudaMemcpyHostToDevice));
  }

  ChunkArgs<S> args{};
  args.points = {d_points.get(), d_points.get() + n, has_x ? d_points.get() + 3 * n : nullptr,
                 d_points.get() + 2 * n, static_cast<int>(n)};
  args.starts = d_starts.get();
  args.starts_stride = req.starts_per_weighting ? n_starts * P : 0;
  args.n_starts = static_cast<int>(n_starts);
  const std::size_t stage_bytes = d_points.bytes();
  args.stage_points = n > 0 && stage_bytes <= kSharedStageBytes;
  const std::size_t dynamic_shared = args.stage_points ? stage_bytes : 0;
  const SolverOptions<S, P> options = solver_options<P>(law.info, req.options);

  const std::size_t out_width = keep_all ? n_starts * L::kWidth : L::kBestWidth;
  std::vector<Slot> slots(static_cast<std::size_t>(config.streams));
  std::size_t device_bytes = d_points.bytes() + d_starts.bytes() + d_data_weights.bytes();
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

  auto collect = [&](Slot& s) {
    s.stream.synchronize();
    const S* h = s.host_out.get();
    if (keep_all) {
      for (long i = 0; i < s.count * n_starts; ++i) {
        const S* rec = h + i * L::kWidth;
        const int start = static_cast<int>(i % n_starts);
        const bool ok = converged(static_cast<FitStatus>(static_cast<int>(rec[L::kStatus])));
        out[s.first * n_starts + i] = record_to_result<P>(rec, start, ok ? 0 : 1);
      }
    } else {
      for (long i = 0; i < s.count; ++i) {
        const S* rec = h + i * L::kBestWidth;
        out[s.first + i] = record_to_result<P>(rec, static_cast<int>(rec[L::kBestStart]),
                                               static_cast<int>(rec[L::kFailedStarts]));
      }
    }
    s.count = 0;
  };

  const long n_chunks = (n_weightings + chunk - 1) / chunk;
  long c = 0;  // after the loop: the chunks launched
  for (; c < n_chunks; ++c) {
    // A cancelled batch launches no further chunk, as the CPU backend begins no further fit; the
    // weightings of the chunks not launched keep best_start = -1. A chunk in flight runs out.
    if (req.cancel && req.cancel->load(std::memory_order_relaxed)) break;
    Slot& s = slots[static_cast<std::size_t>(c % config.streams)];
    if (s.count > 0) collect(s);
    s.first = c * chunk;
    s.count = std::min(chunk, n_weightings - s.first);
    const cudaStream_t stream = s.stream.get();

    // The chunk's rows of a per-weighting input, staged through pinned memory so the copy is
    // asynchronous and overlaps the other streams' kernels.
    auto upload_rows = [&](const S* rows, PinnedBuffer<S>& host, DeviceBuffer<S>& device) {
      const std::size_t count = static_cast<std::size_t>(s.count) * n;
      std::memcpy(host.get(), rows + s.first * n, count * sizeof(S));
      SF_CUDA_CHECK(cudaMemcpyAsync(device.get(), host.get(), count * sizeof(S),
                                    cudaMemcpyHostToDevice, stream));
      return static_cast<const S*>(device.get());
    };
    ChunkArgs<S> a = args;
    a.starts = args.starts + s.first * args.starts_stride;
    a.targets = copy_targets ? upload_rows(req.targets, s.host_targets, s.targets) : nullptr;
    if (copy_weights) {
      a.weights = upload_rows(req.weights, s.host_weights, s.weights);
      a.weight_stride = static_cast<long>(n);
    } else {
      a.weights = data_weights ? d_data_weights.get() : nullptr;
      a.weight_stride = 0;
    }
    a.n_fits = s.count * n_starts;
    a.records = s.records.get();
    const unsigned blocks = static_cast<unsigned>((a.n_fits + kFitBlock - 1) / kFitBlock);
    fit_kernel<Law, S><<<blocks, kFitBlock, dynamic_shared, stream>>>(a, options);
    SF_CUDA_CHECK(cudaGetLastError());

    if (keep_all) {
      SF_CUDA_CHECK(cudaMemcpyAsync(s.host_out.get(), s.records.get(),
                                    a.n_fits * L::kWidth * sizeof(S), cudaMemcpyDeviceToHost,
                                    stream));
    } else {
      launch_select_best(s.records.get(), L::kWidth, L::kCost, L::kStatus, args.n_starts,
                         s.count, s.best.get(), stream);
      SF_CUDA_CHECK(cudaMemcpyAsync(s.host_out.get(), s.best.get(),
                                    s.count * L::kBestWidth * sizeof(S), cudaMemcpyDeviceToHost,
                                    stream));
    }
  }
  for (Slot& s : slots)
    if (s.count > 0) collect(s);

  if (stats) {
    cudaFuncAttributes attributes{};
    SF_CUDA_CHECK(cudaFuncGetAttributes(&attributes, fit_kernel<Law, S>));
    stats->chunks = c;
    stats->weightings_per_chunk = chunk;
    stats->device_bytes = device_bytes;
    stats->points_in_shared = args.stage_points;
    stats->registers_per_thread = attributes.numRegs;
  }
  return out;
}

template <class Law, int Shard, bool Active>
std::vector<FitResult> ShardEntry<Law, Shard, Active>::run(const LawEntry& law,
                                                          const BatchRequest& req,
                                                          const LaunchConfig& config,
                                                          RunStats* stats) {
  return run_batch<Law>(law, req, config, stats);
}

}  // namespace shannonfit::cuda::detail

// Instantiates the drivers (and so the kernels) of the laws that belong to shard SF_SHARD.
#define SF_CUDA_INSTANTIATE_SHARD(Law)                                                    \
  template struct shannonfit::cuda::detail::ShardEntry<                                    \
      Law, shannonfit::cuda::detail::shard_of<Law>() == SF_SHARD ? SF_SHARD : -1 - SF_SHARD>;
