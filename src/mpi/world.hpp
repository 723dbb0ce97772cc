#pragma once
// Distributed bootstrap runs (`mpirun -np K shannonfit bootstrap ...`).
//
// The `shannonfit` executable links world_mpi.cpp when configured with SHANNONFIT_MPI=ON and
// world_single.cpp otherwise, so the CLI has one code path: a single process is a world of one.
// Resamples are split across ranks in contiguous ranges (rank k fits [R k / K, R (k+1) / K));
// each rank runs its range on its own backend (`--backend auto`: its GPU when it has one, else
// its cores), and rank 0 gathers every row and alone writes outputs, byte for byte what one
// process writes. The jackknife refits (one per point or cluster) stay on rank 0.
#include <atomic>

#include "analysis/bootstrap.hpp"

namespace shannonfit::dist {

// Initialises MPI for its lifetime when built with it and started by an MPI launcher (mpirun,
// srun); otherwise the process is a world of one. Create one in main before parsing.
class World {
 public:
  World(int* argc, char*** argv);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;
};

int rank();
int size();
inline bool is_root() { return rank() == 0; }

// run_bootstrap with the resamples split across the ranks. Rank 0 returns the whole result;
// other ranks return their own range. When any rank is interrupted, rank 0 returns the longest
// completed prefix of resamples, with interrupted set on every rank.
BootstrapResult run_bootstrap(const Dataset& data, const LawEntry& law,
                              const BootstrapOptions& options, const ProgressFn& progress,
                              const std::atomic<bool>* cancel);

}  // namespace shannonfit::dist
