// Fits per second of every law on every backend this build and machine can run, over data sizes,
// thread counts and the Epoch AI 4500-start Chinchilla grid. Run `bench_fits --help` for the
// Google Benchmark flags; bench/README.md lists the commands behind its tables.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <string>
#include <vector>

#include "bench_data.hpp"
#include "laws/formula_entry.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/formula/formula.hpp"

namespace sf = shannonfit;

namespace {

struct Case {
  const sf::LawEntry* law;
  sf::BackendKind backend;
  const sf::Dataset* data;
  std::vector<double> starts;
  int threads;
};

// Times one batch call per benchmark iteration; wall-clock time, since the batch runs on threads.
void run_batch(benchmark::State& state, const Case& c) {
  const sf::BatchFn fn = sf::resolve_backend(*c.law, c.backend);
  sf::BatchRequest req;
  req.data = c.data;
  req.starts = c.starts;
  req.options = sf::bench::epoch_options();
  req.keep_all_starts = true;
  req.threads = c.threads;
  const long fits = static_cast<long>(c.starts.size()) / c.law->n_params;
  long iterations = 0, failed = 0;
  for (auto _ : state) {
    const std::vector<sf::FitResult> out = fn(*c.law, req);
    for (const auto& r : out) {
      iterations += r.iterations;
      failed += r.failed_starts;
    }
    benchmark::DoNotOptimize(out.data());
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["fits/s"] = benchmark::Counter(static_cast<double>(fits) * runs,
                                                benchmark::Counter::kIsRate);
  state.counters["iters/fit"] = static_cast<double>(iterations) / (static_cast<double>(fits) * runs);
  state.counters["failed"] = static_cast<double>(failed) / runs;
  state.counters["points"] = static_cast<double>(c.data->size());
  state.counters["threads"] = c.threads;
}

void add(const std::string& name, Case c) {
  benchmark::RegisterBenchmark(name.c_str(), [c](benchmark::State& s) { run_batch(s, c); })
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

std::vector<sf::BackendKind> backends() {
  std::vector<sf::BackendKind> b{sf::BackendKind::Cpu, sf::BackendKind::Reference};
  if (sf::cuda_available()) b.push_back(sf::BackendKind::Cuda);
  return b;
}

// Starts per batch: enough to amortise the batch set-up on fast backends, few enough that the
// slow reference path finishes a run in about a second.
int starts_for(sf::BackendKind b) {
  switch (b) {
    case sf::BackendKind::Reference: return 8;
    case sf::BackendKind::Cuda: return 4096;
    default: return 64;
  }
}

void register_all(const std::vector<sf::Dataset>& sizes, const sf::Dataset& epoch) {
  const int cores = omp_get_num_procs();
  for (const sf::LawEntry& law : sf::all_laws()) {
    const std::vector<double> grid = sf::start_grid(law.info);
    for (const sf::BackendKind b : backends()) {
      if (b == sf::BackendKind::Cuda && !law.batch(sf::BackendKind::Cuda)) continue;
      const auto starts = sf::bench::strided_starts(grid, law.n_params, starts_for(b));
      const std::string prefix = "fits/" + law.info.name + "/" + sf::to_string(b) + "/points:";
      if (b != sf::BackendKind::Cpu) {
        for (const sf::Dataset& data : sizes)
          add(prefix + std::to_string(data.size()) + "/threads:0", {&law, b, &data, starts, 0});
        continue;
      }
      // All cores fit the same starts, each once per core: every thread gets the one-thread
      // row's work, so fits/s(all) / (cores x fits/s(1)) is the parallel efficiency.
      std::vector<double> every_core_starts;
      for (int c = 0; c < cores; ++c)
        every_core_starts.insert(every_core_starts.end(), starts.begin(), starts.end());
      for (const sf::Dataset& data : sizes) {
        add(prefix + std::to_string(data.size()) + "/threads:1", {&law, b, &data, starts, 1});
        if (cores > 1)
          add(prefix + std::to_string(data.size()) + "/threads:" + std::to_string(cores),
              {&law, b, &data, every_core_starts, cores});
      }
    }
  }
  // Formula laws beside the compiled ones (issue 22's target: at least half the fits/s on one
  // thread): the built-in law written as a formula, its parameters declared in the built-in
  // order with the same fitting space, fitted from the same starts on the Epoch points.
  static const std::vector<std::pair<std::string, std::string>> formulas = {
      {"chinchilla", "E + A/N^alpha + B/D^beta"},
      {"kaplan", "((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D"},
      {"shannon", "1/(a*N^alpha*log2(1 + D^beta/(c*(D*N)^gamma + d*D^delta + e)))"}};
  static std::vector<sf::LawEntry> formula_laws;
  formula_laws.reserve(formulas.size());
  for (const auto& [name, text] : formulas) {
    const sf::LawEntry& builtin = sf::find_law(name);
    sf::formula::LawSpec spec;
    spec.name = name + "-formula";
    spec.formula = text;
    for (const sf::ParamSpec& p : builtin.info.params) {
      sf::formula::ParameterSpec declared;
      declared.name = p.reported_name;
      spec.parameters.push_back(declared);
    }
    formula_laws.push_back(sf::make_formula_entry(sf::formula::compile(spec)));
    const auto starts = sf::bench::strided_starts(sf::start_grid(builtin.info), builtin.n_params,
                                                  starts_for(sf::BackendKind::Cpu));
    add("formula/" + name + "/cpu/points:240/threads:1",
        {&formula_laws.back(), sf::BackendKind::Cpu, &epoch, starts, 1});
  }
  // Thread scaling on the Epoch problem: the same 2048 starts at 1, 2, 4, ... threads up to 16
  // and at all cores, whatever this machine has (more threads than cores shows oversubscription,
  // not scaling). 2048 starts keep every thread busy for many fits even at 16 threads, so the
  // tail where threads run out of work stays a small part of the run.
  const sf::LawEntry& chinchilla = sf::find_law("chinchilla");
  const std::vector<double> grid = sf::start_grid(chinchilla.info);
  const auto scaling_starts = sf::bench::strided_starts(grid, chinchilla.n_params, 2048);
  std::vector<int> thread_counts{1, 2, 4, 8, 16};
  if (cores > 16) thread_counts.push_back(cores);
  for (const int t : thread_counts)
    add("scaling/chinchilla/cpu/points:240/threads:" + std::to_string(t),
        {&chinchilla, sf::BackendKind::Cpu, &epoch, scaling_starts, t});
  // Epoch's whole protocol step: every start of the 4500-point grid on the 240 points.
  add("epoch_grid/chinchilla/cpu/points:240/threads:" + std::to_string(cores),
      {&chinchilla, sf::BackendKind::Cpu, &epoch, grid, cores});
  if (sf::cuda_available() && chinchilla.batch(sf::BackendKind::Cuda))
    add("epoch_grid/chinchilla/cuda/points:240", {&chinchilla, sf::BackendKind::Cuda, &epoch,
                                                  grid, 0});
}

}  // namespace

int main(int argc, char** argv) {
  // Static storage: the registered lambdas point at these datasets.
  static const sf::Dataset epoch = sf::bench::epoch_chinchilla();
  static const std::vector<sf::Dataset> sizes{sf::synth::random_chinchilla(50), epoch,
                                              sf::synth::random_chinchilla(1000),
                                              sf::synth::random_chinchilla(5000)};
  register_all(sizes, epoch);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("epoch_data", epoch.source);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
