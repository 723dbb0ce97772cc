#pragma once
// One macro marks every function that must compile for both the host and a CUDA device, so the
// per-fit solver and the laws are written once and called from both batch drivers.
#if defined(__CUDACC__)
#define SF_HD __host__ __device__
#define SF_INLINE __forceinline__
#elif defined(__GNUC__)
#define SF_HD
// Forced as on the device: GCC otherwise keeps log_sum_exp<Jet> and the Jet exp/log out of
// line, and every Jet then travels through the stack, a large share of the host fit's time.
#define SF_INLINE inline __attribute__((always_inline))
#else
#define SF_HD
#define SF_INLINE inline
#endif

// Fully unrolls a loop of constant trip count on the device, where a rolled loop over a
// per-thread array indexes it dynamically and moves it to local memory. The host compiler
// keeps its own unrolling choices.
#if defined(__CUDA_ARCH__)
#define SF_UNROLL _Pragma("unroll")
#else
#define SF_UNROLL
#endif

#include <cmath>

namespace shannonfit {

// Largest parameter count of any shipped law; host-side result records are sized by it.
constexpr int kMaxParams = 10;

// Plain-number math under the names the laws call unqualified, so that one law body serves
// double, float, Jets (overloads in jet.hpp) and Eigen's AutoDiffScalar (found by ADL).
SF_HD SF_INLINE double exp(double x) { return ::exp(x); }
SF_HD SF_INLINE double log(double x) { return ::log(x); }
SF_HD SF_INLINE double log1p(double x) { return ::log1p(x); }
SF_HD SF_INLINE double sqrt(double x) { return ::sqrt(x); }
SF_HD SF_INLINE float exp(float x) { return ::expf(x); }
SF_HD SF_INLINE float log(float x) { return ::logf(x); }
SF_HD SF_INLINE float log1p(float x) { return ::log1pf(x); }
SF_HD SF_INLINE float sqrt(float x) { return ::sqrtf(x); }

SF_HD SF_INLINE double value_of(double x) { return x; }
SF_HD SF_INLINE float value_of(float x) { return x; }

}  // namespace shannonfit
