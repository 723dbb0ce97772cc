#pragma once
// The per-resample parameter file: every fit of a bootstrap run, one row each, addressable by
// (law, by value, kind, index), in solver space with round-trip precision, so that `predict`
// (or a plotting script, or a resumed run) can reuse a run without refitting.
//
// Columns: law, by, kind (full | jackknife | resample), index, status, ok, cost, then one column
// per solver parameter name (the union over the laws in the file; empty where a law has none).
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"

namespace shannonfit {

struct StoredRun {
  std::string by;  // the --by value ("" without --by)
  BootstrapResult run;
};

std::string params_csv(const std::vector<StoredRun>& runs);

// Reads a file written by params_csv. Throws InputError naming file, line and column for a file
// that is not one (missing columns, an unknown law, a bad number, no full-fit row for a run).
std::vector<StoredRun> read_params_csv(const std::string& path);

}  // namespace shannonfit
