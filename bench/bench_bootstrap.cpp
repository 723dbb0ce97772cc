// Resamples per second of the bootstrap driver (src/analysis/bootstrap), and Epoch AI's whole
// protocol as one run: the 4500-start grid on the full data, then 4000 case resamples each
// refitted from the best full-data fit.
#include <benchmark/benchmark.h>
#include <omp.h>

#include "analysis/bootstrap.hpp"
#include "bench_data.hpp"

namespace sf = shannonfit;

namespace {

const sf::Dataset& epoch_data() {
  static const sf::Dataset data = sf::bench::epoch_chinchilla();
  return data;
}

void run_bootstrap(benchmark::State& state, int resamples, int full_starts, bool jackknife) {
  const sf::LawEntry& law = sf::find_law("chinchilla");
  const std::vector<double> grid = sf::start_grid(law.info);
  sf::BootstrapOptions o =
      sf::bench::epoch_bootstrap(resamples, 1, static_cast<int>(state.range(0)),
                                 sf::bench::strided_starts(grid, law.n_params, full_starts));
  o.jackknife = jackknife;
  long failed = 0;
  for (auto _ : state) {
    const sf::BootstrapResult r = sf::run_bootstrap(epoch_data(), law, o);
    failed += r.failed();
    benchmark::DoNotOptimize(r.resamples.data());
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["resamples/s"] =
      benchmark::Counter(resamples * runs, benchmark::Counter::kIsRate);
  state.counters["failed"] = static_cast<double>(failed) / runs;
}

// Resample refits only: a small full-data start set keeps the full fit out of the timing.
void BM_BootstrapResamples(benchmark::State& state) { run_bootstrap(state, 400, 16, false); }
BENCHMARK(BM_BootstrapResamples)
    ->Name("bootstrap/chinchilla/cpu/best-start/resamples:400")
    ->ArgName("threads")
    ->DenseRange(1, omp_get_num_procs())
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_EpochProtocol(benchmark::State& state) { run_bootstrap(state, 4000, 4500, false); }
BENCHMARK(BM_EpochProtocol)
    ->Name("epoch_protocol/chinchilla/cpu/grid:4500/resamples:4000")
    ->ArgName("threads")
    ->Arg(omp_get_num_procs())
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
