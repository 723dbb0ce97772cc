// Formula laws (include/shannonfit/formula/): the parser's precedence and its error messages,
// the tape against the built-in laws it spells (values and exact derivatives, scalar and lanes),
// non-finite results instead of crashes, law files, roles and separability, and the checks
// before fitting (an unused parameter, the nine-parameter Shannon law's flat direction).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "shannonfit/batch.hpp"
#include "shannonfit/formula/evaluate.hpp"
#include "shannonfit/formula/formula.hpp"
#include "shannonfit/laws/all.hpp"

using namespace shannonfit;
using namespace shannonfit::formula;

// The tape is evaluated on the Jet and the lane block the library instantiates (evaluate.hpp's
// extern declaration, and below): a Jet of each test's own width would compile the interpreter
// once more per width, 10-40 s each under the sanitizers, for the same code.
using J = Jet<double, kMaxParams>;
using JL8 = Jet<Lanes4P, 8>;
constexpr int kLaneGroups = HostSolve::kLinearizeBlock / Lanes4P::kWidth;
// The CPU solver's lane block for 8 parameters, from its unit generated/laws/formula_p8.cpp.
extern template void shannonfit::formula::evaluate_block<kLaneGroups, JL8, Lanes4P>(
    const Tape&, const JL8*, const Lanes4P*, const Lanes4P*, const Lanes4P*, int, JL8*,
    const Lanes4P* const*);

