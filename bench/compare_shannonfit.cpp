// shannonfit's side of tools/compare.sh.
//   compare_shannonfit write DIR [--law L] [--starts K] [--points N]
//     writes the problem: the Epoch Chinchilla points (or N synthetic ones) and K starts spread
//     through the law's start grid (all of it when K is 0)
//   compare_shannonfit fit DIR [--law L] [--threads T] [--repeat R]
//     fits every start with the CPU backend and prints one JSON line (problem_io.hpp)
//   compare_shannonfit separable DIR [--law L] [--threads T] [--repeat R] [--step S]
//     the whole answer with --starts separable: the law's separable search on DIR's points
//     (ignoring DIR's starts), then the CPU backend from its starts; timed together, one JSON
//     line as for fit (one row per start of the search); --step replaces the step of every
//     axis of the law's search grid (0: the law's own), to measure the step's trade-off
//   compare_shannonfit protocol DIR [--law L] [--threads T] [--resamples K] [--seed S]
//     Epoch AI's protocol end to end through the bootstrap driver: every start of DIR on the full
//     data, then K case resamples each refitted from the best full-data fit; prints one JSON line
//     with the wall time, the full-data best fit and every resample's parameters
#include <CLI/CLI.hpp>

#include "analysis/separable_starts.hpp"
#include "bench_data.hpp"
#include "problem_io.hpp"

namespace sf = shannonfit;

namespace {

// The whole protocol is timed once, as a user would run it: the full-data grid is part of it.
void print_protocol(const sf::Dataset& data, const sf::LawEntry& law, const std::string& dir,
                    int threads, int resamples, std::uint64_t seed) {
  const sf::BootstrapOptions o = sf::bench::epoch_bootstrap(
      resamples, seed, threads, sf::bench::read_starts(dir, law.n_params));
  sf::BootstrapResult r;
  const double seconds = sf::bench::best_seconds(1, [&] { r = sf::run_bootstrap(data, law, o); });
  nlohmann::json j;
  j["solver"] = "shannonfit-cpu";
  j["threads"] = threads;
  j["seconds"] = seconds;
  j["starts"] = o.fit.full_starts.size() / law.n_params;
  j["full_params"] =
      std::vector<double>(r.full.params.begin(), r.full.params.begin() + law.n_params);
  j["full_cost"] = r.full.cost;
  j["failed"] = r.failed();
  std::vector<std::vector<double>> params;
  for (const auto& f : r.resamples)
    if (f.ok()) params.emplace_back(f.params.begin(), f.params.begin() + law.n_params);
  j["resample_params"] = params;
  std::printf("%s\n", j.dump().c_str());
}

// Every start of `starts(data)` fitted on the CPU backend, the starts' computation timed with the
// fits; prints one JSON line.
template <class Starts>
void print_fits(const sf::Dataset& data, const sf::LawEntry& law, const char* solver, int threads,
                int repeat, const Starts& starts) {
  sf::BatchRequest req;
  req.data = &data;
  req.options = sf::bench::epoch_options();
  req.keep_all_starts = true;
  req.threads = threads;
  std::vector<sf::FitResult> out;
  sf::bench::SolverRun run;
  run.solver = solver;
  run.threads = threads;
  run.seconds = sf::bench::best_seconds(repeat, [&] {
    req.starts = starts(req.options);
    out = law.batch(sf::BackendKind::Cpu)(law, req);
  });
  for (const auto& r : out) {
    run.params.emplace_back(r.params.begin(), r.params.begin() + law.n_params);
    run.costs.push_back(r.cost);
    run.iterations.push_back(r.iterations);
  }
  sf::bench::print_json(run);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"shannonfit side of tools/compare.sh"};
  app.require_subcommand(1);
  std::string dir, law_name = "chinchilla";
  int starts = 0, points = 0, threads = 1, repeat = 3, resamples = 400;
  std::uint64_t seed = 1;
  auto* write = app.add_subcommand("write", "write the problem files into DIR");
  write->add_option("dir", dir)->required();
  write->add_option("--law", law_name);
  write->add_option("--starts", starts, "starts taken evenly from the grid (0: all)");
  write->add_option("--points", points, "synthetic points (0: the Epoch Chinchilla data)");
  auto* fit = app.add_subcommand("fit", "fit the problem in DIR and print JSON");
  fit->add_option("dir", dir)->required();
  fit->add_option("--law", law_name);
  fit->add_option("--threads", threads);
  fit->add_option("--repeat", repeat);
  auto* separable =
      app.add_subcommand("separable", "fit DIR's points with --starts separable and print JSON");
  separable->add_option("dir", dir)->required();
  separable->add_option("--law", law_name);
  separable->add_option("--threads", threads);
  separable->add_option("--repeat", repeat);
  double step = 0;
  separable->add_option("--step", step, "grid step of every theta axis (0: the law's own)")
      ->check(CLI::NonNegativeNumber);
  auto* protocol = app.add_subcommand("protocol", "run Epoch's protocol on DIR and print JSON");
  protocol->add_option("dir", dir)->required();
  protocol->add_option("--law", law_name);
  protocol->add_option("--threads", threads);
  protocol->add_option("--resamples", resamples)->check(CLI::PositiveNumber);
  protocol->add_option("--seed", seed);
  CLI11_PARSE(app, argc, argv);

  try {
    const sf::LawEntry& law = sf::find_law(law_name);
    if (write->parsed()) {
      const sf::Dataset data =
          points > 0 ? sf::synth::random_chinchilla(points) : sf::bench::epoch_chinchilla();
      const std::vector<double> grid = sf::start_grid(law.info);
      sf::bench::write_problem(
          dir, data, law.info,
          starts > 0 ? sf::bench::strided_starts(grid, law.n_params, starts) : grid);
      return 0;
    }
    const sf::Dataset data = sf::bench::read_points(dir);
    if (protocol->parsed()) {
      print_protocol(data, law, dir, threads, resamples, seed);
      return 0;
    }
    if (separable->parsed()) {
      sf::SeparableForm form = sf::require_separable(law);
      for (auto& axis : form.theta)
        if (step > 0) axis.step = step;
      print_fits(data, law, "shannonfit-separable", threads, repeat, [&](const sf::FitOptions& o) {
        const sf::PreparedPoints points = sf::prepare_points(data, o.space);
        return sf::separable_starts(law, form, points.view(), nullptr, o, sf::kSeparableStarts,
                                    threads);
      });
      return 0;
    }
    const std::vector<double> grid = sf::bench::read_starts(dir, law.n_params);
    print_fits(data, law, "shannonfit-cpu", threads, repeat,
               [&](const sf::FitOptions&) { return grid; });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_shannonfit: %s\n", e.what());
    return 2;
  }
  return 0;
}
