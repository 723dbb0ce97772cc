// MPI implementation of the distributed bootstrap (see world.hpp).
#include <mpi.h>

#include <cstdlib>
#include <type_traits>
#include <vector>

#include "mpi/world.hpp"

namespace shannonfit::dist {

static_assert(std::is_trivially_copyable_v<ResampleFit>,
              "rows travel between ranks as raw bytes");

namespace {
int world_rank = 0;
int world_size = 1;
bool initialised = false;

// Launchers tell each rank who it is through the environment: Open MPI's mpirun
// (OMPI_COMM_WORLD_SIZE), PMIx launchers such as srun --mpi=pmix (PMIX_RANK), and MPICH's Hydra or
// Slurm's PMI-2 (PMI_RANK).
bool started_by_launcher() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(var)) return true;
  }
  return false;
}
}  // namespace

// A process started without a launcher is a world of one and leaves MPI alone: Open MPI's
// singleton MPI_Init forks an orted and creates session directories under /tmp/ompi.<host>.<uid>
// that every concurrent run shares (job families are a 16-bit hash of the pid), so one run's
// cleanup could remove another's directory mid-start and abort it with "An error occurred in
// MPI_Init" (open-mpi/ompi#3818, #8510) -- for a run that never needed MPI.
World::World(int* argc, char*** argv) {
  if (!started_by_launcher()) return;
  MPI_Init(argc, argv);
  initialised = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
}

World::~World() {
  if (initialised) MPI_Finalize();
}

int rank() { return world_rank; }
int size() { return world_size; }

BootstrapResult run_bootstrap(const Dataset& data, const LawEntry& law,
                              const BootstrapOptions& options, const ProgressFn& progress,
                              const std::atomic<bool>* cancel) {
  if (world_size == 1) return shannonfit::run_bootstrap(data, law, options, progress, cancel);
  const long total = options.resamples;
  BootstrapOptions mine = options;
  mine.first_resample = total * world_rank / world_size;
  mine.end_resample = total * (world_rank + 1) / world_size;
  mine.jackknife = options.jackknife && world_rank == 0;
  BootstrapResult res = shannonfit::run_bootstrap(data, law, mine, world_rank == 0 ? progress
                                                                                   : ProgressFn{},
                                                  cancel);

  // Rows travel as bytes; rank r's share goes after ranks 0..r-1, so the gathered vector is in
  // resample order. A rank cut short contributes its prefix and ends the completed prefix.
  const int bytes = static_cast<int>(res.resamples.size() * sizeof(ResampleFit));
  const int expected = static_cast<int>((mine.end_resample - mine.first_resample) *
                                        static_cast<long>(sizeof(ResampleFit)));
  std::vector<int> counts(world_size), expected_counts(world_size);
  MPI_Gather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Gather(&expected, 1, MPI_INT, expected_counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(world_size, 0);
  for (int r = 1; r < world_size; ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<ResampleFit> all(world_rank == 0 ? static_cast<std::size_t>(total) : 0);
  MPI_Gatherv(res.resamples.data(), bytes, MPI_BYTE, all.data(), counts.data(), offsets.data(),
              MPI_BYTE, 0, MPI_COMM_WORLD);

  int interrupted = res.interrupted ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &interrupted, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
  res.interrupted = interrupted != 0;
  if (world_rank != 0) return res;

  long completed_bytes = 0;
  for (int r = 0; r < world_size; ++r) {
    completed_bytes += counts[r];
    if (counts[r] < expected_counts[r]) break;
  }
  all.resize(static_cast<std::size_t>(completed_bytes / static_cast<long>(sizeof(ResampleFit))));
  res.resamples = std::move(all);
  return res;
}

}  // namespace shannonfit::dist
