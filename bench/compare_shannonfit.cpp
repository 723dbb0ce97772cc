// shannonfit's side of tools/compare.sh.
//   compare_shannonfit write DIR [--law L] [--starts K] [--points N]
//     writes the problem: the Epoch Chinchilla points (or N synthetic ones) and K starts spread
//     through the law's start grid (all of it when K is 0)
//   compare_shannonfit fit DIR [--law L] [--threads T] [--repeat R]
//     fits every start with the CPU backend and prints one JSON line (problem_io.hpp)
//   compare_shannonfit protocol DIR [--law L] [--threads T] [--resamples K] [--seed S]
//     Epoch AI's protocol end to end through the bootstrap driver: every start of DIR on the full
//     data, then K case resamples each refitted from the best full-data fit; prints one JSON line
//     with the wall time, the full-data best fit and every resample's parameters
#include <CLI/CLI.hpp>

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
  j["starts"] = o.full_starts.size() / law.n_params;
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
          points > 0 ? sf::bench::synthetic_chinchilla(points) : sf::bench::epoch_chinchilla();
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
    sf::BatchRequest req;
    req.data = &data;
    req.starts = sf::bench::read_starts(dir, law.n_params);
    req.options = sf::bench::epoch_options();
    req.keep_all_starts = true;
    req.threads = threads;
    std::vector<sf::FitResult> out;
    sf::bench::SolverRun run;
    run.solver = "shannonfit-cpu";
    run.threads = threads;
    run.seconds = sf::bench::best_seconds(repeat, [&] { out = law.cpu(law, req); });
    for (const auto& r : out) {
      run.params.emplace_back(r.params.begin(), r.params.begin() + law.n_params);
      run.costs.push_back(r.cost);
      run.iterations.push_back(r.iterations);
    }
    sf::bench::print_json(run);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_shannonfit: %s\n", e.what());
    return 2;
  }
  return 0;
}