namespace {

// Every parameter fitted as itself, so a test can give plain values.
std::shared_ptr<const CompiledLaw> plain_law(const std::string& text,
                                             const std::vector<std::string>& names) {
  LawSpec spec;
  spec.name = "test";
  spec.formula = text;
  for (const std::string& n : names) {
    ParameterSpec p;
    p.name = n;
    p.log = false;
    spec.parameters.push_back(p);
  }
  return compile(spec);
}

// L at one point (the tape computes ln L).
double value(const std::string& text, const std::vector<std::string>& names,
             const std::vector<double>& params, double n = 1e9, double d = 2e10, double x = 0) {
  const auto law = plain_law(text, names);
  return std::exp(evaluate<double, double>(law->tape, params.data(), std::log(n), std::log(d), x));
}

std::string message_of(const std::string& text, const ParseOptions& options = {}) {
  try {
    parse(text, options);
  } catch (const FormulaError& e) {
    return e.what();
  }
  return "";
}

TEST(FormulaParse, PrecedenceAndAssociativity) {
  const double k = 1.5;
  auto v = [&](const std::string& f) { return value(f, {"k"}, {k}); };
  EXPECT_NEAR(v("k + 2*3^2"), k + 18, 1e-12);
  EXPECT_NEAR(v("k + 2^3^2"), k + 512, 1e-12);   // right-associative: 2^(3^2)
  EXPECT_NEAR(v("k + 2^-1"), k + 0.5, 1e-12);
  EXPECT_NEAR(v("k - 2^2 + 10"), k + 6, 1e-12);  // - is looser than ^ and left-associative
  EXPECT_NEAR(v("k + -2^2 + 10"), k + 6, 1e-12); // -2^2 = -(2^2)
  EXPECT_NEAR(v("k * 8 / 4 / 2"), k, 1e-12);
  EXPECT_NEAR(v("k + 8 - 4 - 2"), k + 2, 1e-12);
  EXPECT_NEAR(v("k ** 2 * 3"), 3 * k * k, 1e-12);
  EXPECT_NEAR(v("min(k, 3) + max(k, 3, 4)"), k + 4, 1e-12);
  EXPECT_NEAR(v("log2(8)*k + log10(1000) + exp(0) + sqrt(4) + log1p(0) + pow(2, 3)"),
              3 * k + 3 + 1 + 2 + 8, 1e-12);
  EXPECT_NEAR(v("k * N / D"), k * 1e9 / 2e10, 1e-15);
  EXPECT_NEAR(v("(k + 1.5e-1) * .5E1"), (k + 0.15) * 5, 1e-12);
}

TEST(FormulaParse, ParametersVariablesAndColumns) {
  ParseOptions options;
  options.columns = {"lr"};
  const Expression e = parse("E + A/N^alpha + c*lr^p + x", options);
  EXPECT_EQ(e.parameters, (std::vector<std::string>{"E", "A", "alpha", "c", "p"}));
  EXPECT_TRUE(e.uses_n);
  EXPECT_FALSE(e.uses_d);
  EXPECT_TRUE(e.uses_x);
  EXPECT_EQ(e.uses_column, std::vector<bool>{true});
}

TEST(FormulaErrors, CaretUnderTheOffendingCharacter) {
  const std::string m = message_of("E + A/N^");
  EXPECT_NE(m.find("formula: the formula ends where a number, name or '(' should be at "
                   "character 9:\n  E + A/N^\n          ^"),
            std::string::npos)
      << m;
  const std::string close = message_of("E + (A/N");
  EXPECT_NE(close.find("never closed at character 5"), std::string::npos) << close;
  EXPECT_NE(message_of("E + A) ").find("')' without a matching '(' at character 6"),
            std::string::npos);
  EXPECT_NE(message_of("2A + N").find("write '*' to multiply"), std::string::npos);
  EXPECT_NE(message_of("E + exp").find("'exp' is a function"), std::string::npos);
  EXPECT_NE(message_of("").find("empty"), std::string::npos);
  EXPECT_NE(message_of("pow(N, 2, 3)").find("pow() takes 2 arguments, not 3"), std::string::npos);
  EXPECT_NE(message_of("E $ N").find("expected an operator"), std::string::npos);
}

TEST(FormulaErrors, UnknownFunctionsAndVariablesAreNamed) {
  const std::string lg = message_of("E + lg(N)");
  EXPECT_NE(lg.find("unknown function 'lg'; did you mean 'log'?"), std::string::npos) << lg;
  EXPECT_NE(message_of("ln(N)").find("did you mean 'log'?"), std::string::npos);
  EXPECT_NE(message_of("sqr(N)").find("did you mean 'sqrt'?"), std::string::npos);
  ParseOptions declared;
  declared.parameters = std::vector<std::string>{"E", "A", "alpha"};
  const std::string v = message_of("E + A/N^alpah", declared);
  EXPECT_NE(v.find("unknown variable 'alpah'"), std::string::npos) << v;
  EXPECT_NE(v.find("did you mean 'alpha'?"), std::string::npos) << v;
}

TEST(FormulaErrors, NestingLimit) {
  auto nested = [](int depth) {
    return std::string(depth, '(') + "A*N" + std::string(depth, ')');
  };
  EXPECT_NO_THROW(parse(nested(kMaxNesting - 1)));
  EXPECT_NE(message_of(nested(kMaxNesting + 1)).find("levels deep"), std::string::npos);
  std::string signs(10000, '-');
  EXPECT_NE(message_of(signs + "A").find("levels deep"), std::string::npos);
  std::string powers = "A";
  for (int k = 0; k < 200; ++k) powers += "^A";
  EXPECT_NE(message_of(powers).find("levels deep"), std::string::npos);
  // A long flat sum is one node, not deep nesting.
  std::string sum = "A";
  for (int k = 0; k < 1000; ++k) sum += "+A";
  EXPECT_NO_THROW(parse(sum));
  EXPECT_NE(message_of(std::string(kMaxFormulaLength + 1, 'A')).find("longer than"),
            std::string::npos);
}

// ---- the tape against the built-in laws ----------------------------------------------------

struct Parity {
  const char* formula;
  std::vector<const char*> order;  // the built-in law's parameter order, by formula names
};

// The tape against the built-in law's registry entry, whose gradient is the law's own Jet
// evaluation (batch.hpp's law_log_loss_gradient).
void expect_parity(const char* builtin, const Parity& spec, bool log_scales = true,
                   bool perturbed = false) {
  LawSpec s;
  s.name = "parity";
  s.formula = spec.formula;
  for (const char* n : spec.order) {
    ParameterSpec p;
    p.name = n;
    if (!log_scales) p.log = false;
    s.parameters.push_back(p);
  }
  const auto law = compile(s);
  const LawEntry& entry = find_law(builtin);
  const int P = entry.n_params;
  ASSERT_EQ(law->n_params(), P);
  const LawInfo& info = entry.info;
  for (int k = 0; k < P; ++k)
    EXPECT_EQ(law->info.params[k].reported, info.params[k].reported) << info.params[k].name;
  std::mt19937_64 rng(22);
  for (int trial = 0; trial < 2000; ++trial) {
    double p[kMaxParams];
    for (int k = 0; k < P; ++k) {
      // Anywhere in the middle of the built-in law's box, plus the grid's spread.
      const ParamSpec& b = info.params[k];
      const double lo = std::max(b.lo, -12.0), hi = std::min(b.hi, 12.0);
      p[k] = std::uniform_real_distribution<double>(lo + 0.02 * (hi - lo), hi - 0.02 * (hi - lo))(rng);
    }
    const double ln_n = std::uniform_real_distribution<double>(15, 30)(rng);
    const double ln_d = std::uniform_real_distribution<double>(17, 32)(rng);
    // A third of the rows clean (x = 0), as in perturbation data.
    const double x = perturbed && trial % 3 != 0
                         ? std::exp(std::uniform_real_distribution<double>(-7, 0)(rng))
                         : 0.0;
    const double want = entry.log_loss(p, ln_n, ln_d, x);
    const double got = evaluate<double, double>(law->tape, p, ln_n, ln_d, x);
    if (!std::isfinite(want)) continue;
    ASSERT_NEAR(got, want, 1e-12 * std::max(1.0, std::fabs(want))) << spec.formula << " trial " << trial;
    double want_grad[kMaxParams];
    const double fw = entry.log_loss_gradient(p, ln_n, ln_d, x, want_grad);
    J pj[kMaxParams];
    for (int k = 0; k < P; ++k) pj[k] = J::variable(p[k], k);
    const J fg = evaluate<J, double>(law->tape, pj, ln_n, ln_d, x);
    ASSERT_NEAR(fg.a, fw, 1e-12 * std::max(1.0, std::fabs(fw)));
    for (int k = 0; k < P; ++k)
      ASSERT_NEAR(fg.v[k], want_grad[k], 1e-12 * std::max(1.0, std::fabs(want_grad[k])))
          << spec.formula << " d/d" << info.params[k].name << " trial " << trial;
  }
}

const Parity kChinchilla{"E + A/N^alpha + B/D^beta", {"A", "B", "E", "alpha", "beta"}};
const Parity kKaplan{"((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D",
                     {"N_c", "D_c", "alpha_N", "alpha_D"}};
const Parity kShannon{"1/(a*N^alpha*log2(1 + D^beta/(c*(D*N)^gamma + d*D^delta + e)))",
                      {"a", "c", "d", "e", "alpha", "beta", "gamma", "delta"}};
const Parity kShannonSimple{"1/(a*N^alpha*log2(1 + D^beta/(c*(D*N)^gamma + d*D^delta)))",
                            {"a", "c", "d", "alpha", "beta", "gamma", "delta"}};
const char* kShannonNine = "1/(a*N^alpha*log2(1 + b*D^beta/(c*(D*N)^gamma + d*D^delta + e)))";

TEST(FormulaTape, MatchesChinchilla) { expect_parity("chinchilla", kChinchilla); }
TEST(FormulaTape, MatchesChinchillaPlain) {
  expect_parity("chinchilla-plain",
                {"E + A*N^(-alpha) + B*D^(-beta)", {"E", "A", "B", "alpha", "beta"}}, false);
}
TEST(FormulaTape, MatchesKaplan) { expect_parity("kaplan", kKaplan); }
TEST(FormulaTape, MatchesShannon) { expect_parity("shannon", kShannon); }
TEST(FormulaTape, MatchesShannonSimple) {
  expect_parity("shannon-simple", kShannonSimple);
}

// The perturbation variants: x = 0 (clean rows) and x > 0 through the same tape.
TEST(FormulaTape, MatchesShannonX) {
  expect_parity("shannon-x",
                {"1/(a*N^alpha*log2(1 + D^beta/((1 + kappa*x^2)*c*(D*N)^gamma + d*D^delta + e)))",
                 {"a", "c", "d", "e", "alpha", "beta", "gamma", "delta", "kappa"}},
                true, true);
}
TEST(FormulaTape, MatchesChinchillaNoise) {
  expect_parity("chinchilla-noise",
                {"E + c*x^p + A/N^alpha + B/D^beta", {"A", "B", "E", "alpha", "beta", "c", "p"}},
                true, true);
}

TEST(FormulaTape, CarefulFormsAreTheBuiltInOnes) {
  // Chinchilla compiles to one log-sum-exp of three log terms: no exp of a parameter, no power.
  const auto law = compile(parse_law_argument("c: E + A/N^alpha + B/D^beta"));
  int lse = 0, exps = 0, logs = 0;
  for (const Instr& in : law->tape.code) {
    lse += in.op == Op::LogSumExp;
    exps += in.op == Op::Exp;
    logs += in.op == Op::Log;
  }
  EXPECT_EQ(lse, 1);
  EXPECT_EQ(exps, 0);
  EXPECT_EQ(logs, 0);
  EXPECT_LE(law->tape.param_slots, 6);
  // exp(k N) at N = 1e10 would overflow; its logarithm is k N itself (k, inside exp(), is
  // fitted as itself).
  const auto big = compile(parse_law_argument("b: exp(k*N)"));
  const double k = 1.0;
  EXPECT_DOUBLE_EQ((evaluate<double, double>(big->tape, &k, std::log(1e10), 0.0, 0.0)), 1e10);
}

TEST(FormulaTape, OverflowAndNegativeLogsAreNonFiniteNotCrashes) {
  // L = E - A N: negative for large A, and ln of a negative number is NaN.
  const auto neg = plain_law("E - A*N", {"E", "A"});
  const double p[2] = {1.0, 1.0};
  EXPECT_TRUE(std::isnan(evaluate<double, double>(neg->tape, p, std::log(1e9), 0.0, 0.0)));
  J pj[2] = {J::variable(1.0, 0), J::variable(1.0, 1)};
  EXPECT_FALSE(std::isfinite(evaluate<J, double>(neg->tape, pj, std::log(1e9), 0.0, 0.0).a));
  // exp(exp(N)) overflows to Inf, and so does its logarithm exp(N).
  const auto over = plain_law("exp(exp(k*N))", {"k"});
  const double one = 1.0;
  EXPECT_FALSE(std::isfinite(evaluate<double, double>(over->tape, &one, std::log(1e9), 0.0, 0.0)));
  // Division by zero and a log of zero.
  const auto zero = plain_law("k/(x - x) + log(x)", {"k"});
  EXPECT_FALSE(std::isfinite(evaluate<double, double>(zero->tape, &one, 1.0, 1.0, 0.0)));
}

TEST(FormulaTape, PowersOfZeroPerturbationAreZeroWithZeroDerivatives) {
  // chinchilla-noise's c x^p at x = 0 (a clean row): exactly E + ..., derivatives finite.
  const auto law = compile(parse_law_argument("n: E + c*x^p + A/N^alpha + B/D^beta"));
  ASSERT_EQ(law->n_params(), 7);  // E, c, p, A, alpha, B, beta
  J p[7];
  const double v[7] = {0.5, -1, 1.5, 6, 0.3, 7, 0.3};
  for (int k = 0; k < 7; ++k) p[k] = J::variable(v[k], k);
  const J clean = evaluate<J, double>(law->tape, p, 20.0, 24.0, 0.0);
  for (int k = 0; k < 7; ++k) EXPECT_TRUE(std::isfinite(clean.v[k])) << k;
  EXPECT_EQ(clean.v[1], 0.0);  // c
  EXPECT_EQ(clean.v[2], 0.0);  // p
  const J noisy = evaluate<J, double>(law->tape, p, 20.0, 24.0, 0.1);
  EXPECT_GT(noisy.a, clean.a);
  EXPECT_NE(noisy.v[2], 0.0);
}

// The solver's lane block (four points to a group, every group of a block) against the scalar
// Jets, for every operation the tape has.
TEST(FormulaTape, LanesMatchScalarJets) {
  const auto law = compile(parse_law_argument(
      "l: E + c*x^p + A/N^alpha + B/D^beta + min(k*N^0.1, sqrt(D)/1e3) + max(log1p(k), k)"));
  constexpr int P = 8;
  ASSERT_EQ(law->n_params(), P);
  const double v[P] = {0.5, -1, 1.5, 6, 0.3, 7, 0.4, -2};
  J ps[P];
  JL8 pl[P];
  for (int k = 0; k < P; ++k) {
    ps[k] = J::variable(v[k], k);
    pl[k] = JL8::variable(Lanes4P(v[k]), k);
  }
  constexpr int W = Lanes4P::kWidth, kPoints = kLaneGroups * W;
  double ln_n[kPoints], ln_d[kPoints], x[kPoints];
  Lanes4P n_lanes[kLaneGroups], d_lanes[kLaneGroups], x_lanes[kLaneGroups];
  for (int j = 0; j < kPoints; ++j) {
    ln_n[j] = 17 + 0.5 * j;
    ln_d[j] = 19 + 0.7 * j;
    x[j] = j % 3 == 0 ? 0.0 : 0.05 * j;
  }
  for (int q = 0; q < kLaneGroups; ++q) {
    n_lanes[q] = Lanes4P::load(ln_n + q * W);
    d_lanes[q] = Lanes4P::load(ln_d + q * W);
    x_lanes[q] = Lanes4P::load(x + q * W);
  }
  JL8 lanes[kLaneGroups];
  evaluate_block<kLaneGroups>(law->tape, pl, n_lanes, d_lanes, x_lanes, kLaneGroups, lanes);
  for (int j = 0; j < kPoints; ++j) {
    const JL8& group = lanes[j / W];
    const int l = j % W;
    const J s = evaluate<J, double>(law->tape, ps, ln_n[j], ln_d[j], x[j]);
    EXPECT_NEAR(group.a.lane(l), s.a, 1e-13 * std::fabs(s.a)) << "point " << j;
    for (int k = 0; k < P; ++k)
      EXPECT_NEAR(group.v[k].lane(l), s.v[k], 1e-12 * std::max(1.0, std::fabs(s.v[k])))
          << "point " << j << " parameter " << k;
  }
}

// ---- roles, starts and separability ----------------------------------------------------------

TEST(FormulaLaw, ScalesAreFittedAsLogarithmsAndExponentsAsThemselves) {
  const auto law = compile(parse_law_argument("k: ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D"));
  const auto& p = law->info.params;
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].name, "ln_N_c");
  EXPECT_EQ(p[0].reported_name, "N_c");
  EXPECT_EQ(p[0].reported, Reported::Exp);
  // In order of appearance: N_c, alpha_N, alpha_D, D_c.
  EXPECT_EQ(law->roles, (std::vector<Role>{Role::Scale, Role::Exponent, Role::Exponent, Role::Scale}));
  EXPECT_EQ(p[1].reported, Reported::AsIs);
  // An added term is a positive scale; subtracted, or inside exp(), a parameter is fitted as
  // itself, and inside exp() it is a rate of any size rather than a power's exponent.
  const auto free = compile(parse_law_argument("f: L0 - k*log(N) + exp(-s*D)"));
  EXPECT_EQ(free->roles, (std::vector<Role>{Role::Scale, Role::Free, Role::Free}));
  for (const ParamSpec& s : law->info.params) {
    EXPECT_EQ(s.grid.size(), 3u) << s.name;
    for (double g : s.grid) EXPECT_TRUE(g >= s.lo && g <= s.hi) << s.name;
    EXPECT_TRUE(s.fixed_value >= s.lo && s.fixed_value <= s.hi);
  }
  EXPECT_EQ(law->info.min_distinct.n, 2);
  EXPECT_EQ(law->info.min_distinct.x, 0);
  EXPECT_EQ(law->info.needs, Needs::Nothing);
}

