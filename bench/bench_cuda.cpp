// CUDA-only benchmarks, registered only when a device is visible (so bench_fits runs unchanged
// on machines without one): a bootstrap-shaped batch (many weightings, one start each) on one and
// two streams, which shows whether chunk transfers hide behind compute, the same batch for
// Chinchilla written as a formula (its kernel compiled by NVRTC; the first iteration pays the
// compilation unless the user cache has it), and the device column quantiles against the host
// sort. Per-law fits/s on CUDA are in bench_fits.cpp with the other
// backends. tools/gpu-check.sh runs these; bench/README.md has the throughput model.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "cpu/column_quantiles.hpp"
#include "shannonfit/batch.hpp"
#if SHANNONFIT_HAVE_CUDA
#include "shannonfit/cuda_backend.hpp"
#include "shannonfit/cuda_cubin_kernel.hpp"
#include "shannonfit/formula/nvrtc.hpp"
#endif

namespace sf = shannonfit;

#if SHANNONFIT_HAVE_CUDA
namespace {

// Case-resampling weights: each row counts how often each of n points was drawn in n draws.
std::vector<double> bootstrap_weights(std::size_t n, long rows, unsigned seed) {
  std::vector<double> w(n * rows, 0.0);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  for (long r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < n; ++j) w[r * n + pick(rng)] += 1.0;
  return w;
}

// `run(request, config, stats)` runs the batch of `law`.
template <class Run>
void cuda_bootstrap(benchmark::State& state, const sf::LawEntry& law, Run run) {
  static const sf::Dataset data = sf::bench::epoch_chinchilla();
  const long resamples = state.range(0);
  const std::vector<double> weights = bootstrap_weights(data.size(), resamples, 11);
  sf::BatchRequest req;
  req.data = &data;
  req.starts = sf::single_start(law.info);
  req.weights = weights.data();
  req.n_weightings = static_cast<int>(resamples);
  req.options = sf::bench::epoch_options();
  sf::cuda::LaunchConfig config;
  config.streams = static_cast<int>(state.range(1));
  // Force several chunks so the streams have something to overlap.
  config.max_weightings_per_chunk = resamples / 8;
  sf::cuda::RunStats stats;
  for (auto _ : state) {
    const auto out = run(req, config, &stats);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["fits/s"] = benchmark::Counter(
      static_cast<double>(resamples) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["chunks"] = static_cast<double>(stats.chunks);
  state.counters["regs"] = stats.registers_per_thread;
  state.counters["MiB"] = static_cast<double>(stats.device_bytes) / (1 << 20);
}

void quantiles(benchmark::State& state, sf::BackendKind backend) {
  const long rows = state.range(0);
  const int cols = 5;
  std::vector<double> table(rows * cols);
  std::mt19937_64 rng(5);
  std::normal_distribution<double> value(0.0, 1.0);
  for (double& v : table) v = value(rng);
  const std::vector<double> probs = {0.025, 0.05, 0.5, 0.95, 0.975};
  for (auto _ : state) {
    const auto q = sf::column_quantiles(table.data(), rows, cols, probs, backend);
    benchmark::DoNotOptimize(q.data());
  }
  state.counters["values/s"] = benchmark::Counter(
      static_cast<double>(rows * cols) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

const bool registered = [] {
  if (!sf::cuda_available()) return false;
  benchmark::RegisterBenchmark(
      "cuda_bootstrap/chinchilla/points:240",
      [](benchmark::State& s) {
        const sf::LawEntry& law = sf::find_law("chinchilla");
        cuda_bootstrap(s, law, [&](const sf::BatchRequest& req, const sf::cuda::LaunchConfig& c,
                                   sf::cuda::RunStats* stats) {
          return sf::cuda::fit_batch<sf::laws::Chinchilla>(law, req, c, stats);
        });
      })
      ->ArgNames({"resamples", "streams"})
      ->ArgsProduct({{8192, 65536}, {1, 2}})
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  if (sf::formula::nvrtc_available())
    benchmark::RegisterBenchmark(
        "cuda_bootstrap/chinchilla-formula/points:240",
        [](benchmark::State& s) {
          const sf::LawEntry& law =
              sf::resolve_law("chinchilla-formula: E + A/N^alpha + B/D^beta");
          const sf::formula::CompiledKernel& k =
              sf::formula::cached_kernel(*law.formula, sf::cuda::device_architecture());
          cuda_bootstrap(s, law, [&](const sf::BatchRequest& req, const sf::cuda::LaunchConfig& c,
                                     sf::cuda::RunStats* stats) {
            return sf::cuda::fit_batch_cubin(
                law, req, {&k.cubin, k.key, sf::formula::kFormulaKernelName}, c, stats);
          });
        })
        ->ArgNames({"resamples", "streams"})
        ->ArgsProduct({{8192, 65536}, {2}})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  for (const auto backend : {sf::BackendKind::Cpu, sf::BackendKind::Cuda})
    benchmark::RegisterBenchmark(
        ("quantiles/" + std::string(sf::to_string(backend)) + "/cols:5").c_str(),
        [backend](benchmark::State& s) { quantiles(s, backend); })
        ->ArgName("rows")
        ->Arg(100000)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
#endif  // SHANNONFIT_HAVE_CUDA
