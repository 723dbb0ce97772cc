#pragma once
// How one law is fitted to one dataset: the law, the backend (a value, backend.hpp), the start
// strategy, the solver options and the loss. Every front end (the CLI's commands, the Python
// module) and every analysis (bootstrap, model selection, analyze, backtest) builds its plans
// with make_plan, so a setting means the same everywhere and the starts are chosen in one place.
//
// The start strategies (one vocabulary for every command and for Python):
//   grid       every fit, the full-data fit and each refit, searches the law's start grid;
//   best       the full-data fit searches the grid, each refit starts from its optimum (Epoch AI's
//              bootstrap protocol);
//   single     the full-data fit starts from the law's single default start, each refit from its
//              optimum;
//   separable  every fit runs the separable search (separable_starts.hpp) on its own weights and
//              LM from its best points (laws that declare a separable form only).
// A refit is any fit of the same law to reweighted data: a bootstrap resample, a cross-validation
// fold, a held-out split, a win-rate resample. (Jackknife refits always start from the optimum.)
#include <atomic>
#include <string>
#include <vector>

#include "shannonfit/backend.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit {

enum class StartStrategy : unsigned char { Grid, Best, Single, Separable };
// "grid", "best", "single", "separable"; throws InputError naming the choices otherwise.
StartStrategy parse_start_strategy(const std::string& name);
const char* to_string(StartStrategy s);
// The names in the order help texts list them.
const std::vector<std::string>& start_strategy_names();

// What a user asks for, before it meets a law and a dataset.
struct FitConfig {
  BackendKind backend = BackendKind::Auto;
  int threads = 0;  // CPU threads; 0 = all cores
  FitOptions options;
  StartStrategy starts = StartStrategy::Grid;
  // The full-data fit's starts when the caller knows better than the strategy (a known answer,
  // a thinned grid): S rows of P values in solver space; empty = the strategy's own.
  std::vector<double> full_starts;
};

// "huber", "huber:<δ>" (δ > 0) or "l2" into `options`; false (options untouched) otherwise.
bool parse_loss(const std::string& spec, FitOptions& options);

// A refit from a single start (best, single, the jackknife) has no other start to fall back on
// when it stops at the cap, and the refits that need many iterations are the resamples that moved
// the optimum furthest along a flat valley (shannon's on the isoFLOP sweeps: at 500 iterations
// 43 of 200 case resamples of Epoch's sweep stop at the cap, at 10000 none; docs/results.md).
// Twenty starts' worth of iterations keeps one refit within the budget of a grid search (64 to
// 4500 starts for the built-in laws), and converged refits stop long before it, so only the slow
// refits pay.
constexpr int kSingleStartIterationFactor = 20;

struct FitPlan {
  const LawEntry* law = nullptr;
  Backend backend;
  StartStrategy starts = StartStrategy::Grid;
  FitOptions options;
  int threads = 0;
  // The full-data fit's starts: S rows of P values in solver space.
  std::vector<double> full_starts;
  // How many of them, the last ones, variable projection added (projected_starts.hpp).
  long n_projected_starts = 0;

  long n_full_starts() const { return static_cast<long>(full_starts.size()) / law->n_params; }
  // Whether each refit runs its own separable search (starts_per_weighting) rather than sharing
  // one set of starts.
  bool refits_search() const { return starts == StartStrategy::Separable; }
  // The starts every refit shares, given the full-data fit: its optimum for best and single,
  // else the full-data starts (with separable, refit_request replaces them per weighting).
  std::vector<double> refit_starts(const FitResult& full) const;
  // Starts per refit.
  long n_refit_starts() const;
  // The iteration cap of each refit start: options.max_iterations for a refit that searches
  // several starts, kSingleStartIterationFactor times it for a refit from one start.
  int refit_max_iterations() const;

  // The request of the full-data fit on `data` (one weighting, the data's own weights).
  BatchRequest full_request(const Dataset& data, const std::atomic<bool>* cancel = nullptr) const;
  // The request fitting `count` reweightings of `data` (rows of weights and, when not null, of
  // targets, data.size() each) from `starts` (refit_starts); with separable, from each
  // weighting's own search instead.
  BatchRequest refit_request(const Dataset& data, const std::vector<double>& starts,
                             const double* weights, const double* targets, long count,
                             const std::atomic<bool>* cancel = nullptr) const;
};

// The plan for `law` on `data` under `config`: selects the backend (InputError when CUDA is asked
// for and cannot be had) and chooses the full-data starts (InputError naming the law when
// separable is asked of a law without a separable form).
FitPlan make_plan(const LawEntry& law, const Dataset& data, const FitConfig& config);

}  // namespace shannonfit
