// The world of one process: what `shannonfit` runs when built without MPI.
#include "mpi/world.hpp"

namespace shannonfit::dist {

World::World(int*, char***) {}
World::~World() = default;
int rank() { return 0; }
int size() { return 1; }

BootstrapResult run_bootstrap(const Dataset& data, const LawEntry& law,
                              const BootstrapOptions& options, const ProgressFn& progress,
                              const std::atomic<bool>* cancel) {
  return shannonfit::run_bootstrap(data, law, options, progress, cancel);
}

}  // namespace shannonfit::dist
