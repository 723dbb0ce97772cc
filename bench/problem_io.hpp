#pragma once
// The problem files tools/compare.sh hands to every solver, so that shannonfit, Ceres and scipy
// fit the very same points from the very same starts:
//   DIR/points.csv   N,D,loss in original units, 17 significant digits (each solver takes logs)
//   DIR/starts.csv   one start per line, the law's parameters in solver space
// and the one-line JSON result every native solver program prints.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shannonfit/batch.hpp"

namespace shannonfit::bench {

inline std::vector<std::vector<double>> read_rows(const std::string& path, std::size_t columns) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<std::vector<double>> rows;
  std::string line;
  std::getline(in, line);  // header
  for (long lineno = 2; std::getline(in, line); ++lineno) {
    std::vector<double> row;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) row.push_back(std::stod(f));
    if (row.size() != columns)
      throw std::runtime_error(path + ":" + std::to_string(lineno) + ": expected " +
                               std::to_string(columns) + " fields, found " +
                               std::to_string(row.size()));
    rows.push_back(row);
  }
  return rows;
}

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

inline Dataset read_points(const std::string& dir) {
  Dataset d;
  d.source = dir + "/points.csv";
  long line = 2;
  for (const auto& r : read_rows(d.source, 3)) {
    d.n.push_back(r[0]);
    d.d.push_back(r[1]);
    d.loss.push_back(r[2]);
    d.line.push_back(line++);
  }
  return d;
}

inline std::vector<double> read_starts(const std::string& dir, int p) {
  std::vector<double> out;
  for (const auto& r : read_rows(dir + "/starts.csv", static_cast<std::size_t>(p)))
    out.insert(out.end(), r.begin(), r.end());
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
