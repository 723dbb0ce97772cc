// Formula laws in the engine (src/laws/formula_entry.hpp, resolve_law): the built-in chinchilla,
// kaplan and shannon written as formulas, with the built-in law's bounds and start grid, reach
// the built-in law's optimum on the Epoch AI Chinchilla data, on the CPU and the reference
// backends; and what --law resolves: names, "name: formula", law files and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "laws/formula_entry.hpp"
#include "shannonfit/batch.hpp"
#include "shannonfit/errors.hpp"
#include "shannonfit/formula/formula.hpp"
#include "support/cli.hpp"
#include "support/epoch_data.hpp"
#include "support/formula_like.hpp"

using namespace shannonfit;

using shannonfit::testing::spec_like;

namespace {

const char* kChinchilla = "E + A/N^alpha + B/D^beta";
const char* kKaplan = "((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D";
const char* kShannon = "1/(a*N^alpha*log2(1 + D^beta/(c*(D*N)^gamma + d*D^delta + e)))";

const Dataset& epoch() {
  static const Dataset data = shannonfit::testing::load_epoch_chinchilla(
      std::string(SHANNONFIT_DATA_DIR) + "/chinchilla_svg_extracted.csv");
  return data;
}

FitResult best_fit(const LawEntry& law, BatchFn backend, const std::vector<double>& starts) {
  BatchRequest req;
  req.data = &epoch();
  req.starts = starts;
  req.threads = 2;
  return backend(law, req).at(0);
}

// The formula reaches the built-in law's optimum from the built-in grid (CPU), and from the
// CPU's best start on the reference path, with the built-in law's fitted curve.
void expect_same_optimum(const std::string& name, const char* text) {
  const LawEntry& builtin = find_law(name);
  const LawEntry formula_law = make_formula_entry(formula::compile(spec_like(builtin.info, text)));
  ASSERT_EQ(formula_law.n_params, builtin.n_params);
  const std::vector<double> grid = start_grid(builtin.info);
  ASSERT_EQ(start_grid(formula_law.info).size(), grid.size());

  const FitResult b = best_fit(builtin, builtin.batch(BackendKind::Cpu), grid);
  const FitResult f = best_fit(formula_law, formula_law.batch(BackendKind::Cpu), start_grid(formula_law.info));
  ASSERT_TRUE(converged(b.status));
  ASSERT_TRUE(converged(f.status)) << to_string(f.status);
  EXPECT_NEAR(f.cost, b.cost, 1e-9 * b.cost) << name << " (cpu)";
  // The same curve: on the Epoch points shannon's scales a, c, d, e sit in a nearly flat valley
  // (a·S/P barely changes along it), where the parameters themselves are not pinned down.
  for (std::size_t i = 0; i < epoch().size(); ++i) {
    const double ln_n = std::log(epoch().n[i]), ln_d = std::log(epoch().d[i]);
    EXPECT_NEAR(formula_law.log_loss(f.params.data(), ln_n, ln_d, 0.0),
                builtin.log_loss(b.params.data(), ln_n, ln_d, 0.0), 1e-5)
        << name << " point " << i;
  }

  const std::vector<double> start(grid.begin() + b.best_start * b.n_params,
                                  grid.begin() + (b.best_start + 1) * b.n_params);
  const FitResult rb = best_fit(builtin, builtin.batch(BackendKind::Reference), start);
  const FitResult rf = best_fit(formula_law, formula_law.batch(BackendKind::Reference), start);
  ASSERT_TRUE(converged(rb.status));
  ASSERT_TRUE(converged(rf.status)) << to_string(rf.status);
  EXPECT_NEAR(rf.cost, rb.cost, 1e-9 * rb.cost) << name << " (reference)";
  EXPECT_NEAR(rf.cost, b.cost, 1e-9 * b.cost) << name << " (reference against cpu)";
}

std::string input_error(const std::string& argument) {
  try {
    resolve_law(argument);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(FormulaFit, ChinchillaReachesTheBuiltInOptimum) {
  expect_same_optimum("chinchilla", kChinchilla);
}
TEST(FormulaFit, KaplanReachesTheBuiltInOptimum) { expect_same_optimum("kaplan", kKaplan); }
TEST(FormulaFit, ShannonReachesTheBuiltInOptimum) { expect_same_optimum("shannon", kShannon); }

// Every parameter count has its solver: ln L a polynomial in ln N and ln D with P coefficients
// (a linear least-squares problem in the solver's space) fits its own values exactly.
TEST(FormulaFit, EveryParameterCountFits) {
  Dataset data;
  for (double n : {1e8, 2e8, 5e8, 1e9, 3e9, 1e10, 3e10, 1e11})
    for (double d : {1e9, 3e9, 1e10, 3e10, 1e11, 3e11, 1e12, 3e12}) {
      data.n.push_back(n);
      data.d.push_back(d);
    }
  const std::vector<std::string> terms = {"1",     "n",       "d",     "n^2",   "d^2",
                                          "n*d",   "n^3",     "d^3",   "n^2*d", "n*d^2"};
  for (int p = 1; p <= kMaxParams; ++p) {
    std::string sum;
    for (int k = 0; k < p; ++k) {
      std::string term = terms[k];
      for (std::size_t at; (at = term.find('n')) != std::string::npos;)
        term.replace(at, 1, "(log(N)/20)");
      for (std::size_t at; (at = term.find('d')) != std::string::npos;)
        term.replace(at, 1, "(log(D)/20)");
      sum += (k ? " + k" : "k") + std::to_string(k) + "*" + term;
    }
    const LawEntry& law = resolve_law("poly" + std::to_string(p) + ": exp(" + sum + ")");
    ASSERT_EQ(law.n_params, p) << sum;
    std::vector<double> truth(p);
    for (int k = 0; k < p; ++k) truth[k] = 0.1 * (k + 1);
    data.loss.clear();
    for (std::size_t i = 0; i < data.n.size(); ++i)
      data.loss.push_back(
          std::exp(law.log_loss(truth.data(), std::log(data.n[i]), std::log(data.d[i]), 0.0)));
    BatchRequest req;
    req.data = &data;
    req.starts = single_start(law.info);
    req.options.loss = LossKind::L2;
    const FitResult r = law.batch(BackendKind::Cpu)(law, req).at(0);
    ASSERT_TRUE(converged(r.status)) << p << " " << to_string(r.status);
    EXPECT_LT(r.cost, 1e-18) << p;
    for (int k = 0; k < p; ++k) EXPECT_NEAR(r.params[k], truth[k], 1e-6) << p << " k" << k;
  }
}

TEST(ResolveLaw, NamesFormulasAndLawFiles) {
  EXPECT_EQ(&resolve_law("chinchilla"), &find_law("chinchilla"));
  const LawEntry& mine = resolve_law("mine: E + A/N^alpha + B/D^beta");
  EXPECT_EQ(mine.info.name, "mine");
  EXPECT_EQ(mine.info.formula, "E + A/N^alpha + B/D^beta");
  ASSERT_TRUE(mine.formula);
  EXPECT_TRUE(mine.separable);
  // Known by name from then on, and the same law when given again.
  EXPECT_EQ(&find_law("mine"), &mine);
  EXPECT_EQ(&resolve_law("mine: E + A/N^alpha + B/D^beta"), &mine);

  shannonfit::testing::TempDir dir;
  const std::string path = dir.write("kap.json", R"({"name": "kap", "formula": ")" +
                                                     std::string(kKaplan) + R"("})");
  const LawEntry& kap = resolve_law(path);
  EXPECT_EQ(kap.info.name, "kap");
  EXPECT_EQ(kap.n_params, 4);
}

TEST(ResolveLaw, ErrorsSayWhatIsWrong) {
  EXPECT_NE(input_error("chinchilla: E + A/N^alpha").find("built-in law's name"),
            std::string::npos);
  resolve_law("taken: E + A/N^alpha");
  EXPECT_NE(input_error("taken: E + B/D^beta").find("a different law named 'taken'"),
            std::string::npos);
  // A malformed formula: the formula quoted with a caret under the fault.
  const std::string caret = input_error("bad: E + A/N^^alpha");
  EXPECT_NE(caret.find("^"), std::string::npos) << caret;
  EXPECT_NE(caret.find("--law 'bad'"), std::string::npos) << caret;
  EXPECT_NE(input_error("f: E + A/N^alpha + foo(D)").find("foo"), std::string::npos);
  EXPECT_NE(input_error("missing.json").find("missing.json"), std::string::npos);
  EXPECT_THROW(resolve_law("no-such-law"), std::invalid_argument);
}
