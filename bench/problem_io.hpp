#pragma once
// The problem files tools/compare.sh hands to every solver, so that shannonfit, Ceres and scipy
// fit the very same points from the very same starts:
//   DIR/points.csv   N,D,loss in original units, 17 significant digits (each solver takes logs)
//   DIR/starts.csv   one start per line, the law's parameters in solver space
// and the one-line JSON result every native solver program prints.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/csv.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::bench {

inline void write_problem(const std::string& dir, const Dataset& data, const LawInfo& law,
                          const std::vector<double>& starts) {
  std::ofstream pts(dir + "/points.csv");
  pts << "N,D,loss\n";
  char buf[128];
  for (std::size_t i = 0; i < data.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.17g,%.17g,%.17g\n", data.n[i], data.d[i], data.loss[i]);
    pts << buf;
  }
  std::ofstream st(dir + "/starts.csv");
  const std::size_t p = law.params.size();
  for (std::size_t k = 0; k < p; ++k) st << (k ? "," : "") << law.params[k].name;
  st << "\n";
  for (std::size_t s = 0; s < starts.size() / p; ++s) {
    for (std::size_t k = 0; k < p; ++k) {
      std::snprintf(buf, sizeof buf, "%s%.17g", k ? "," : "", starts[s * p + k]);
      st << buf;
    }
    st << "\n";
  }
  if (!pts || !st) throw std::runtime_error(dir + ": cannot write the problem files");
}

// Both files are read with the CLI's CSV reader, so a malformed problem is reported by file, line
// and column like any user data.
inline Dataset read_points(const std::string& dir) {
  io::ColumnMap map;
  map.n = "N";
  map.d = "D";
  map.loss = "loss";
  return io::load_data(dir + "/points.csv", map).slices.at(0).data;
}

inline std::vector<double> read_starts(const std::string& dir, int p) {
  const io::Table table = io::read_csv(dir + "/starts.csv");
  if (table.header.size() != static_cast<std::size_t>(p))
    throw InputError(table.source + ": expected " + std::to_string(p) + " columns, found " +
                     std::to_string(table.header.size()));
  std::vector<double> out;
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      double value = 0;
      if (!io::parse_number(table.rows[r][c], value) || !std::isfinite(value))
        throw InputError(table.source + ":" + std::to_string(table.line[r]) + ": column '" +
                         table.header[c] + "': not a finite number: '" + table.rows[r][c] + "'");
      out.push_back(value);
    }
  return out;
}

// Runs `fit_all` `repeat` times and keeps the fastest run: on a shared machine the minimum is
// the measurement least disturbed by other processes.
template <class Fn>
double best_seconds(int repeat, Fn&& fit_all) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fit_all();
    const double dt =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt < best) best = dt;
  }
  return best;
}

// One solver's answer: final parameters and cost per start, and the best wall time of a run.
struct SolverRun {
  std::string solver;
  int threads = 1;
  double seconds = 0;
  std::vector<std::vector<double>> params;
  std::vector<double> costs;
  std::vector<int> iterations;
};

inline void print_json(const SolverRun& run) {
  nlohmann::json j;
  j["solver"] = run.solver;
  j["threads"] = run.threads;
  j["seconds"] = run.seconds;
  j["fits"] = run.costs.size();
  j["params"] = run.params;
  j["costs"] = run.costs;
  j["iterations"] = run.iterations;
  std::printf("%s\n", j.dump().c_str());
}

}  // namespace shannonfit::bench