TEST(FormulaLaw, ChinchillaIsSeparableAsTheBuiltInLaw) {
  const auto law = compile(parse_law_argument("c: A/N^alpha + B/D^beta + E"));
  ASSERT_TRUE(law->separable);
  EXPECT_EQ(law->separable->coef_params, (std::vector<int>{0, 2, 4}));  // A, B, E
  ASSERT_EQ(law->separable->theta.size(), 2u);
  const SeparableForm builtin = laws::Chinchilla::separable();
  for (int j = 0; j < 2; ++j) {
    EXPECT_DOUBLE_EQ(law->separable->theta[j].lo, builtin.theta[j].lo);
    EXPECT_DOUBLE_EQ(law->separable->theta[j].hi, builtin.theta[j].hi);
    EXPECT_NEAR(law->separable->theta[j].step, builtin.theta[j].step, 1e-12);
  }
  const double theta[2] = {0.34, 0.28};
  double ours[3], theirs[3];
  separable_basis(*law, theta, 21.0, 25.0, 0.0, ours);
  builtin.basis(theta, 21.0, 25.0, 0.0, theirs);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(ours[k], theirs[k], 1e-15 * std::fabs(theirs[k]));
  EXPECT_FALSE(compile(parse_law_argument("k: ((N_c/N)^(a_N/a_D) + D_c/D)^a_D"))->separable);
  EXPECT_FALSE(compile(parse_law_argument("s: " + std::string(kShannonNine)))->separable);
}

