#pragma once
// Several points' law evaluations at once, one point per SIMD lane (host only).
//
// linearize evaluates a block of points on Jets; with P = 5 a Jet's derivatives fill one
// 4-wide vector and a spare lane, and each point's exp/log is a libm call on one number. A Jet
// whose value and derivatives are each 4 points wide (Jet<Lanes4, P>) keeps every vector full,
// and exp/log below work on the 4 lanes together (lane_linearize.hpp, bench/README.md).
//
// Lanes4 is a native 4-wide vector (one AVX register); Lanes4P is two 2-wide halves (SSE2).
// The two perform the same IEEE operations in the same order on each lane, and nothing here
// contracts a multiply-add, so a fit gives bit-identical results with either: the AVX2 build of
// the solver uses Lanes4 and the portable one Lanes4P (src/cpu/batch_cpu.hpp), where a 4-wide
// vector of the generic kind would be split through memory.
//
// A law evaluates on lanes only if its log_loss never branches on a value that depends on the
// point (Law::kPointLanes, lane_linearize.hpp): comparisons here give one answer per lane, and
// the helpers that do branch (log_sum_exp, the Shannon laws' log_log1p_exp, math.hpp's branch on
// x) have lane versions that pick each lane's branch with select().
#include <cmath>
#include <cstdint>

#include "shannonfit/jet.hpp"
#include "shannonfit/math.hpp"

namespace shannonfit {

namespace lanes_detail {
typedef double V2 __attribute__((vector_size(16)));
typedef std::int64_t I2 __attribute__((vector_size(16)));
typedef std::uint64_t U2 __attribute__((vector_size(16)));
typedef double V4 __attribute__((vector_size(32)));
typedef std::int64_t I4 __attribute__((vector_size(32)));
typedef std::uint64_t U4 __attribute__((vector_size(32)));

template <class V>
SF_INLINE V broadcast(double s) { return V{} + s; }

// Lanes whose argument is outside these ranges (huge, subnormal, zero, negative, Inf, NaN)
// take libm's exp/log, so every special case is libm's. One test per call, rarely taken.
template <class V, class I>
SF_INLINE bool any_lane(I m) {
  std::int64_t r = 0;
  for (unsigned l = 0; l < sizeof(V) / sizeof(double); ++l) r |= m[l];
  return r != 0;
}

// exp(x) = 2^k exp(r), k the integer nearest x / ln 2, |r| <= ln 2 / 2 (Cody–Waite reduction
// in two parts, k ln2_hi exact); exp(r) - 1 by its Taylor series to r^13 (truncation below
// 1e-17). Within 1 ulp of glibc's exp (tests/unit_lanes.cpp).
template <class V, class I>
SF_INLINE V exp_lanes(V x) {
  const I outside = ~((x > -708.0) & (x < 708.0));
  constexpr double kInvLn2 = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 32 significant bits
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  const V shifted = x * kInvLn2 + kShift;
  const V kd = shifted - kShift;
  const I k = (I)shifted - (I)broadcast<V>(kShift);
  const V r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  const V p =
      r + r * r *
              (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 +
              r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 +
              r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0))))))))))));
  V y = (1.0 + p) * (V)((k + 1023) << 52);  // |k| <= 1022: 2^k is a normal double
  if (__builtin_expect(any_lane<V, I>(outside), 0))
    for (unsigned l = 0; l < sizeof(V) / sizeof(double); ++l)
      if (outside[l]) y[l] = std::exp(x[l]);
  return y;
}

// log(x) = e ln 2 + log(1 + f), 1 + f = x / 2^e in [sqrt(2)/2, sqrt(2)); log(1 + f) as in
// fdlibm's e_log.c (s = f / (2 + f), a minimax polynomial in s^2, the f^2/2 split). Within
// 1 ulp of glibc's log (tests/unit_lanes.cpp).
template <class V, class I, class U>
SF_INLINE V log_lanes(V x) {
  const I outside = ~((x >= 2.2250738585072014e-308) & (x <= 1.7976931348623157e308));
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kLg1 = 6.666666666666735130e-01, kLg2 = 3.999999999940941908e-01,
                   kLg3 = 2.857142874366239149e-01, kLg4 = 2.222219843214978396e-01,
                   kLg5 = 1.818357216161805012e-01, kLg6 = 1.531383769920937332e-01,
                   kLg7 = 1.479819860511658591e-01;
  const U bits = (U)x;
  // Adding 1.0's bits less those of sqrt(2)/2 moves the exponent's step to sqrt(2); the biased
  // exponent then comes out of an unsigned shift (no 64-bit arithmetic shift before AVX-512).
  const U biased = bits + (0x3FF0000000000000ULL - 0x3FE6A09E667F3BCDULL);
  const U e_biased = biased >> 52;
  const V m = (V)(bits - (e_biased << 52) + (1023ULL << 52));
  // e as a double without a 64-bit integer conversion: 2^52 + e_biased, less 2^52 + 1023.
  const V dk = (V)(e_biased | 0x4330000000000000ULL) - (4503599627370496.0 + 1023.0);
  const V f = m - 1.0;
  const V s = f / (2.0 + f);
  const V z = s * s;
  const V w = z * z;
  const V t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const V t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const V hfsq = 0.5 * f * f;
  V y = dk * kLn2Hi - ((hfsq - (s * (hfsq + t1 + t2) + dk * kLn2Lo)) - f);
  if (__builtin_expect(any_lane<V, I>(outside), 0))
    for (unsigned l = 0; l < sizeof(V) / sizeof(double); ++l)
      if (outside[l]) y[l] = std::log(x[l]);
  return y;
}

}  // namespace lanes_detail

