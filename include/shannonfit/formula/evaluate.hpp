#pragma once
// The tape evaluated on any number type the solver uses (host only; CUDA gets generated code,
// nvrtc.hpp): T is double, Jet<double, P> (exact Jacobian rows) or Jet<Lanes4(P), P> (4 points
// at once, lane_linearize.hpp), S the matching point type. Every operation is the one a built-in
// law writes (law.hpp's log_sum_exp, shannon.hpp's log_log1p_exp), so a formula and the built-in
// law it spells agree to rounding.
//
// Overflow, a logarithm of a negative number or a division by zero give Inf or NaN, never a
// trap: the solver turns a non-finite objective into FitStatus::NonFinite.
#include <new>
#include <type_traits>

#include "shannonfit/formula/tape.hpp"
#include "shannonfit/jet.hpp"
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
SF_INLINE T log_sum_exp_list(const T* v, int n) {
  if (n == 1) return v[0];
  T acc = n == 2 ? log_sum_exp<T>(v[0], v[1]) : log_sum_exp<T>(v[0], v[1], v[2]);
  int k = n == 2 ? 2 : 3;
  for (; k + 1 < n; k += 2) acc = log_sum_exp<T>(acc, v[k], v[k + 1]);
  if (k < n) acc = log_sum_exp<T>(acc, v[k]);
  return acc;
}

}  // namespace detail

template <class T, class S>
T evaluate(const Tape& tape, const T* p, S ln_n, S ln_d, S x, const S* columns = nullptr) {
  // Slots are raw storage: constructing every Jet slot would zero it on every point.
  alignas(T) unsigned char t_raw[sizeof(T) * Tape::kMaxSlots];
  alignas(S) unsigned char s_raw[sizeof(S) * Tape::kMaxSlots];
  T* t = reinterpret_cast<T*>(t_raw);
  S* s = reinterpret_cast<S*>(s_raw);
  const Instr* code = tape.code.data();
  auto sv = [&](int i) -> const S& { return s[code[i].dst]; };
  auto tv = [&](int i) -> const T& { return t[code[i].dst]; };
  // A point value where a parameter value is wanted.
  auto as_t = [&](int i) -> T { return code[i].point ? T(sv(i)) : tv(i); };
  const int n = static_cast<int>(tape.code.size());
  for (int i = 0; i < n; ++i) {
    const Instr& in = code[i];
    auto put_s = [&](const S& v) { new (&s[in.dst]) S(v); };
    auto put_t = [&](const T& v) { new (&t[in.dst]) T(v); };
    auto binary = [&](auto f) {
      switch (in.mix) {
        case kMixSS: put_s(f(sv(in.a), sv(in.b))); break;
        case kMixST: put_t(f(sv(in.a), tv(in.b))); break;
        case kMixTS: put_t(f(tv(in.a), sv(in.b))); break;
        default: put_t(f(tv(in.a), tv(in.b))); break;
      }
    };
    auto unary = [&](auto f) {
      if (in.point)
        put_s(f(sv(in.a)));
      else
        put_t(f(tv(in.a)));
    };
    switch (in.op) {
      case Op::Const: put_s(S(in.c)); break;
      case Op::Param: put_t(p[in.index]); break;
      case Op::LnN: put_s(ln_n); break;
      case Op::LnD: put_s(ln_d); break;
      case Op::X: put_s(x); break;
      case Op::Column: put_s(columns[in.index]); break;
      case Op::Add: binary([](const auto& u, const auto& v) { return u + v; }); break;
      case Op::Sub: binary([](const auto& u, const auto& v) { return u - v; }); break;
      case Op::Mul: binary([](const auto& u, const auto& v) { return u * v; }); break;
      case Op::Div: binary([](const auto& u, const auto& v) { return u / v; }); break;
      case Op::Neg: unary([](const auto& u) { return -u; }); break;
      case Op::Exp: unary([](const auto& u) { return exp(u); }); break;
      case Op::Log: unary([](const auto& u) { return log(u); }); break;
      case Op::Log1p: unary([](const auto& u) { return log1p(u); }); break;
      case Op::Sqrt: unary([](const auto& u) { return sqrt(u); }); break;
      case Op::Min: {
        const T u = as_t(in.a), v = as_t(in.b);
        put_t(detail::choose(detail::value_less(v, u), v, u));
        break;
      }
      case Op::Max: {
        const T u = as_t(in.a), v = as_t(in.b);
        put_t(detail::choose(detail::value_less(u, v), v, u));
        break;
      }
      case Op::PowData: {
        const S base = sv(in.a);
        const auto live = detail::nonzero(base);
        const S safe = detail::choose(live, base, S(1));
        put_t(detail::choose(live, T(exp(as_t(in.b) * log(safe))), T(0)));
        break;
      }
      case Op::LogSumExp: {
        alignas(T) unsigned char raw[sizeof(T) * Tape::kMaxSlots];
        T* terms = reinterpret_cast<T*>(raw);
        for (int k = 0; k < in.count; ++k) new (&terms[k]) T(as_t(tape.lists[in.index + k]));
        put_t(detail::log_sum_exp_list<T>(terms, in.count));
        break;
      }
      case Op::LogLog1pExp: put_t(laws::shannon_detail::log_log1p_exp<T>(as_t(in.a))); break;
    }
  }
  return as_t(n - 1);
}

// A formula law in the shape of a built-in one (law.hpp), over a tape it does not own: what
// the solver instantiates for P = CompiledLaw::n_params() (formula.hpp, phase 2).
template <int P>
struct FormulaLaw {
  static constexpr int kParams = P;
  // The tape never branches on a point's value: min, max and powers of x select per lane.
  static constexpr bool kPointLanes = true;
  const Tape* tape;

  template <class T, class S>
  T log_loss(const T* p, S ln_n, S ln_d, S x) const {
    return evaluate<T, S>(*tape, p, ln_n, ln_d, x);
  }
};

// Calls f(std::integral_constant<int, P>{}) for P = n, 1 <= n <= kMaxParams: the one switch
// from a run-time parameter count to the solver's compile-time one.
template <class F>
decltype(auto) with_param_count(int n, F&& f) {
  static_assert(kMaxParams == 10, "list every parameter count below");
  switch (n) {
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 6: return f(std::integral_constant<int, 6>{});
    case 7: return f(std::integral_constant<int, 7>{});
    case 8: return f(std::integral_constant<int, 8>{});
    case 9: return f(std::integral_constant<int, 9>{});
    default: return f(std::integral_constant<int, 10>{});
  }
}

// ln L̂ and its exact gradient (grad[tape.n_params]) at one point, for the host statistics and
// the checks before fitting.
double log_loss_gradient(const Tape& tape, const double* params, double ln_n, double ln_d,
                         double x, double* grad, const double* columns = nullptr);

}  // namespace formula
}  // namespace shannonfit
