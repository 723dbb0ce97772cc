#pragma once
// The tape evaluated on any number type the solver uses (host only; CUDA gets generated code,
// nvrtc.hpp): T is double, Jet<double, P> (exact Jacobian rows) or Jet<Lanes4(P), P> (4 points
// at once, lane_linearize.hpp), S the matching point type. Every operation is the one a built-in
// law writes (law.hpp's log_sum_exp, shannon.hpp's log_log1p_exp), so a formula and the built-in
// law it spells agree to rounding.
//
// Overflow, a logarithm of a negative number or a division by zero give Inf or NaN, never a
// trap: the solver turns a non-finite objective into FitStatus::NonFinite.
#include <limits>
#include <memory>
#include <new>
#include <vector>
#include <type_traits>

#include "shannonfit/formula/param_count.hpp"
#include "shannonfit/formula/tape.hpp"
#include "shannonfit/jet.hpp"
#include "shannonfit/jet_trig.hpp"
#include "shannonfit/lanes.hpp"
#include "shannonfit/law.hpp"
#include "shannonfit/laws/shannon.hpp"

namespace shannonfit {

// sqrt on lanes, which the built-in laws never needed: libm per lane, as log1p there.
SF_INLINE Lanes4 sqrt(Lanes4 a) {
  for (int l = 0; l < 4; ++l) a.v[l] = std::sqrt(a.v[l]);
  return a;
}
SF_INLINE Lanes4P sqrt(Lanes4P a) {
  using V = Lanes4P::V;
  return {V{std::sqrt(a.lo[0]), std::sqrt(a.lo[1])}, V{std::sqrt(a.hi[0]), std::sqrt(a.hi[1])}};
}
// cos, sin and atan on lanes, for formulas that use them (jet_trig.hpp): libm per lane.
#define SF_LANEWISE(f)                                                                     \
  SF_INLINE Lanes4 f(Lanes4 a) {                                                         \
    for (int l = 0; l < 4; ++l) a.v[l] = std::f(a.v[l]);                                 \
    return a;                                                                            \
  }                                                                                      \
  SF_INLINE Lanes4P f(Lanes4P a) {                                                       \
    using V = Lanes4P::V;                                                                \
    return {V{std::f(a.lo[0]), std::f(a.lo[1])}, V{std::f(a.hi[0]), std::f(a.hi[1])}}; \
  }
SF_LANEWISE(cos)
SF_LANEWISE(sin)
SF_LANEWISE(atan)
#undef SF_LANEWISE

namespace formula {
namespace detail {

// a < b as the number type answers it: a bool, or one answer per lane.
template <class T>
SF_INLINE auto value_less(const T& a, const T& b) {
  if constexpr (IsLaneJet<T>::value)
    return less(a.a, b.a);
  else
    return a < b;
}
template <class S>
SF_INLINE auto nonzero(const S& v) {
  if constexpr (std::is_arithmetic<S>::value)
    return v != S(0);
  else
    return less(v, S(0)) | less(S(0), v);
}
template <class C, class R>
SF_INLINE R choose(const C& c, const R& a, const R& b) {
  if constexpr (std::is_same<C, bool>::value)
    return c ? a : b;
  else
    return select(c, a, b);
}

// ln sum e^{v_k} over the listed operands, three at a time through law.hpp's log_sum_exp.
template <class T>
SF_INLINE T log_sum_exp_list(const T* const* v, int n) {
  if (n == 1) return *v[0];
  T acc = n == 2 ? log_sum_exp<T>(*v[0], *v[1]) : log_sum_exp<T>(*v[0], *v[1], *v[2]);
  int k = n == 2 ? 2 : 3;
  for (; k + 1 < n; k += 2) acc = log_sum_exp<T>(acc, *v[k], *v[k + 1]);
  if (k < n) acc = log_sum_exp<T>(acc, *v[k]);
  return acc;
}

}  // namespace detail

// The interpreter's helpers are lambdas; GCC kept them out of line (a call per operation and
// every Jet through memory), so they are forced inline as the laws' functions are (config.hpp).
#define SF_FORMULA_INLINE __attribute__((always_inline))

namespace detail {

// Runs the steps on `m` points at once, point j of slot k at [k * Stride + j]: Stride = 1 for one
// point (the loops over points vanish), a block of points otherwise, so that each step is
// dispatched once per block. The S bank's inputs and constants are already in place.
template <int Stride, class T, class S>
SF_INLINE void run_steps(const Tape& tape, const T* p, S* s, T* t, int m) {
  // A parameter is the same at every point: its "slot" has stride 0.
  auto tv = [&](std::int32_t r, int j) SF_FORMULA_INLINE -> const T& {
    return r >= 0 ? t[r * Stride + j] : p[~r];
  };
  for (const Step& in : tape.steps) {
    // A result is computed whole (in registers) and then stored: built in its slot, a Jet's
    // zeroed derivatives would be stored piecewise and read back at once as vectors, which
    // store forwarding cannot serve (perf: a third of the interpreter's time).
    T* const td = t + in.dst * Stride;
    S* const sd = s + in.dst * Stride;
    const S* const sa = s + in.a * Stride;
    const S* const sb = s + in.b * Stride;
    const bool a_t = in.mix & 2, b_t = in.mix & 1;
    auto put = [](auto* d, const auto& v) SF_FORMULA_INLINE {
      using V = std::remove_reference_t<decltype(*d)>;
      new (d) V(v);
    };
    // f on an operand as a parameter value, promoting a point value.
    auto on_t = [&](std::int32_t r, bool is_t, int j, auto f) SF_FORMULA_INLINE {
      if (is_t) return f(tv(r, j));
      const T promoted(s[r * Stride + j]);
      return f(promoted);
    };
    auto binary = [&](auto f) SF_FORMULA_INLINE {
      switch (in.mix) {
        case kMixSS:
          for (int j = 0; j < m; ++j) put(&sd[j], S(f(sa[j], sb[j])));
          break;
        case kMixST:
          for (int j = 0; j < m; ++j) put(&td[j], T(f(sa[j], tv(in.b, j))));
          break;
        case kMixTS:
          for (int j = 0; j < m; ++j) put(&td[j], T(f(tv(in.a, j), sb[j])));
          break;
        default:
          for (int j = 0; j < m; ++j) put(&td[j], T(f(tv(in.a, j), tv(in.b, j))));
          break;
      }
    };
    auto unary = [&](auto f) SF_FORMULA_INLINE {
      if (a_t)
        for (int j = 0; j < m; ++j) put(&td[j], T(f(tv(in.a, j))));
      else
        for (int j = 0; j < m; ++j) put(&sd[j], S(f(sa[j])));
    };
    switch (in.op) {
      case Op::Add: binary([](const auto& u, const auto& v) SF_FORMULA_INLINE { return u + v; }); break;
      case Op::Sub: binary([](const auto& u, const auto& v) SF_FORMULA_INLINE { return u - v; }); break;
      case Op::Mul: binary([](const auto& u, const auto& v) SF_FORMULA_INLINE { return u * v; }); break;
      case Op::Div: binary([](const auto& u, const auto& v) SF_FORMULA_INLINE { return u / v; }); break;
      case Op::Neg: unary([](const auto& u) SF_FORMULA_INLINE { return -u; }); break;
      case Op::Exp: unary([](const auto& u) SF_FORMULA_INLINE { return exp(u); }); break;
      case Op::Log: unary([](const auto& u) SF_FORMULA_INLINE { return log(u); }); break;
      case Op::Log1p: unary([](const auto& u) SF_FORMULA_INLINE { return log1p(u); }); break;
      case Op::Sqrt: unary([](const auto& u) SF_FORMULA_INLINE { return sqrt(u); }); break;
      case Op::Cos: unary([](const auto& u) SF_FORMULA_INLINE { return cos(u); }); break;
      case Op::Sin: unary([](const auto& u) SF_FORMULA_INLINE { return sin(u); }); break;
      case Op::Atan: unary([](const auto& u) SF_FORMULA_INLINE { return atan(u); }); break;
      case Op::Min:
      case Op::Max:
        for (int j = 0; j < m; ++j)
          on_t(in.a, a_t, j, [&](const T& u) {
            on_t(in.b, b_t, j, [&](const T& v) {
              const bool min = in.op == Op::Min;
              put(&td[j], T(choose(min ? value_less(v, u) : value_less(u, v), v, u)));
              return 0;
            });
            return 0;
          });
        break;
      case Op::PowData:
        for (int j = 0; j < m; ++j) {
          const S& base = sa[j];
          const auto live = nonzero(base);
          const S safe = choose(live, base, S(1));
          on_t(in.b, b_t, j, [&](const T& e) {
            put(&td[j], T(choose(live, T(exp(e * log(safe))), T(0))));
            return 0;
          });
        }
        break;
      case Op::LogSumExp:
        for (int j = 0; j < m; ++j) {
          alignas(T) unsigned char raw[sizeof(T) * Tape::kMaxSlots];
          T* promoted = reinterpret_cast<T*>(raw);
          const T* terms[Tape::kMaxSlots];
          for (int k = 0; k < in.count; ++k) {
            const Ref& r = tape.step_lists[in.index + k];
            if (r.point)
              terms[k] = new (&promoted[k]) T(s[r.at * Stride + j]);
            else
              terms[k] = &tv(r.at, j);
          }
          put(&td[j], T(log_sum_exp_list<T>(terms, in.count)));
        }
        break;
      case Op::LogLog1pExp:
        for (int j = 0; j < m; ++j)
          on_t(in.a, a_t, j, [&](const T& u) {
            put(&td[j], T(laws::shannon_detail::log_log1p_exp<T>(u)));
            return 0;
          });
        break;
      default: break;  // inputs, constants and parameters are not steps
    }
  }
}

// The S bank's fixed slots: inputs, columns and constants, for m points.
template <int Stride, class S>
SF_INLINE void load_inputs(const Tape& tape, S* s, const S* ln_n, const S* ln_d, const S* x,
                           const S* const* columns, int m) {
  for (int j = 0; j < m; ++j) {
    new (&s[Tape::kLnNSlot * Stride + j]) S(ln_n[j]);
    new (&s[Tape::kLnDSlot * Stride + j]) S(ln_d[j]);
    new (&s[Tape::kXSlot * Stride + j]) S(x[j]);
    for (int k = 0; k < tape.n_columns; ++k)
      new (&s[(Tape::kFirstColumnSlot + k) * Stride + j])
          S(columns ? columns[k][j] : S(std::numeric_limits<double>::quiet_NaN()));
    for (const auto& c : tape.constants) new (&s[c.first * Stride + j]) S(c.second);
  }
}

}  // namespace detail

// ln L̂ at one point.
template <class T, class S>
T evaluate(const Tape& tape, const T* p, S ln_n, S ln_d, S x, const S* columns = nullptr) {
  // Slots are raw storage: constructing every Jet slot would zero it on every point.
  alignas(T) unsigned char t_raw[sizeof(T) * Tape::kMaxSlots];
  alignas(S) unsigned char s_raw[sizeof(S) * Tape::kMaxSlots];
  T* t = reinterpret_cast<T*>(t_raw);
  S* s = reinterpret_cast<S*>(s_raw);
  const S* column_rows[Tape::kMaxSlots];
  for (int k = 0; k < tape.n_columns; ++k) column_rows[k] = columns ? &columns[k] : nullptr;
  detail::load_inputs<1, S>(tape, s, &ln_n, &ln_d, &x, columns ? column_rows : nullptr, 1);
  detail::run_steps<1>(tape, p, s, t, 1);
  if (tape.result.point) return T(s[tape.result.at]);
  return tape.result.at >= 0 ? t[tape.result.at] : p[~tape.result.at];
}

// ln L̂ at m <= Block points (out[j] for point j): each step dispatched once for all of them,
// what the solver's linearize, which already evaluates points in blocks (lm.hpp's
// kLinearizeBlock), calls through FormulaLaw::log_loss_block. columns, when the tape reads any,
// is one row per column.
//
// Kept out of line (noinline): the CPU solver is compiled with `flatten` (src/cpu/batch_cpu.hpp),
// which would otherwise copy the whole interpreter into each of the solver's linearize call
// sites, several minutes of compilation per parameter count, for one call per block of points.
template <int Block, class T, class S>
__attribute__((noinline)) void evaluate_block(const Tape& tape, const T* p, const S* ln_n, const S* ln_d, const S* x,
                    int m, T* out, const S* const* columns = nullptr) {
  // Per-thread scratch, sized once: a block's banks are too large for every thread's stack.
  thread_local std::vector<unsigned char> scratch;
  const std::size_t t_bytes = sizeof(T) * Block * (tape.param_slots + 1);
  const std::size_t s_bytes = sizeof(S) * Block * (tape.point_slots + 1);
  const std::size_t align = alignof(T) > alignof(S) ? alignof(T) : alignof(S);
  if (scratch.size() < t_bytes + s_bytes + 2 * align) scratch.resize(t_bytes + s_bytes + 2 * align);
  void* base = scratch.data();
  std::size_t space = scratch.size();
  T* t = static_cast<T*>(std::align(alignof(T), t_bytes, base, space));
  base = static_cast<unsigned char*>(base) + t_bytes;
  space -= t_bytes;
  S* s = static_cast<S*>(std::align(alignof(S), s_bytes, base, space));
  detail::load_inputs<Block, S>(tape, s, ln_n, ln_d, x, columns, m);
  detail::run_steps<Block>(tape, p, s, t, m);
  for (int j = 0; j < m; ++j) {
    if (tape.result.point)
      out[j] = T(s[tape.result.at * Block + j]);
    else
      out[j] = tape.result.at >= 0 ? t[tape.result.at * Block + j] : p[~tape.result.at];
  }
}
#undef SF_FORMULA_INLINE

// The host's one Jet width for every parameter count (log_loss_gradient below), instantiated
// once, in src/formula/checks.cpp: each instantiation of the interpreter costs 10-40 s of
// compile under the sanitizers, so no other unit compiles this one again.
extern template Jet<double, kMaxParams> evaluate<Jet<double, kMaxParams>, double>(
    const Tape&, const Jet<double, kMaxParams>*, double, double, double, const double*);

// A formula law in the shape of a built-in one (law.hpp), over a tape it does not own: what
// the solver instantiates for P = CompiledLaw::n_params() (src/laws/formula_entry_impl.hpp).
template <int P>
struct FormulaLaw {
  static constexpr int kParams = P;
  // The tape never branches on a point's value: min, max and powers of x select per lane.
  static constexpr bool kPointLanes = true;
  // The lane pass hands it whole blocks (lane_linearize.hpp's BlockLogLoss).
  static constexpr bool kBlockLogLoss = true;
  // One copy of the solver per parameter count, for baseline x86-64 (src/cpu/batch_cpu.hpp's
  // Avx2Copy says why).
  static constexpr bool kBaselineOnly = true;
  const Tape* tape;

  template <class T, class S>
  T log_loss(const T* p, S ln_n, S ln_d, S x) const {
    return evaluate<T, S>(*tape, p, ln_n, ln_d, x);
  }
  template <int M, class T, class S>
  void log_loss_block(const T* p, const S* ln_n, const S* ln_d, const S* x, int m,
                      T* out) const {
    evaluate_block<M, T, S>(*tape, p, ln_n, ln_d, x, m, out);
  }
};

// ln L̂ and its exact gradient (grad[tape.n_params]) at one point, for the host statistics and
// the checks before fitting.
double log_loss_gradient(const Tape& tape, const double* params, double ln_n, double ln_d,
                         double x, double* grad, const double* columns = nullptr);

}  // namespace formula
}  // namespace shannonfit
