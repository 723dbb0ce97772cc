// Every registered law against its published formula: tests/data/law_values.csv holds values
// computed by tools/law_table.py in 50-digit arithmetic from the papers' formulas on raw N, D
// and x, with none of the engine's log-space rewriting. A law must match to 1e-12 relative at
// every tabulated point, and a law with no rows in the table fails, so a new law cannot ship
// without an independent statement of its formula.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/compute_optimal.hpp"
#include "shannonfit/batch.hpp"

using namespace shannonfit;

namespace {

struct Row {
  std::string law, set;
  std::map<std::string, double> params;  // by reported name
  double n, d, x, value;
};

std::vector<Row> read_table() {
  const std::string path = std::string(SHANNONFIT_SOURCE_DIR) + "/tests/data/law_values.csv";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() != 7) throw std::runtime_error(path + ": malformed row: " + line);
    Row r{f[0], f[1], {}, std::stod(f[3]), std::stod(f[4]), std::stod(f[5]), std::stod(f[6])};
    std::stringstream ps(f[2]);
    for (std::string kv; std::getline(ps, kv, ';');) {
      const auto eq = kv.find('=');
      r.params[kv.substr(0, eq)] = std::stod(kv.substr(eq + 1));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

const std::vector<Row>& table() {
  static const std::vector<Row> rows = read_table();
  return rows;
}

// A row's reported parameters in the law's solver space (ln of the Exp-reported ones).
std::vector<double> solver_params(const LawInfo& info, const Row& r) {
  std::vector<double> p;
  std::set<std::string> used;
  for (const ParamSpec& spec : info.params) {
    const auto it = r.params.find(spec.reported_name);
    if (it == r.params.end()) {
      ADD_FAILURE() << info.name << " set " << r.set << " gives no " << spec.reported_name;
      return {};
    }
    used.insert(spec.reported_name);
    p.push_back(spec.reported == Reported::Exp ? std::log(it->second) : it->second);
  }
  if (used.size() != r.params.size())
    ADD_FAILURE() << info.name << " set " << r.set << " names a parameter the law does not have";
  return p;
}

}  // namespace

TEST(LawTable, EveryRegisteredLawMatchesItsPublishedFormula) {
  for (const LawEntry& law : all_laws()) {
    int rows = 0;
    std::set<std::string> sets;
    double worst = 0;
    for (const Row& r : table()) {
      if (r.law != law.info.name) continue;
      const std::vector<double> p = solver_params(law.info, r);
      if (p.empty()) break;
      const double value = std::exp(law.log_loss(p.data(), std::log(r.n), std::log(r.d), r.x));
      const double rel = std::abs(value / r.value - 1);
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-12) << law.info.name << " set " << r.set << " at N=" << r.n
                            << " D=" << r.d << " x=" << r.x << ": " << value << " vs "
                            << r.value;
      ++rows;
      sets.insert(r.set);
    }
    EXPECT_GE(sets.size(), 2u) << law.info.name << ": needs several parameter sets in "
                               << "tests/data/law_values.csv (tools/law_table.py)";
    EXPECT_GE(rows, 50) << law.info.name << ": too few points in tests/data/law_values.csv";
    std::printf("%-18s %4d points, %zu sets, worst relative error %.2e\n",
                law.info.name.c_str(), rows, sets.size(), worst);
  }
}

TEST(LawTable, PerturbedLawsAreTabulatedAwayFromZeroStrength) {
  for (const LawEntry& law : all_laws()) {
    if (law.info.needs != Needs::Perturbation) continue;
    std::set<double> strengths;
    for (const Row& r : table())
      if (r.law == law.info.name) strengths.insert(r.x);
    EXPECT_GE(strengths.size(), 4u) << law.info.name;
    EXPECT_TRUE(strengths.count(0.0)) << law.info.name << ": x = 0 (unperturbed) not tabulated";
  }
}

// Hoffmann et al.'s closed-form allocation, from the same table: the engine's closed form to
// 1e-12, and its numerical search (used for every law) to 1e-6: a minimiser is located only to
// about sqrt(machine epsilon) of its abscissa (here ln N ≈ 20-25, so ~4e-7 relative in N),
// because the loss is flat to second order around it.
TEST(LawTable, ChinchillaComputeOptimumMatchesTheClosedForm) {
  const LawEntry& law = find_law("chinchilla");
  int rows = 0;
  for (const Row& r : table()) {
    if (r.law != "chinchilla-optimum") continue;
    const std::vector<double> p = solver_params(law.info, r);
    ASSERT_FALSE(p.empty());
    const double budget = r.x, k = r.value;
    EXPECT_NEAR(chinchilla_optimal_n(p.data(), budget, k) / r.n, 1.0, 1e-12)
        << r.set << " C=" << budget << " k=" << k;
    ComputeOptimalOptions o;
    o.flops_per_token_param = k;
    const Optimum opt = compute_optimal(law, p.data(), budget, o);
    ASSERT_TRUE(opt.ok) << r.set << " C=" << budget;
    EXPECT_FALSE(opt.on_bound);
    EXPECT_NEAR(opt.n / r.n, 1.0, 1e-6) << r.set << " C=" << budget << " k=" << k;
    EXPECT_NEAR(opt.d / r.d, 1.0, 1e-6) << r.set << " C=" << budget << " k=" << k;
    ++rows;
  }
  EXPECT_GE(rows, 20);
}
