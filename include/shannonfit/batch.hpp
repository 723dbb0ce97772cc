#pragma once
// Host-side batch types and the Backend interface shared by the CPU, CUDA and reference paths.
//
// A batch is one law × S starts × R weightings of one dataset. A weighting is a vector of point
// weights (the data's own weights times bootstrap counts). Backends return, per weighting, the
// best of its starts; with keep_all_starts, every (weighting, start) result.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shannonfit/backend_list.hpp"
#include "shannonfit/law.hpp"
#include "shannonfit/lm.hpp"
#include "shannonfit/small_linalg.hpp"

namespace shannonfit {

// Rows of a validated CSV, in original units. Optional columns are empty when absent.
struct Dataset {
  std::string source;                    // file the rows came from
  std::vector<double> n, d, loss;        // parameters, tokens, loss
  std::vector<double> x;                 // perturbation strength (empty: none given)
  std::vector<double> weight;            // user weights (empty: all ones)
  std::vector<int> group;                // group index per row (empty: no group column)
  std::vector<std::string> group_names;  // name of each group index
  std::vector<long> line;                // 1-based line in `source` of each row
  std::size_t size() const { return n.size(); }
  bool has_x() const { return !x.empty(); }
};

struct FitOptions {
  Space space = Space::Log;
  LossKind loss = LossKind::L2;
  double huber_delta = 1e-3;
  int max_iterations = 500;
  double step_tol = 1e-10;
  double cost_tol = 1e-12;
  double grad_tol = 1e-12;
};

constexpr int kMaxPacked = kMaxParams * (kMaxParams + 1) / 2;

struct FitResult {
  int n_params = 0;
  std::array<double, kMaxParams> params{};
  double cost = 0;    // minimised objective
  double rss = 0;     // weighted sum of squared residuals at the optimum
  std::array<double, kMaxPacked> normal{};  // packed J^T W J at the optimum
  int iterations = 0;
  FitStatus status = FitStatus::NonFinite;
  int best_start = -1;     // index of the chosen start (-1: no fit ran)
  int failed_starts = 0;   // starts that did not converge
  // The first-order (KKT) conditions at params, checked on the host (check_optimality in
  // analysis/fit_outcome.hpp) for the fits that are reported: the largest scale-free gradient
  // component that could still move the fit. NaN: not checked.
  double optimality = std::numeric_limits<double>::quiet_NaN();
};

struct BatchRequest {
  const Dataset* data = nullptr;
  std::vector<double> starts;             // S rows of P values, in solver space (R × S rows
  bool starts_per_weighting = false;      //   when set: weighting r's own S starts, in order)
  const double* weights = nullptr;        // R rows of data->size() weights; null: one weighting
  int n_weightings = 1;                   //   = the data's own weights
  const double* targets = nullptr;        // null, or R rows of data->size() targets in the
                                          //   solver's space replacing the data's own (residual
                                          //   bootstrap: same design, resampled responses)
  FitOptions options;
  bool keep_all_starts = false;           // output R*S results (weighting-major) instead of R
  int threads = 0;                        // CPU threads; 0 = all cores
  // Set (by a SIGINT handler, say) to stop the batch early: the CPU backend polls it before
  // each fit and the CUDA backend before each chunk of weightings, and both skip the fits not
  // yet begun, whose results are left with best_start = -1 (a CUDA batch of one chunk, such as
  // one weighting's start grid, runs to the end); the reference backend runs a batch to the
  // end. Null: never stop.
  const std::atomic<bool>* cancel = nullptr;