// 4 lanes in one vector. Masks are all-ones (true) or zero per lane.
struct Lanes4 {
  using V = lanes_detail::V4;
  using Mask = lanes_detail::I4;
  static constexpr int kWidth = 4;
  V v;
  Lanes4() = default;
  Lanes4(double s) : v(lanes_detail::broadcast<V>(s)) {}  // NOLINT: a constant is every lane's
  explicit Lanes4(V x) : v(x) {}
  static Lanes4 load(const double* p) { return Lanes4(V{p[0], p[1], p[2], p[3]}); }
  double lane(int l) const { return v[l]; }
};
SF_INLINE Lanes4 operator+(Lanes4 a, Lanes4 b) { return Lanes4(a.v + b.v); }
SF_INLINE Lanes4 operator-(Lanes4 a, Lanes4 b) { return Lanes4(a.v - b.v); }
SF_INLINE Lanes4 operator*(Lanes4 a, Lanes4 b) { return Lanes4(a.v * b.v); }
SF_INLINE Lanes4 operator/(Lanes4 a, Lanes4 b) { return Lanes4(a.v / b.v); }
SF_INLINE Lanes4 operator-(Lanes4 a) { return Lanes4(-a.v); }
SF_INLINE Lanes4& operator+=(Lanes4& a, Lanes4 b) { return a = a + b; }
SF_INLINE Lanes4::Mask less(Lanes4 a, Lanes4 b) { return a.v < b.v; }
SF_INLINE Lanes4::Mask less_equal(Lanes4 a, Lanes4 b) { return a.v <= b.v; }
SF_INLINE Lanes4 abs(Lanes4 a) { return Lanes4(a.v < 0.0 ? -a.v : a.v); }
SF_INLINE Lanes4 select(Lanes4::Mask m, Lanes4 a, Lanes4 b) {
  using I = Lanes4::Mask;
  return Lanes4((Lanes4::V)((m & (I)a.v) | (~m & (I)b.v)));
}
template <>
struct LaneMask<Lanes4::Mask> {
  static bool set(const Lanes4::Mask& m, int l) { return m[l] != 0; }
  static bool none(const Lanes4::Mask& m) { return (m[0] | m[1] | m[2] | m[3]) == 0; }
  static bool all(const Lanes4::Mask& m) { return (m[0] & m[1] & m[2] & m[3]) != 0; }
};
SF_INLINE Lanes4 exp(Lanes4 a) {
  return Lanes4(lanes_detail::exp_lanes<Lanes4::V, Lanes4::Mask>(a.v));
}
SF_INLINE Lanes4 log(Lanes4 a) {
  return Lanes4(lanes_detail::log_lanes<Lanes4::V, Lanes4::Mask, lanes_detail::U4>(a.v));
}

// quant-degradation's bits read from x, on the point's x alone (not on a Jet): libm per lane.
SF_INLINE Lanes4 log1p(Lanes4 a) {
  for (int l = 0; l < 4; ++l) a.v[l] = std::log1p(a.v[l]);
  return a;
}

