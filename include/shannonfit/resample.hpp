#pragma once
// Counter-based bootstrap draws (Random123 Philox4x32-10), written once for host and device.
//
// The key is the seed and the counter is (resample index, draw index), so draw i of resample r
// under seed s is a pure function of (s, r, i): the same on the CPU and on a GPU, for any thread
// count, and however the resamples are split into chunks, ranks or restarts. No generator state
// is carried from one resample to the next.
#include <Random123/philox.h>

#include <cstdint>

#include "shannonfit/config.hpp"

namespace shannonfit {

// 64 random bits for draw `draw` of resample `resample`. One Philox block gives 128 bits, i.e.
// two consecutive draws.
SF_HD SF_INLINE std::uint64_t philox_bits(std::uint64_t seed, std::uint64_t resample,
                                          std::uint64_t draw) {
  const std::uint64_t block = draw >> 1;
  r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(block),
                                     static_cast<std::uint32_t>(block >> 32),
                                     static_cast<std::uint32_t>(resample),
                                     static_cast<std::uint32_t>(resample >> 32)}};
  r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  const r123::Philox4x32::ctr_type out = r123::Philox4x32()(ctr, key);
  const int half = static_cast<int>(draw & 1) * 2;
  return (static_cast<std::uint64_t>(out[half + 1]) << 32) | out[half];
}

// Uniform on [0, 1) with 53 random bits.
SF_HD SF_INLINE double philox_uniform(std::uint64_t seed, std::uint64_t resample,
                                      std::uint64_t draw) {
  return static_cast<double>(philox_bits(seed, resample, draw) >> 11) * 0x1.0p-53;
}

// Uniform integer in [0, n): the high word of bits × n (Lemire), whose bias is below n / 2^64.
SF_HD SF_INLINE std::uint32_t philox_index(std::uint64_t seed, std::uint64_t resample,
                                           std::uint64_t draw, std::uint32_t n) {
  const std::uint64_t bits = philox_bits(seed, resample, draw);
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint32_t>(__umul64hi(bits, n));
#else
  return static_cast<std::uint32_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
#endif
}

// Case resampling: n draws with replacement from n points; each point's weight is the number of
// times it was drawn times its own weight (user_weights may be null: all ones).
SF_HD SF_INLINE void case_weights(std::uint64_t seed, std::uint64_t resample, int n,
                                  const double* user_weights, double* out) {
  for (int i = 0; i < n; ++i) out[i] = 0.0;
  for (int j = 0; j < n; ++j)
    out[philox_index(seed, resample, static_cast<std::uint64_t>(j), static_cast<std::uint32_t>(n))] +=
        1.0;
  if (user_weights)
    for (int i = 0; i < n; ++i) out[i] *= user_weights[i];
}

// Cluster resampling: n_groups draws with replacement from the groups; every point of a group
// drawn k times gets weight k times its own weight. group_counts is caller scratch of n_groups.
SF_HD SF_INLINE void cluster_weights(std::uint64_t seed, std::uint64_t resample, int n,
                                     const int* group, int n_groups, const double* user_weights,
                                     int* group_counts, double* out) {
  for (int g = 0; g < n_groups; ++g) group_counts[g] = 0;
  for (int j = 0; j < n_groups; ++j)
    ++group_counts[philox_index(seed, resample, static_cast<std::uint64_t>(j),
                                static_cast<std::uint32_t>(n_groups))];
  for (int i = 0; i < n; ++i)
    out[i] = group_counts[group[i]] * (user_weights ? user_weights[i] : 1.0);
}

// Residual resampling: target_i = fitted_i + residual_j with j drawn uniformly, in the space the
// law is fitted in. The design (N, D, weights) stays fixed.
SF_HD SF_INLINE void residual_targets(std::uint64_t seed, std::uint64_t resample, int n,
                                      const double* fitted, const double* residuals, double* out) {
  for (int i = 0; i < n; ++i)
    out[i] = fitted[i] + residuals[philox_index(seed, resample, static_cast<std::uint64_t>(i),
                                                static_cast<std::uint32_t>(n))];
}

}  // namespace shannonfit
