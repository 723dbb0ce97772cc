#pragma once
// Checkpoints of long bootstrap runs (--checkpoint FILE, --resume).
//
// A checkpoint holds, for every (data slice, law) run of one command, the resamples (and
// jackknife refits) completed so far, bit for bit, next to the key the run was started with:
// law, data checksum, seed, scheme, starts, resample count, solver options, backend. A resume
// refuses a checkpoint whose key differs in any field and names that field, because mixing
// resamples of two different runs would give a silently wrong interval. Resamples are pure
// functions of (seed, index), so a resumed run that refits only the missing indices writes
// exactly what an uninterrupted run writes.
//
// The file proves its own integrity: a SHA-256 over the whole document (header, keys and every
// row) and one per run over its key, so a flipped bit, an edited value, a truncated file or a row
// moved between runs is refused, as are more rows than the run asks for and a converged row with
// a value that is not finite (which no fit reports).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "analysis/bootstrap.hpp"

namespace shannonfit {

// A checkpoint that cannot be resumed: damaged, tampered with, truncated, or written by another
// run. The CLI exits with code 7; nothing was computed or written.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Ordered (field, value) pairs; equal keys = the same run.
using CheckpointKey = std::vector<std::pair<std::string, std::string>>;

// FNV-1a over every number and label of the data that can change a fit.
std::uint64_t dataset_checksum(const Dataset& data);

// The key of one bootstrap run; `label` names the slice (e.g. "runs.csv, --by lr=3e-4").
CheckpointKey checkpoint_key(const std::string& label, const Dataset& data, const LawEntry& law,
                             const BootstrapOptions& options);

// The rows one run has completed.
struct CheckpointRun {
  CheckpointKey key;
  std::vector<ResampleFit> jackknife;
  std::vector<ResampleFit> resamples;
};

class CheckpointFile {
 public:
  // Without `resume`, starts empty (the caller's io::OutputPlan has checked that the file may be
  // written). With `resume`, loads the file: a missing or unreadable one is an InputError, one
  // that fails its checksums or is not a checkpoint a CheckpointError.
  CheckpointFile(std::string path, bool resume);

  // The stored rows of the run with this key, or null when the checkpoint has none. Throws
  // CheckpointError when a stored run has the same "run" field but differs in another one, or
  // holds more than `max_jackknife` jackknife or `max_resamples` resample rows.
  const CheckpointRun* find(const CheckpointKey& key, std::size_t max_jackknife,
                            std::size_t max_resamples) const;

  // Records the rows completed so far of the run with `key` and rewrites the file atomically
  // (temporary file, then rename), so an interruption at any moment leaves a readable checkpoint.
  void save(const CheckpointKey& key, const std::vector<ResampleFit>& jackknife,
            const std::vector<ResampleFit>& resamples);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<CheckpointRun> runs_;
};

}  // namespace shannonfit
