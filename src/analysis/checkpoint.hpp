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
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/bootstrap.hpp"

namespace shannonfit {

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
  // Without `resume`, starts empty and refuses an existing file unless `force` (OutputExistsError).
  // With `resume`, loads the file; a missing or unreadable one is an InputError.
  CheckpointFile(std::string path, bool resume, bool force);

  // The stored rows of the run with this key, or null when the checkpoint has none. Throws
  // InputError when a stored run has the same "run" field but differs in another one.
  const CheckpointRun* find(const CheckpointKey& key) const;

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
