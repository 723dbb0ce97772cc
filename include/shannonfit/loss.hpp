#pragma once
// The losses the solver minimises, as policies over the number type a pass sums in: the
// solver's S for one point at a time (host and device), a lane type for several points at once
// (lanes.hpp, host). One body per loss serves the scalar pass, the lane pass and the device's
// value-only pass (linearize.hpp), so they cannot drift apart.
//
// Huber is minimised by iteratively reweighted LM: the gradient is the exact gradient of the
// Huber objective; only the curvature uses the IRLS weights psi(r)/r, and every step is accepted
// or rejected on the true Huber cost, so the fixed point is the Huber optimum. On the host the
// curvature switches to Huber's exact Gauss-Newton one where that is safe (lm.hpp says when).
#include "shannonfit/config.hpp"
#include "shannonfit/math.hpp"

namespace shannonfit {

enum class LossKind : unsigned char { L2, Huber };

namespace detail {

// Which J^T W J a linearisation accumulates. Irls: Huber's IRLS weights psi(r)/r. Exact: Huber's
// Gauss-Newton curvature, weight 1 in the quadratic zone and 0 in the linear one. Plain: the
// point weights alone (the normal matrix a fit reports).
enum class Curvature : unsigned char { Irls, Exact, Plain };

// What one residual r of weight w adds to a linearisation: its share of the objective, the
// factor of its Jacobian row in the gradient (w psi(r)) and in J^T W J (as Curvature says), and
// whether it lies in Huber's quadratic zone (a bool, or one per lane).
template <class T, class Zone>
struct LossTerm {
  T cost;
  T gradient;
  T curvature;
  Zone quadratic;
};

// Huber's rho, for the plain numbers the statistics work in as well as for the passes.
template <class T>
SF_HD SF_INLINE T huber_rho(const T& r, const T& delta) {
  const T a = magnitude(r);
  return branch<T>(
      at_most(a, delta), [&] { return T(0.5) * r * r; },
      [&] { return delta * (a - T(0.5) * delta); });
}

}  // namespace detail

// Least squares: rho(r) = r^2 / 2.
struct L2Loss {
  template <class T>
  SF_HD SF_INLINE static T cost(const T& w, const T& r, const T& /*delta*/) {
    return w * T(0.5) * r * r;
  }
  template <class T>
  SF_HD SF_INLINE static auto term(const T& w, const T& r, const T& delta,
                                   detail::Curvature /*curvature*/) {
    return detail::LossTerm<T, bool>{cost(w, r, delta), w * r, w, false};
  }
};

// Huber: quadratic within delta of zero, linear beyond it.
struct HuberLoss {
  template <class T>
  SF_HD SF_INLINE static T cost(const T& w, const T& r, const T& delta) {
    return w * detail::huber_rho(r, delta);
  }
  template <class T>
  SF_HD SF_INLINE static auto term(const T& w, const T& r, const T& delta,
                                   detail::Curvature curvature) {
    const T a = magnitude(r);
    const auto quadratic = at_most(a, delta);
    const T irls = branch<T>(quadratic, [] { return T(1); }, [&] { return delta / a; });
    T curvature_weight = w;
    if (curvature == detail::Curvature::Irls) curvature_weight = w * irls;
    if (curvature == detail::Curvature::Exact)
      curvature_weight = w * branch<T>(quadratic, [] { return T(1); }, [] { return T(0); });
    return detail::LossTerm<T, decltype(quadratic)>{cost(w, r, delta), w * irls * r,
                                                     curvature_weight, quadratic};
  }
};

}  // namespace shannonfit
