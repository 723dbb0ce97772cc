#pragma once
// CPU batch driver: the per-fit solver (lm.hpp) in a parallel loop over a batch's fits
// (fit_item.hpp).
#include <omp.h>

#include <vector>

#include "shannonfit/batch.hpp"
#include "shannonfit/fit_item.hpp"
#include "shannonfit/lane_linearize.hpp"
#include "shannonfit/lm.hpp"

namespace shannonfit::cpu {

// The solver is compiled twice, for baseline x86-64 and for AVX2, and the CPU it runs on picks
// (`flatten` inlines the whole solver into each copy). Both evaluate the law on 4 points at once
// (lane_linearize.hpp): the AVX2 copy in one 4-wide vector (bench/README.md has the speed-up),
// the baseline one in two 2-wide halves, which perform the same operations on each lane
// in the same order. AVX2 without FMA: no multiply-add is fused, so both copies return
// bit-identical fits (with FMA they would not, and a fit's result would depend on the machine).
// Other compilers and targets get the baseline copy only.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SF_CPU_SOLVER_AVX2 1
#endif

template <class Law>
__attribute__((flatten)) FitState<double, Law::kParams> fit_one_baseline(
    const Law& law, const PointsView<double>& d, const double* w, const double* start,
    const SolverOptions<double, Law::kParams>& o) {
  return fit_one<Law, double, HostLaneSolve<Lanes4P>>(law, d, w, start, o);
}

#ifdef SF_CPU_SOLVER_AVX2
template <class Law>
__attribute__((target("avx2"), flatten)) FitState<double, Law::kParams> fit_one_avx2(
    const Law& law, const PointsView<double>& d, const double* w, const double* start,
    const SolverOptions<double, Law::kParams>& o) {
  return fit_one<Law, double, HostLaneSolve<Lanes4>>(law, d, w, start, o);
}
#endif

// Whether a law gets the AVX2 copy: yes unless it declares kBaselineOnly = true, as a formula
// law does (formula/evaluate.hpp). A copy of the solver per instruction set and per parameter
// count is a compile cost paid for every P, where the lanes' own speed-up is a small part of a
// tape's time.
template <class Law, class = void>
struct Avx2Copy {
  static constexpr bool value = true;
};
template <class Law>
struct Avx2Copy<Law, std::void_t<decltype(Law::kBaselineOnly)>> {
  static constexpr bool value = !Law::kBaselineOnly;
};

template <class Law>
FitState<double, Law::kParams> fit_one_cpu(const Law& law, const PointsView<double>& d,
                                           const double* w, const double* start,
                                           const SolverOptions<double, Law::kParams>& o) {
#ifdef SF_CPU_SOLVER_AVX2
  if constexpr (Avx2Copy<Law>::value) {
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2) return fit_one_avx2<Law>(law, d, w, start, o);
  }
#endif
  return fit_one_baseline<Law>(law, d, w, start, o);
}

// Folds one start's result into the running best of its weighting. better_fit is a strict
// total order on (cost, start index), so the fold gives the same answer in any order.
inline void fold_best(FitResult& best, const FitResult& candidate) {
  const int failed = best.failed_starts + candidate.failed_starts;
  if (best.best_start < 0 || better_fit(candidate, best)) best = candidate;
  best.failed_starts = failed;
}

// The batch for one law instance: Law{} for a built-in law, a tape's FormulaLaw for a formula.
template <class Law>
std::vector<FitResult> fit_batch_with(const Law& fit_law, const LawEntry& law,
                                      const BatchRequest& req) {
  constexpr int P = Law::kParams;
  const PreparedPoints points = prepare_points(*req.data, req.options.space);
  const BatchView<double> batch = host_batch_view(req, points.view(), P);
  const SolverOptions<double, P> opts = solver_options<P>(law.info, req.options);
  const long n_weightings = req.n_weightings;
  const long total = batch.n_starts * n_weightings;

  std::vector<FitResult> out(req.keep_all_starts ? total : n_weightings);
  for (auto& r : out) {
    r.n_params = P;
    r.failed_starts = 0;
  }
  const int threads = req.threads > 0 ? req.threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  {
    std::vector<FitResult> local(req.keep_all_starts ? 0 : n_weightings);
    // One fit per grab: fits vary several-fold in length between starts, and the atomic per
    // grab is small against a fit, while larger chunks leave threads idle at a batch's end.
#pragma omp for schedule(dynamic, 1)
    for (long idx = 0; idx < total; ++idx) {
      // One relaxed load per fit (not per iteration): a stop request waits for at most the
      // fit each thread is in, and the loop then runs dry without fitting.
      if (req.cancel && req.cancel->load(std::memory_order_relaxed)) continue;
      const FitItem<double> item = fit_item<P>(batch, idx);
      const FitResult r = to_result<P>(
          fit_one_cpu<Law>(fit_law, item.points, item.weights, item.start_values, opts),
          item.start);
      if (req.keep_all_starts)
        out[idx] = r;
      else
        fold_best(local[item.weighting], r);
    }
    if (!req.keep_all_starts) {
#pragma omp critical(shannonfit_fold)
      for (long w = 0; w < n_weightings; ++w)
        if (local[w].best_start >= 0 || local[w].failed_starts > 0) fold_best(out[w], local[w]);
    }
  }
  return out;
}

template <class Law>
std::vector<FitResult> fit_batch(const LawEntry& law, const BatchRequest& req) {
  return fit_batch_with<Law>(Law{}, law, req);
}

}  // namespace shannonfit::cpu
