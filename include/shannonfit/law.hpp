#pragma once
// What a law is. A law is a struct with
//   static constexpr int kParams;                  // parameters the solver sees
//   static LawInfo info();                         // host: names, bounds, start grid, source
//   static constexpr MinDistinct kMinDistinct{...};  // distinct N, D, x it needs (below)
//   template <class T, class S>
//   SF_HD SF_INLINE static T log_loss(const T* p, S ln_n, S ln_d, S x);   // ln L̂ at one point
// SF_INLINE because GCC otherwise keeps the Jet instantiation out of line in the solver (its
// linearize pass is inlined at several call sites), and every Jet then goes through the stack.
// It is required, not a hint: the host evaluates laws on lanes inside an AVX2 copy of the solver
// (src/cpu/batch_cpu.hpp), and an out-of-line log_loss compiled for baseline x86-64 would take
// its 32-byte lane arguments under the other calling convention and return garbage.
// log_loss is written once with unqualified exp/log/log1p and the helpers of math.hpp, so it runs
// on doubles, floats, Jets (exact Jacobians), lanes of several points (lanes.hpp) and Eigen's
// AutoDiffScalar (the independent reference path).
// Inputs arrive as logarithms: N ≈ 1e10 is never raised to a power directly.
// A law whose log_loss compares a value that depends on the point outside those helpers cannot
// be evaluated on lanes, where a comparison gives one answer per lane; it says so with
//   static constexpr bool kPointLanes = false;
// and the host solver evaluates it one point at a time (lane_linearize.hpp).
#include <functional>
#include <string>
#include <vector>

#include "shannonfit/config.hpp"

namespace shannonfit {

// How a solver parameter is reported to users: as itself, or exponentiated (a = ln A → A).
enum class Reported : unsigned char { AsIs, Exp };

struct ParamSpec {
  std::string name;           // solver parameter, e.g. "a" (= ln A)
  std::string reported_name;  // what users read, e.g. "A"
  Reported reported;
  double lo, hi;              // box bounds in solver space
  std::vector<double> grid;   // default start values; the start grid is their Cartesian product
  double fixed_value = 0.0;   // the start used by --starts single (and when grid is empty)
};

// The fewest distinct values of N, D and the perturbation strength x (0: x is not read) with
// which data can identify the law, each column on its own whatever the others hold: with fewer,
// no data identify it. Each law declares it as
//   static constexpr MinDistinct kMinDistinct{n, d, x};
// and fits are refused before they run when a slice has fewer. A necessary condition only:
// meeting all three at once can still leave a flat direction (shannon's 2 N × 3 D grid is six
// points for eight parameters), which is found after the fit (fit_stats.hpp). Every value is measured
// by tests/unit_min_distinct.cpp: full rank at it, rank-deficient one below. The usual count: a
// term A/N^α beside a constant the other inputs share is seen only through differences between
// N values, so its two parameters need two differences, i.e. three distinct N.
struct MinDistinct {
  int n = 0, d = 0, x = 0;
};

// A law that is linear in some of its parameters once the others are fixed,
//   L = sum_k c_k phi_k(theta; N, D, x),  c_k >= 0,
// says so with a host-only static function in its own file,
//   static SeparableForm separable();
// and `--starts separable` then searches starts over theta alone: on a grid of theta, the c_k
// come from a nonnegative least-squares solve (src/analysis/separable_starts.hpp), so the grid
// has the dimension of theta instead of every parameter's. Laws without it are not separable.
struct SeparableForm {
  static constexpr int kMaxTerms = 4;
  // theta_j is parameter `param`, searched on lo, lo + step, ..., hi (within its box).
  struct Axis {
    int param;
    double lo, hi, step;
  };
  std::vector<Axis> theta;
  // c_k is parameter coef_params[k]: stored as ln c_k when the parameter is Reported::Exp (then
  // c_k = 0 maps to its lower bound), else as c_k itself; either way clamped to its box.
  std::vector<int> coef_params;
  // phi_k at one point, k < coef_params.size(), for theta in the order of `theta` (a function
  // object: a formula law's basis reads its tapes).
  std::function<void(const double* theta, double ln_n, double ln_d, double x, double* phi)> basis;
};

// Which optional inputs a law needs beyond N, D and loss.
enum class Needs : unsigned char { Nothing, Perturbation };

struct LawInfo {
  std::string name;
  std::string formula;
  std::string source;
  std::vector<ParamSpec> params;
  Needs needs = Needs::Nothing;
  std::string note;  // e.g. an identifiability constraint the law fixes
  MinDistinct min_distinct{};  // the law's kMinDistinct, filled in by the registry
};

inline std::vector<double> arange(double first, double last, double step) {
  std::vector<double> v;
  for (double x = first; x <= last + 1e-9 * (step > 0 ? step : 1); x += step) v.push_back(x);
  return v;
}

}  // namespace shannonfit
