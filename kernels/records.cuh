#pragma once
// How one fit's result is laid out in device memory and in the copies that come back: a row of
// plain numbers of the solver's type, so the law-independent kernels (best-start selection) and
// the host unpacking need only the row width and two offsets.
#include <cuda_runtime.h>

#include "shannonfit/small_linalg.hpp"

namespace shannonfit::cuda::detail {

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

// Writes, for each of n_weightings consecutive groups of n_starts records, the record that
// better_fit ranks first (lowest finite cost, ties to the lower start index) followed by its
// start index and the number of its group's starts that did not converge. One warp per group.
void launch_select_best(const double* records, int width, int cost_at, int status_at,
                        int n_starts, long n_weightings, double* best, cudaStream_t stream);

}  // namespace shannonfit::cuda::detail