// 4 lanes as two 2-wide vectors: lanes 0-1 in lo, 2-3 in hi.
struct Lanes4P {
  using V = lanes_detail::V2;
  using I = lanes_detail::I2;
  struct Mask {
    I lo, hi;
  };
  static constexpr int kWidth = 4;
  V lo, hi;
  Lanes4P() = default;
  Lanes4P(double s)  // NOLINT: a constant is every lane's
      : lo(lanes_detail::broadcast<V>(s)), hi(lanes_detail::broadcast<V>(s)) {}
  Lanes4P(V l, V h) : lo(l), hi(h) {}
  static Lanes4P load(const double* p) { return {V{p[0], p[1]}, V{p[2], p[3]}}; }
  double lane(int l) const { return l < 2 ? lo[l] : hi[l - 2]; }
};
SF_INLINE Lanes4P operator+(Lanes4P a, Lanes4P b) { return {a.lo + b.lo, a.hi + b.hi}; }
SF_INLINE Lanes4P operator-(Lanes4P a, Lanes4P b) { return {a.lo - b.lo, a.hi - b.hi}; }
SF_INLINE Lanes4P operator*(Lanes4P a, Lanes4P b) { return {a.lo * b.lo, a.hi * b.hi}; }
SF_INLINE Lanes4P operator/(Lanes4P a, Lanes4P b) { return {a.lo / b.lo, a.hi / b.hi}; }
SF_INLINE Lanes4P operator-(Lanes4P a) { return {-a.lo, -a.hi}; }
SF_INLINE Lanes4P& operator+=(Lanes4P& a, Lanes4P b) { return a = a + b; }
SF_INLINE Lanes4P::Mask operator&(Lanes4P::Mask a, Lanes4P::Mask b) {
  return {a.lo & b.lo, a.hi & b.hi};
}
SF_INLINE Lanes4P::Mask operator|(Lanes4P::Mask a, Lanes4P::Mask b) {
  return {a.lo | b.lo, a.hi | b.hi};
}
SF_INLINE Lanes4P::Mask operator~(Lanes4P::Mask a) { return {~a.lo, ~a.hi}; }
SF_INLINE Lanes4P::Mask less(Lanes4P a, Lanes4P b) { return {a.lo < b.lo, a.hi < b.hi}; }
SF_INLINE Lanes4P::Mask less_equal(Lanes4P a, Lanes4P b) { return {a.lo <= b.lo, a.hi <= b.hi}; }
SF_INLINE Lanes4P abs(Lanes4P a) {
  return {a.lo < 0.0 ? -a.lo : a.lo, a.hi < 0.0 ? -a.hi : a.hi};
}
SF_INLINE Lanes4P select(Lanes4P::Mask m, Lanes4P a, Lanes4P b) {
  using I = Lanes4P::I;
  using V = Lanes4P::V;
  return {(V)((m.lo & (I)a.lo) | (~m.lo & (I)b.lo)), (V)((m.hi & (I)a.hi) | (~m.hi & (I)b.hi))};
}
template <>
struct LaneMask<Lanes4P::Mask> {
  static bool set(const Lanes4P::Mask& m, int l) { return (l < 2 ? m.lo[l] : m.hi[l - 2]) != 0; }
  static bool none(const Lanes4P::Mask& m) { return (m.lo[0] | m.lo[1] | m.hi[0] | m.hi[1]) == 0; }
  static bool all(const Lanes4P::Mask& m) { return (m.lo[0] & m.lo[1] & m.hi[0] & m.hi[1]) != 0; }
};
SF_INLINE Lanes4P exp(Lanes4P a) {
  using namespace lanes_detail;
  return {exp_lanes<V2, I2>(a.lo), exp_lanes<V2, I2>(a.hi)};
}
SF_INLINE Lanes4P log(Lanes4P a) {
  using namespace lanes_detail;
  return {log_lanes<V2, I2, U2>(a.lo), log_lanes<V2, I2, U2>(a.hi)};
}
SF_INLINE Lanes4P log1p(Lanes4P a) {
  using V = Lanes4P::V;
  return {V{std::log1p(a.lo[0]), std::log1p(a.lo[1])},
          V{std::log1p(a.hi[0]), std::log1p(a.hi[1])}};
}

// Lane-wise choice between two Jets: each lane's value and derivatives from a where m is set.
template <class L, int P>
SF_INLINE Jet<L, P> select(const typename L::Mask& m, const Jet<L, P>& a, const Jet<L, P>& b) {
  Jet<L, P> r;
  r.a = select(m, a.a, b.a);
  for (int i = 0; i < P; ++i) r.v[i] = select(m, a.v[i], b.v[i]);
  return r;
}

template <int P>
struct IsLaneJet<Jet<Lanes4, P>> {
  static constexpr bool value = true;
};
template <int P>
struct IsLaneJet<Jet<Lanes4P, P>> {
  static constexpr bool value = true;
};

// log_sum_exp on lanes: per lane, the same operations in the same order as the scalar
// log_sum_exp's branch for that lane's largest term (math.hpp), so a lane's result is the scalar
// one up to the exp/log above. The largest term's exp(0) = 1 is not computed, as there.
template <class L, int P>
SF_INLINE Jet<L, P> lane_log_sum_exp(const Jet<L, P>& u, const Jet<L, P>& v, const Jet<L, P>& w) {
  const auto uv = less(u.a, v.a), vw = less(v.a, w.a), uw = less(u.a, w.a);
  const auto max_w = (uv & vw) | (~uv & uw);
  const auto max_v = uv & ~vw;
  const auto max_u = ~uv & ~uw;
  const Jet<L, P> m = select(max_w, w, select(max_v, v, u));
  // The other two terms in the order u, v, w.
  const Jet<L, P> e1 = exp(select(max_u, v, u) - m);
  const Jet<L, P> e2 = exp(select(max_w, v, w) - m);
  // Scalar sums: (e_u + e_v) + 1 for w largest, (e_u + 1) + e_w for v, (1 + e_v) + e_w for u.
  // The derivatives are the same sum either way; the values are not.
  Jet<L, P> s = (e1 + e2) + L(1.0);
  s.a = select(max_w, s.a, (e1.a + L(1.0)) + e2.a);
  return m + log(s);
}
template <class L, int P>
SF_INLINE Jet<L, P> lane_log_sum_exp(const Jet<L, P>& u, const Jet<L, P>& v) {
  const auto uv = less(u.a, v.a);
  const Jet<L, P> m = select(uv, v, u);
  // Scalar: v + log(e_u + 1) for v largest, u + log(1 + e_v) for u: the same sum.
  return m + log(exp(select(uv, u, v) - m) + L(1.0));
}

}  // namespace shannonfit
