#pragma once
// Checks of option values at parse time, so that a value no run could honour (a thread count no
// machine has, a resample count that cannot be allocated, one fold) is a usage error naming the
// option, never a crash or an "internal error" later.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/prediction.hpp"
#include "shannonfit/batch.hpp"

namespace shannonfit::cli {

// The most CPU threads a run may ask for; beyond it is a typo, not a machine.
constexpr int kMaxThreads = 4096;
// The most resamples (or chunk size) a run may ask for: 10^7 resamples already hold gigabytes of
// parameters, so more is refused here instead of failing to allocate mid-run.
constexpr long kMaxResamples = 10'000'000;
// The most LM iterations per start: far beyond any fit that converges at all.
constexpr long kMaxIterations = 1'000'000;

// --threads: 0 (all cores) to kMaxThreads.
CLI::Validator thread_count_check();
// An integer count in [min, max], e.g. --resamples in [1, kMaxResamples].
CLI::Validator count_check(long min, long max);
// --kfold: 0 (none) or at least 2 folds.
CLI::Validator kfold_check();
// A seed: a whole number in [0, 2^64 - 1], written in decimal; no sign, no exponent, no wrap.
CLI::Validator seed_check();
// A positive finite number (a compute budget).
CLI::Validator positive_finite_check();

// --max-input-size SIZE: the largest input file read (io::set_input_limit).
void add_input_limit_option(CLI::App& cmd);

// Warnings (to stderr unless quiet) for --at points far outside the data, each variable named
// by `keys` (N, D and x, or a formula law's own columns): a size or other positive scale more
// than a factor `kFarOutside` beyond the data's range, a perturbation strength or a column of
// any sign outside the data's range. Predicting beyond the data is what a scaling law is for,
// so these are warnings, not errors.
constexpr double kFarOutside = 1000;
std::vector<std::string> outside_domain(const Dataset& data, const PredictionPoint& point,
                                        const std::string& label, const PointKeys& keys);

}  // namespace shannonfit::cli