// ---- checks before fitting -----------------------------------------------------------------

struct Grid {
  std::vector<double> ln_n, ln_d, x, target;
  PointsView<double> view() const {
    return {ln_n.data(), ln_d.data(), nullptr, target.data(), static_cast<int>(ln_n.size())};
  }
};
// A Chinchilla-like design: 5 model sizes x 6 token counts.
Grid design() {
  Grid g;
  for (double n : {7e7, 3e8, 1e9, 4e9, 1.6e10})
    for (double tpp : {2.0, 5.0, 10.0, 20.0, 50.0, 100.0}) {
      g.ln_n.push_back(std::log(n));
      g.ln_d.push_back(std::log(n * tpp));
      g.target.push_back(0.0);
    }
  return g;
}

TEST(FormulaChecks, NineParameterShannonHasOneFlatDirection) {
  const auto law = compile(parse_law_argument(std::string("s9: ") + kShannonNine));
  ASSERT_EQ(law->n_params(), 9);
  const Grid g = design();
  const IdentifiabilityCheck check =
      check_identifiability(*law, g.view(), start_grid(law->info));
  EXPECT_TRUE(check.unused.empty());
  ASSERT_EQ(check.flat_directions.size(), 1u) << check.describe(*law);
  // b, c, d, e scale together: ln b, ln c, ln d, ln e all move by the same amount.
  const std::vector<double>& v = check.flat_directions[0];
  const std::vector<std::string>& names = law->expression.parameters;
  for (int k = 0; k < 9; ++k) {
    const bool scale = names[k] == "b" || names[k] == "c" || names[k] == "d" || names[k] == "e";
    EXPECT_NEAR(std::fabs(v[k]), scale ? 0.5 : 0.0, 1e-6) << names[k];
  }
  const std::string text = check.describe(*law);
  EXPECT_NE(text.find("flat direction"), std::string::npos);
  EXPECT_NE(text.find("b, c, d, e cannot all be identified"), std::string::npos) << text;
  // The eight-parameter form (b = 1) has none.
  const auto eight = compile(parse_law_argument(std::string("s8: ") + kShannon.formula));
  EXPECT_TRUE(check_identifiability(*eight, g.view(), start_grid(eight->info)).ok());
}

