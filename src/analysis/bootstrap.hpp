#pragma once
// Streamed bootstrap driver: resamples are generated (resample.hpp), fitted and reduced to their
// best start chunk by chunk through a backend's BatchFn, so memory is O(chunk × points +
// resamples × parameters) whatever the start count, and any backend runs it unchanged.
//
// Resample r of seed s is the same weighting (or target vector) for any chunk size, thread count
// or backend, and each resample keeps the best of its starts under a total order (better_fit),
// so per-resample results do not depend on how the run was split.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analysis/fit_outcome.hpp"
#include "analysis/fit_plan.hpp"
#include "analysis/prediction.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit {

enum class Scheme : unsigned char { Case, Cluster, Residual };

Scheme parse_scheme(const std::string& name);  // case | cluster | residual
const char* to_string(Scheme s);

struct ResampleFit;

struct BootstrapOptions {
  Scheme scheme = Scheme::Case;
  int resamples = 1000;
  std::uint64_t seed = 0;
  int chunk = 0;          // resamples per batch call; 0 = chosen from the start count and backend
  bool jackknife = true;  // leave-one-out (point or cluster) refits for the BCa acceleration
  // How the full-data fit and every resample are fitted (fit_plan.hpp); resamples start from the
  // full-data optimum unless asked otherwise.
  FitConfig fit{BackendKind::Cpu, 0, FitOptions{}, StartStrategy::Best, {}};
  // The full-data fit when the caller already has it (the CLI reports it with its statistics),
  // made under the same plan; null = run it here.
  const FitResult* full = nullptr;
  // Split and resumed runs (src/mpi, --resume): only resamples [first_resample, end_resample)
  // are fitted (-1: to the last), and result.resamples[k] is resample first_resample + k.
  long first_resample = 0;
  long end_resample = -1;
  // Rows an earlier run with the same options completed (a checkpoint), kept as they are:
  // prefixes of the jackknife and of the resample range. Fitting continues after them.
  std::vector<ResampleFit> done_jackknife, done_resamples;
  // After every chunk: the phase ("jackknife" or "resamples"), its rows and how many are done.
  std::function<void(const char* phase, const std::vector<ResampleFit>& rows, long done)> on_chunk;
};

// The best start of one resample (or one jackknife refit).
struct ResampleFit {
  std::array<double, kMaxParams> params{};
  double cost = 0;
  FitStatus status = FitStatus::NonFinite;
  int best_start = -1;
  int failed_starts = 0;  // starts of this resample that did not converge
  int iterations = 0;
  // A resample counts only when its best start converged to a finite cost; the others are
  // reported as failed and left out of every interval, never silently.
  bool ok() const;
};

struct BootstrapProgress {
  long resamples_done = 0, resamples_total = 0;
  long fits_done = 0, fits_total = 0;  // fits = resamples × starts (+ jackknife refits)
  double seconds = 0;
  const char* phase = "";               // "full fit", "jackknife", "resamples"
  const char* unit = "";                // what resamples_done counts: "starts", "refits", "resamples"
};
using ProgressFn = std::function<void(const BootstrapProgress&)>;

struct BootstrapResult {
  FitPlan plan;  // what the full-data fit and every resample followed
  std::string law;
  int n_params = 0;
  Scheme scheme = Scheme::Case;
  StartStrategy starts = StartStrategy::Best;
  std::uint64_t seed = 0;
  int n_starts = 0;            // starts per resample
  int n_points = 0;
  int n_clusters = 0;          // groups drawn by the cluster scheme (0 otherwise)
  int chunk = 0;               // resamples per batch call actually used
  FitResult full;              // best full-data fit (the point estimate)
  StartOutcomes full_starts;   // how its starts ended (all zero when BootstrapOptions::full
                               //   was given: the caller ran and counted it)
  int requested = 0;           // resamples asked for
  // resamples[r] is resample r; a run cut short holds the completed prefix.
  std::vector<ResampleFit> resamples;
  // jackknife[i] leaves out point i (case, residual) or cluster i (cluster); empty when off.
  std::vector<ResampleFit> jackknife;
  bool interrupted = false;
  double seconds = 0;
  int failed() const;          // resamples whose fit failed
};

// Runs the full-data fit, the jackknife (when asked) and the resamples of one law on `data`.
// Throws InputError for a request the data cannot express (no group column for the cluster
// scheme, resamples <= 0) and FitError when the full-data fit fails. `cancel` is polled between
// chunks: when it becomes true, the completed resamples are returned with interrupted = true.
BootstrapResult run_bootstrap(const Dataset& data, const LawEntry& law,
                              const BootstrapOptions& options, const ProgressFn& progress = {},
                              const std::atomic<bool>* cancel = nullptr);

// Rows that come from one model (one training curve) are not independent draws, and resampling
// them as if they were makes intervals too narrow. When `data` has no group column but some N
// was measured at several D (checkpoints or token budgets of one model), this gives it one group
// per distinct N, named "N=<value>". For laws over their own columns (`keys`, point_keys) the
// model is the first of the laws' variables and the curve runs along the second (keys.order:
// params, then tokens, for a law over those columns). Returns how the rows are grouped, for
// outputs to say: "group column", "one group per model size N" ("... per value of params"), or ""
// when the rows share nothing.
std::string assign_model_groups(Dataset& data, const PointKeys& keys = {});

// The scheme a run uses unless the user chose one: whole models (cluster) when rows share a
// model (a group column, or assign_model_groups found one), single rows (case) otherwise.
Scheme default_scheme(const Dataset& data);
// The scheme `name` (--scheme, Python's scheme=) asks for on `data`: "auto" is default_scheme,
// any other name parse_scheme's.
Scheme resolve_scheme(const std::string& name, const Dataset& data);

// The fewest resamples that put at least one resample beyond each end of a percentile interval
// at `level`: ceil(2 / (1 − level)), 20 at 90 %, 40 at 95 %. Below it the interval's ends are
// the extreme resamples themselves (with one resample, a zero-width "interval").
int min_resamples(double level);
// A warning for users when `resamples` (or, for the cluster scheme, `clusters` — the number of
// independent units) is below min_resamples(level); empty when there are enough.
std::string resample_count_warning(int resamples, double level);
std::string cluster_count_warning(int clusters, double level);

// The weights of resample r of a case or cluster bootstrap (the residual scheme keeps every
// row: its weights are the user's), exactly as run_bootstrap draws them. `weights` holds
// data.size() values.
void resample_weights(const Dataset& data, Scheme scheme, std::uint64_t seed, long r,
                      double* weights);

// Parameters of one fit as users read them (a = ln A reported as A).
std::vector<double> reported_params(const LawInfo& info, const double* solver_params);

}  // namespace shannonfit
