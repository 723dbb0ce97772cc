#pragma once
// One fit of a batch, as every batch driver sees it. A batch is a range of fit indices; a driver
// is a loop over them (the CPU backend: an OpenMP loop, src/cpu/batch_cpu.hpp; the CUDA backend:
// one thread per index, kernels/fit_batch.cuh), and everything a fit needs besides its solver
// comes from here: which weighting and start an index is, the weights and targets it reads, how
// its result travels, and which of two fits is the better. The reference backend
// (src/reference/) keeps its own loop on purpose, sharing only the order of fits.
//
// NVRTC compiles the device half (everything up to read_record) for formula laws' kernels; the
// host half needs batch.hpp's standard-library types, which NVRTC has not.
#include "shannonfit/config.hpp"
#include "shannonfit/lm.hpp"
#ifndef __CUDACC_RTC__
#include "shannonfit/batch.hpp"
#endif

namespace shannonfit {

// What every fit of a batch reads, in the memory of the processor that runs it.
template <typename S>
struct BatchView {
  PointsView<S> points;  // the shared points; their targets are replaced when `targets` is set
  const S* weights;      // null: every point weighs 1
  long weight_stride;    // elements between two weightings' weights; 0 when they share one row
  const S* targets;      // null, or one row of points.n targets per weighting
  const S* starts;       // P values per start
  long starts_stride;    // elements between two weightings' starts; 0 when they share one set
  long n_starts;         // starts per weighting; fit index = weighting * n_starts + start
};

// Fit `index` of a batch: weighting-major, so a weighting's starts are consecutive.
template <typename S>
struct FitItem {
  long weighting;
  int start;
  PointsView<S> points;
  const S* weights;
  const S* start_values;
};

template <int P, typename S>
SF_HD SF_INLINE FitItem<S> fit_item(const BatchView<S>& b, long index) {
  FitItem<S> item;
  item.weighting = index / b.n_starts;
  item.start = static_cast<int>(index - item.weighting * b.n_starts);
  item.points = b.points;
  if (b.targets) item.points.target = b.targets + item.weighting * b.points.n;
  item.weights = b.weights ? b.weights + item.weighting * b.weight_stride : nullptr;
  item.start_values = b.starts + item.weighting * b.starts_stride + item.start * P;
  return item;
}

// The order in which a batch ranks fits: a finite cost before a non-finite one, then the lower
// cost, then the lower start index. It is strict and total, so any reduction over it (the CPU
// driver's fold, the device's warp tree, the reference's loop) finds the same winner in any
// order. better_fit (batch.hpp) is this order on FitResults.
struct FitRank {
  bool finite;
  double cost;
  int start;
};
SF_HD SF_INLINE FitRank fit_rank(double cost, int start) {
  return {detail::finite(cost), cost, start};
}
SF_HD SF_INLINE bool precedes(const FitRank& a, const FitRank& b) {
  if (a.finite != b.finite) return a.finite;
  if (a.finite && a.cost != b.cost) return a.cost < b.cost;
  return a.start < b.start;
}

// How a fit's result travels between processors: a row of plain numbers of the solver's type,
// so the law-independent kernels (best-start selection) and the host's unpacking need only the
// row width and two offsets.
template <int P>
struct RecordLayout {
  static constexpr int kParams = 0;                         // P solver parameters
  static constexpr int kNormal = P;                         // packed J^T W J
  static constexpr int kCost = P + packed_size<P>();
  static constexpr int kRss = kCost + 1;
  static constexpr int kIterations = kCost + 2;
  static constexpr int kStatus = kCost + 3;
  static constexpr int kWidth = kCost + 4;                  // one (weighting, start) fit
  // A weighting's winner: its record, then the winning start index and the failed-start count.
  static constexpr int kBestStart = kWidth;
  static constexpr int kFailedStarts = kWidth + 1;
  static constexpr int kBestWidth = kWidth + 2;
};

template <typename S, int P>
SF_HD SF_INLINE void write_record(const FitState<S, P>& st, S* row) {
  using L = RecordLayout<P>;
  for (int k = 0; k < P; ++k) row[L::kParams + k] = st.params[k];
  for (int k = 0; k < packed_size<P>(); ++k) row[L::kNormal + k] = st.normal[k];
  row[L::kCost] = st.cost;
  row[L::kRss] = st.rss;
  row[L::kIterations] = static_cast<S>(st.iterations);
  row[L::kStatus] = static_cast<S>(static_cast<int>(st.status));
}

template <typename S, int P>
SF_HD SF_INLINE FitState<S, P> read_record(const S* row) {
  using L = RecordLayout<P>;
  FitState<S, P> st;
  for (int k = 0; k < P; ++k) st.params[k] = row[L::kParams + k];
  for (int k = 0; k < packed_size<P>(); ++k) st.normal[k] = row[L::kNormal + k];
  st.cost = row[L::kCost];
  st.rss = row[L::kRss];
  st.iterations = static_cast<int>(row[L::kIterations]);
  st.status = static_cast<FitStatus>(static_cast<int>(row[L::kStatus]));
  return st;
}

#ifndef __CUDACC_RTC__
// A fit's state as the host reports it: from start `start` of its weighting, standing for
// `failed_starts` starts that did not converge (its own failure, or its weighting's count).
template <int P>
FitResult to_result(const FitState<double, P>& st, int start, int failed_starts) {
  FitResult r;
  r.n_params = P;
  for (int k = 0; k < P; ++k) r.params[k] = st.params[k];
  for (int k = 0; k < packed_size<P>(); ++k) r.normal[k] = st.normal[k];
  r.cost = st.cost;
  r.rss = st.rss;
  r.iterations = st.iterations;
  r.status = st.status;
  r.best_start = start;
  r.failed_starts = failed_starts;
  return r;
}
template <int P>
FitResult to_result(const FitState<double, P>& st, int start) {
  return to_result<P>(st, start, converged(st.status) ? 0 : 1);
}

// The batch view of a request whose points, weights, targets and starts are in host memory.
inline BatchView<double> host_batch_view(const BatchRequest& req, const PointsView<double>& points,
                                         int n_params) {
  const bool own_weights = req.weights != nullptr;
  const double* data_weights = req.data->weight.empty() ? nullptr : req.data->weight.data();
  const long n_starts = req.n_starts(n_params);
  return {points,
          own_weights ? req.weights : data_weights,
          own_weights ? static_cast<long>(points.n) : 0,
          req.targets,
          req.starts.data(),
          req.starts_per_weighting ? n_starts * n_params : 0,
          n_starts};
}
#endif  // __CUDACC_RTC__

}  // namespace shannonfit