TEST(FormulaChecks, ParameterThatDoesNotAffectTheLossIsNamed) {
  const auto law = compile(parse_law_argument("u: E + A/N^alpha + B/D^beta + 0*k"));
  const Grid g = design();
  const IdentifiabilityCheck check = check_identifiability(*law, g.view(), start_grid(law->info));
  ASSERT_EQ(check.unused.size(), 1u);
  EXPECT_EQ(law->expression.parameters[check.unused[0]], "k");
  EXPECT_NE(check.describe(*law).find("parameter 'k' does not affect the loss"),
            std::string::npos);
  EXPECT_TRUE(check.flat_directions.empty()) << check.describe(*law);
  // Chinchilla on the same design is identified.
  const auto ok = compile(parse_law_argument("c: E + A/N^alpha + B/D^beta"));
  EXPECT_TRUE(check_identifiability(*ok, g.view(), start_grid(ok->info)).ok());
}

// ---- law files -----------------------------------------------------------------------------

TEST(FormulaLawFile, FieldsBoundsAndGrids) {
  const LawSpec spec = parse_law_json(R"({
    "name": "chinchilla-file",
    "formula": "E + A/N^alpha + B/D^beta",
    "citation": "Hoffmann et al. 2022",
    "parameters": [
      {"name": "A", "min": 1e-3, "max": 1e12, "grid": [10, 400]},
      {"name": "B", "min": 1e-3, "max": 1e12},
      {"name": "E", "log": false, "min": 0, "max": 10, "start": 1.7},
      {"name": "alpha", "min": 0, "max": 2},
      {"name": "beta", "min": 0, "max": 2}
    ],
    "space": "linear",
    "min_distinct": {"N": 3, "D": 3}
  })",
                                      "law.json");
  const auto law = compile(spec);
  const LawInfo& info = law->info;
  EXPECT_EQ(info.name, "chinchilla-file");
  EXPECT_EQ(info.source, "Hoffmann et al. 2022");
  EXPECT_EQ(law->space, Space::Linear);
  EXPECT_EQ(info.min_distinct.n, 3);
  EXPECT_EQ(info.params[0].name, "ln_A");
  EXPECT_DOUBLE_EQ(info.params[0].lo, std::log(1e-3));
  EXPECT_DOUBLE_EQ(info.params[0].grid[1], std::log(400.0));
  EXPECT_EQ(info.params[2].reported, Reported::AsIs);
  EXPECT_DOUBLE_EQ(info.params[2].fixed_value, 1.7);
  EXPECT_EQ(info.params[3].grid.size(), 3u);
  // E fitted as itself: the sum is no longer known positive, and the tape takes ln of the sum.
  EXPECT_FALSE(law->separable);  // E may be negative, so NNLS cannot place it
}

