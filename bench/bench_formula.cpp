// A formula law's tape against the compiled law it spells, side by side in one loop on one
// thread: ln L and its exact Jacobian row (Jets) at every Epoch Chinchilla point, as the solver's
// linearize pass evaluates them, point by point (scalar Jets) and 4 points at once (lanes).
// The tape runs per point (the interface the solver has today) and per block of 16 points
// (evaluate_block, what phase 2's linearize calls). Counters: ns per point for each, and the
// time ratios tape/compiled and block/compiled (bench/README.md).
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "bench_data.hpp"
#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"
#include "shannonfit/laws/chinchilla.hpp"

namespace sf = shannonfit;

namespace {

// This thread's CPU time: the machine the numbers come from is shared, and wall time would
// count other processes' turns against whichever pass they interrupted.
struct Clock {
  using duration = std::chrono::nanoseconds;
  static duration now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
};

struct Problem {
  sf::PreparedPoints points;
  std::shared_ptr<const sf::formula::CompiledLaw> law;
  double params[5];
};

const Problem& problem() {
  static const Problem p = [] {
    Problem q;
    q.points = sf::prepare_points(sf::bench::epoch_chinchilla(), sf::Space::Log);
    q.law = sf::formula::compile(
        sf::formula::parse_law_argument("chinchilla-formula: A/N^alpha + B/D^beta + E"));
    // The Epoch fit: ln A, ln B, ln E, alpha, beta (the formula's order: A, alpha, B, beta, E).
    const double a = std::log(482.0), b = std::log(2085.0), e = std::log(1.82);
    const double builtin[5] = {a, b, e, 0.3478, 0.3658};
    const int order[5] = {0, 3, 1, 4, 2};  // formula parameter k is builtin[order[k]]
    for (int k = 0; k < 5; ++k) q.params[k] = builtin[order[k]];
    return q;
  }();
  return p;
}

// Sums of values and derivatives, so the compiler cannot drop any evaluation.
double first_lane(double v) { return v; }
double first_lane(const sf::Lanes4P& v) { return v.lane(0); }
template <class J>
double checksum(const J& f) {
  double s = first_lane(f.a);
  for (const auto& d : f.v) s += first_lane(d);
  return s;
}

void run_pair(benchmark::State& state, bool lanes) {
  const Problem& q = problem();
  const int n = static_cast<int>(q.points.ln_n.size());
  const sf::formula::FormulaLaw<5> tape_law{&q.law->tape};
  double builtin_p[5];
  const int order[5] = {0, 2, 4, 1, 3};  // builtin parameter k is formula parameter order[k]
  for (int k = 0; k < 5; ++k) builtin_p[k] = q.params[order[k]];
  Clock::duration builtin_time{}, tape_time{}, block_time{};
  constexpr int kBlock = 16;
  double sink = 0;
  for (auto _ : state) {
    if (lanes) {
      using L = sf::Lanes4P;
      using J = sf::Jet<L, 5>;
      J pb[5], pt[5];
      for (int k = 0; k < 5; ++k) {
        pb[k] = J::variable(L(builtin_p[k]), k);
        pt[k] = J::variable(L(q.params[k]), k);
      }
      const auto t0 = Clock::now();
      for (int i = 0; i + 4 <= n; i += 4)
        sink += checksum(sf::laws::Chinchilla::log_loss<J>(
            pb, L::load(&q.points.ln_n[i]), L::load(&q.points.ln_d[i]), L(0.0)));
      const auto t1 = Clock::now();
      for (int i = 0; i + 4 <= n; i += 4)
        sink += checksum(tape_law.log_loss<J>(pt, L::load(&q.points.ln_n[i]),
                                              L::load(&q.points.ln_d[i]), L(0.0)));
      const auto t2 = Clock::now();
      // Blocks of 4 groups of 4 points.
      L ln_n[kBlock / 4], ln_d[kBlock / 4], x[kBlock / 4];
      J out[kBlock / 4];
      for (int i = 0; i + kBlock <= n; i += kBlock) {
        for (int g = 0; g < kBlock / 4; ++g) {
          ln_n[g] = L::load(&q.points.ln_n[i + 4 * g]);
          ln_d[g] = L::load(&q.points.ln_d[i + 4 * g]);
          x[g] = L(0.0);
        }
        sf::formula::evaluate_block<kBlock / 4>(q.law->tape, pt, ln_n, ln_d, x, kBlock / 4, out);
        for (const J& f : out) sink += checksum(f);
      }
      const auto t3 = Clock::now();
      builtin_time += t1 - t0;
      tape_time += t2 - t1;
      block_time += t3 - t2;
    } else {
      using J = sf::Jet<double, 5>;
      J pb[5], pt[5];
      for (int k = 0; k < 5; ++k) {
        pb[k] = J::variable(builtin_p[k], k);
        pt[k] = J::variable(q.params[k], k);
      }
      const auto t0 = Clock::now();
      for (int i = 0; i < n; ++i)
        sink += checksum(
            sf::laws::Chinchilla::log_loss<J>(pb, q.points.ln_n[i], q.points.ln_d[i], 0.0));
      const auto t1 = Clock::now();
      for (int i = 0; i < n; ++i)
        sink += checksum(tape_law.log_loss<J>(pt, q.points.ln_n[i], q.points.ln_d[i], 0.0));
      const auto t2 = Clock::now();
      const double zeros[kBlock] = {};
      J out[kBlock];
      for (int i = 0; i + kBlock <= n; i += kBlock) {
        sf::formula::evaluate_block<kBlock>(q.law->tape, pt, &q.points.ln_n[i], &q.points.ln_d[i],
                                            zeros, kBlock, out);
        for (const J& f : out) sink += checksum(f);
      }
      const auto t3 = Clock::now();
      builtin_time += t1 - t0;
      tape_time += t2 - t1;
      block_time += t3 - t2;
    }
  }
  benchmark::DoNotOptimize(sink);
  const double points = static_cast<double>(state.iterations()) * n;
  const double builtin_ns = std::chrono::duration<double, std::nano>(builtin_time).count();
  const double tape_ns = std::chrono::duration<double, std::nano>(tape_time).count();
  state.counters["compiled_ns/point"] = builtin_ns / points;
  state.counters["tape_ns/point"] = tape_ns / points;
  state.counters["tape/compiled"] = tape_ns / builtin_ns;
  // 240 points are 15 whole blocks of 16: the block pass covers every point too.
  const double block_ns = std::chrono::duration<double, std::nano>(block_time).count();
  state.counters["block_ns/point"] = block_ns / points;
  state.counters["block/compiled"] = block_ns / builtin_ns;
  state.counters["points"] = n;
}

BENCHMARK_CAPTURE(run_pair, chinchilla/jet/points:240/threads:1, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run_pair, chinchilla/lanes/points:240/threads:1, true)->Unit(benchmark::kMillisecond);

}  // namespace