  long n_starts(int n_params) const {
    const long rows = static_cast<long>(starts.size()) / n_params;
    return starts_per_weighting && n_weightings > 0 ? rows / n_weightings : rows;
  }
  // Start s of weighting w.
  const double* start(long w, long s, int n_params) const {
    return starts.data() + ((starts_per_weighting ? w * n_starts(n_params) : 0) + s) * n_params;
  }
};

namespace formula {
struct CompiledLaw;
}

struct LawEntry;
using BatchFn = std::vector<FitResult> (*)(const LawEntry&, const BatchRequest&);

// The backends of backend_list.hpp, in its order, then Auto: whichever select_backend finds.
#define SF_BACKEND_KIND(Kind, ...) Kind,
enum class BackendKind : unsigned char { SF_FOR_EACH_BACKEND(SF_BACKEND_KIND) Auto };
#undef SF_BACKEND_KIND
constexpr int kBackendCount = static_cast<int>(BackendKind::Auto);

// Everything the host needs to know about one law, type-erased.
struct LawEntry {
  LawInfo info;
  int n_params = 0;
  // The law's batch function on each backend, by BackendKind; null where this build lacks the
  // backend or the backend cannot run the law.
  std::array<BatchFn, kBackendCount> batch_fns{};
  BatchFn batch(BackendKind kind) const { return batch_fns.at(static_cast<int>(kind)); }
  void set_batch(BackendKind kind, BatchFn fn) { batch_fns.at(static_cast<int>(kind)) = fn; }
  std::function<double(const double* params, double ln_n, double ln_d, double x)> log_loss;
  // ln L̂ at one point and its derivatives with respect to each parameter (grad[n_params]),
  // exact (forward-mode), for the statistics that need the Jacobian point by point.
  std::function<double(const double* params, double ln_n, double ln_d, double x, double* grad)>
      log_loss_gradient;
  std::optional<SeparableForm> separable;  // the law's separable() when it declares one
  // A law written as a formula (formula/formula.hpp); null for the built-in laws.
  std::shared_ptr<const formula::CompiledLaw> formula;
  // Why a backend this build has cannot run the law here (empty: no reason beyond a missing
  // batch function), for select_backend's error.
  std::array<std::string, kBackendCount> unavailable{};
};

// What LawEntry::log_loss points to for a law type: its ln L̂ at one point, in double.
template <class Law>
double law_log_loss(const double* params, double ln_n, double ln_d, double x) {
  return Law::template log_loss<double, double>(params, ln_n, ln_d, x);
}

// What LawEntry::log_loss_gradient points to for a law type.
template <class Law>
double law_log_loss_gradient(const double* params, double ln_n, double ln_d, double x,
                             double* grad) {
  using J = Jet<double, Law::kParams>;
  J p[Law::kParams];
  for (int k = 0; k < Law::kParams; ++k) p[k] = J::variable(params[k], k);
  const J f = Law::template log_loss<J, double>(p, ln_n, ln_d, x);
  for (int k = 0; k < Law::kParams; ++k) grad[k] = f.v[k];
  return f.a;
}

// A backend's name in backend_list.hpp, or "auto"; throws InputError naming the choices otherwise.
BackendKind parse_backend(const std::string& name);
const char* to_string(BackendKind b);
// Every name parse_backend accepts, in the list's order, "auto" last.
const std::vector<std::string>& backend_names();
// Built with the CUDA backend and at least one device visible.
bool cuda_available();
// The batch function for a law on a backend. Auto is CUDA when a device is there and the law
// has a kernel, else CPU. Throws InputError when CUDA is asked for and cannot be had.
BatchFn resolve_backend(const LawEntry& law, BackendKind kind);

// The built-in laws.
const std::vector<LawEntry>& all_laws();
// A built-in law or a formula law resolve_law has made, by name. Throws std::invalid_argument
// naming the known laws when `name` is neither.
const LawEntry& find_law(const std::string& name);
// What a --law argument names: a built-in law ("chinchilla"), a formula ("name: formula") or a
// law file (*.json, *.toml: formula/formula.hpp's LawSpec). A formula law is compiled once and
// kept for the process, under its name, so that find_law finds it afterwards; a second formula
// under a name already taken (by a built-in law, or by another formula) is an InputError, as is
// a malformed formula (FormulaError, with a caret). Throws std::invalid_argument for a plain name
// that is no law.
const LawEntry& resolve_law(const std::string& argument);

// The Cartesian product of the law's per-parameter grids, S rows of P values.
std::vector<double> start_grid(const LawInfo& info);
// One start: each parameter's fixed_value.
std::vector<double> single_start(const LawInfo& info);

// Points in the solver's space for a dataset (what PointsView views).
struct PreparedPoints {
  std::vector<double> ln_n, ln_d, x, target;
  PointsView<double> view() const {
    return {ln_n.data(), ln_d.data(), x.empty() ? nullptr : x.data(), target.data(),
            static_cast<int>(ln_n.size())};
  }
};
PreparedPoints prepare_points(const Dataset& data, Space space);

// Solver options for a law from host options and the law's bounds.
template <int P>
SolverOptions<double, P> solver_options(const LawInfo& info, const FitOptions& f) {
  SolverOptions<double, P> o;
  o.space = f.space;
  o.loss = f.loss;
  o.huber_delta = f.huber_delta;
  o.max_iterations = f.max_iterations;
  o.step_tol = f.step_tol;
  o.cost_tol = f.cost_tol;
  o.grad_tol = f.grad_tol;
  for (int k = 0; k < P; ++k) {
    o.lo[k] = info.params[k].lo;
    o.hi[k] = info.params[k].hi;
  }
  return o;
}

// Best start per weighting: lowest finite cost, ties to the lower start index, so the choice
// never depends on the order in which threads or blocks finished.
bool better_fit(const FitResult& candidate, const FitResult& incumbent);

const char* to_string(FitStatus s);
const char* to_string(Space s);

}  // namespace shannonfit