std::string law_error(const std::string& json) {
  try {
    compile(parse_law_json(json, "law.json"));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(FormulaLawFile, ErrorsNameTheFileAndField) {
  EXPECT_NE(law_error(R"({"name": "x"})").find("law.json: field 'formula': is missing"),
            std::string::npos);
  EXPECT_NE(law_error(R"({"name": "x", "formula": "A*N", "colour": 1})")
                .find("field 'colour': unknown field"),
            std::string::npos);
  EXPECT_NE(law_error(R"({"name": "x", "formula": "A*N", "parameters": [{"name": "A", "min": -1}]})")
                .find("parameter 'A': min is -1, but the parameter is fitted as its logarithm"),
            std::string::npos);
  EXPECT_NE(law_error(R"({"name": "x", "formula": "A*N + B", "parameters": [{"name": "A"}]})")
                .find("unknown variable 'B'"),
            std::string::npos);
  EXPECT_NE(law_error(R"({"name": "x", "formula": "A*N", "parameters": [{"name": "A"}, {"name": "C"}]})")
                .find("parameter 'C' is listed but the formula does not use it"),
            std::string::npos);
  EXPECT_NE(law_error(R"({"name": "x", "formula": "A*N +"})").find("law.json: field 'formula': "),
            std::string::npos);
  EXPECT_NE(law_error("{not json").find("law.json: not valid JSON"), std::string::npos);
  // A number beyond a double is nlohmann's out_of_range, not a parse_error (found by fuzzing).
  EXPECT_NE(law_error(R"({"name": "x", "formula": "A*N", "parameters": {"A": {"max": 6E6666666}}})")
                .find("law.json: not valid JSON"),
            std::string::npos);
  EXPECT_NE(law_error(R"({"name": "x", "formula": "N*D"})").find("no parameters"),
            std::string::npos);
}

TEST(FormulaLawFile, CommandLineForm) {
  const LawSpec spec = parse_law_argument("myshannon: 1/(a*N^alpha)");
  EXPECT_EQ(spec.name, "myshannon");
  EXPECT_EQ(spec.formula, "1/(a*N^alpha)");
  try {
    compile(parse_law_argument("bad: 1/(a*N^^alpha)"));
    FAIL();
  } catch (const FormulaError& e) {
    EXPECT_NE(std::string(e.what()).find("--law 'bad': "), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_law_argument("no formula here"), InputError);
  EXPECT_THROW(parse_law_argument("bad name: N"), InputError);
}

}  // namespace

namespace {

// The block form runs the same steps on many points: each group of a block of m must get exactly
// what it gets alone, in a block of one.
TEST(FormulaTape, BlocksMatchPointByPoint) {
  const auto law = compile(parse_law_argument(
      "b: E + c*x^p + A/N^alpha + B/D^beta + min(k*N^0.1, sqrt(D)/1e3) + max(log1p(k), k)"));
  constexpr int P = 8;
  const double v[P] = {0.5, -1, 1.5, 6, 0.3, 7, 0.4, -2};
  JL8 p[P];
  for (int k = 0; k < P; ++k) p[k] = JL8::variable(Lanes4P(v[k]), k);
  constexpr int W = Lanes4P::kWidth;
  Lanes4P ln_n[kLaneGroups], ln_d[kLaneGroups], x[kLaneGroups];
  for (int q = 0; q < kLaneGroups; ++q) {
    double n[W], d[W], xs[W];
    for (int l = 0; l < W; ++l) {
      const int j = q * W + l;
      n[l] = 17 + 0.5 * j;
      d[l] = 19 + 0.7 * j;
      xs[l] = j % 3 == 0 ? 0.0 : 0.05 * j;
    }
    ln_n[q] = Lanes4P::load(n);
    ln_d[q] = Lanes4P::load(d);
    x[q] = Lanes4P::load(xs);
  }
  for (int m = 1; m <= kLaneGroups; ++m) {
    JL8 out[kLaneGroups];
    evaluate_block<kLaneGroups>(law->tape, p, ln_n, ln_d, x, m, out);
    for (int q = 0; q < m; ++q) {
      JL8 one;
      evaluate_block<kLaneGroups>(law->tape, p, ln_n + q, ln_d + q, x + q, 1, &one);
      for (int l = 0; l < W; ++l) {
        EXPECT_EQ(out[q].a.lane(l), one.a.lane(l)) << "group " << q << " of " << m;
        for (int k = 0; k < P; ++k)
          EXPECT_EQ(out[q].v[k].lane(l), one.v[k].lane(l)) << "group " << q << " d" << k;
      }
    }
  }
}

}  // namespace

TEST(FormulaTape, CosSinAtanWithExactDerivativesOverAColumnOfItsOwn) {
  LawSpec spec = parse_law_argument("t(u): sin(c*u) + atan(d*u) - a*cos(b*u)");
  ASSERT_EQ(spec.columns, std::vector<std::string>{"u"});
  const auto law = compile(spec);
  // u is read in x's place, of any sign; N and D are not read at all.
  EXPECT_EQ(law->columns.x, "u");
  EXPECT_FALSE(law->columns.uses_n);
  EXPECT_FALSE(law->columns.uses_d);
  ASSERT_EQ(law->expression.parameters, (std::vector<std::string>{"c", "d", "a", "b"}));
  const double c = 0.3, d = -1.7, a = 2.5, b = 0.9;
  const double p[4] = {c, d, a, b};
  for (double u : {-2.0, 0.0, 0.7, 3.1}) {
    const double want = std::sin(c * u) + std::atan(d * u) - a * std::cos(b * u);
    double grad[4];
    const double got = log_loss_gradient(law->value, p, 0.0, 0.0, u, grad);
    EXPECT_NEAR(got, want, 1e-15 * (1 + std::fabs(want))) << u;
    EXPECT_NEAR(grad[0], u * std::cos(c * u), 1e-15) << u;
    EXPECT_NEAR(grad[1], u / (1 + d * u * d * u), 1e-15) << u;
    EXPECT_NEAR(grad[2], -std::cos(b * u), 1e-15) << u;
    EXPECT_NEAR(grad[3], a * u * std::sin(b * u), 1e-14) << u;
  }
}
