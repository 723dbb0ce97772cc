// Formula laws through the command line: --law 'name: formula' and law files in fit, bootstrap
// and analyze; bootstrap intervals of the built-in laws written as law files (the built-in
// law's box and start grid) against the built-in laws' own, to 4 significant digits; the checks
// before fitting and the error messages.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <cstdio>
#include <string>
#include <vector>

#include "analysis/projected_starts.hpp"
#include "shannonfit/batch.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using namespace shannonfit::testing;
using Json = nlohmann::json;

namespace {

const std::string kData = std::string(SHANNONFIT_DATA_DIR) + "/chinchilla_svg_extracted.csv";
const std::vector<std::string> kEpoch = {kData, "--n-col", "Model Size", "--flops-col",
                                         "Training FLOP", "--drop-highest-loss", "5",
                                         "--threads", "2"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The built-in law as a law file: its formula, and each parameter's box, grid and start in the
// units users read.
std::string law_file_like(const std::string& name, const std::string& formula) {
  const LawInfo& info = find_law(name).info;
  Json params = Json::array();
  for (const ParamSpec& p : info.params) {
    const bool log = p.reported == Reported::Exp;
    auto user = [&](double v) { return log ? std::exp(v) : v; };
    Json grid = Json::array();
    for (double g : p.grid) grid.push_back(user(g));
    params.push_back({{"name", p.reported_name}, {"log", log}, {"min", user(p.lo)},
                      {"max", user(p.hi)}, {"grid", grid}, {"start", user(p.fixed_value)}});
  }
  return Json{{"name", name + "-file"}, {"formula", formula}, {"parameters", params}}.dump();
}

// An interval end this many times the estimate marks a direction the resamples do not identify.
constexpr double kFlatRunout = 1e3;

bool same_4_digits(double a, double b) {
  return std::fabs(a - b) <= 5e-5 * std::max(std::fabs(a), std::fabs(b));
}

void expect_same_intervals(const std::string& name, const std::string& formula, int resamples) {
  TempDir dir;
  const std::string file = dir.write(name + ".json", law_file_like(name, formula));
  const auto common = {std::string("--resamples"), std::to_string(resamples),
                       std::string("--seed"), std::string("7"), std::string("--json"),
                       std::string("-q")};
  const CliRun b = run_shannonfit(with(with(with({"bootstrap"}, kEpoch), {"--law", name}),
                                       std::vector<std::string>(common)));
  ASSERT_EQ(b.code, 0) << b.err;
  const CliRun f = run_shannonfit(with(with(with({"bootstrap"}, kEpoch), {"--law", file}),
                                       std::vector<std::string>(common)));
  ASSERT_EQ(f.code, 0) << f.err;
  const Json jb = Json::parse(b.out)["results"][0], jf = Json::parse(f.out)["results"][0];
  EXPECT_EQ(jf["fit"]["law"], name + "-file");
  ASSERT_EQ(jb["parameters"].size(), jf["parameters"].size());
  for (std::size_t k = 0; k < jb["parameters"].size(); ++k) {
    const Json& pb = jb["parameters"][k];
    const Json& pf = jf["parameters"][k];
    EXPECT_EQ(pb["name"], pf["name"]);
    EXPECT_TRUE(same_4_digits(pb["estimate"], pf["estimate"]))
        << name << " " << pb["name"] << ": " << pb["estimate"] << " " << pf["estimate"];
    for (const char* method : {"percentile", "bca"})
      for (int side = 0; side < 2; ++side) {
        const double built_in = pb[method][side], typed = pf[method][side];
        // A resample refit that runs out along a flat direction (Shannon's scales on the Epoch
        // points: the estimate's own identifiability warning) ends wherever rounding-level
        // differences between the tape and the compiled law take it over thousands of
        // iterations. There both must run out, far beyond the estimate; elsewhere they agree.
        const double estimate = pb["estimate"];
        if (std::fabs(built_in) > kFlatRunout * std::fabs(estimate)) {
          EXPECT_GT(std::fabs(typed), kFlatRunout * std::fabs(estimate))
              << name << " " << pb["name"] << " " << method << ": " << pb[method] << " "
              << pf[method];
          continue;
        }
        EXPECT_TRUE(same_4_digits(built_in, typed))
            << name << " " << pb["name"] << " " << method << ": " << pb[method] << " "
            << pf[method];
      }
  }
}

}  // namespace

TEST(FormulaCli, ChinchillaBootstrapIntervalsMatchTheBuiltInLaw) {
  expect_same_intervals("chinchilla", "E + A/N^alpha + B/D^beta", 100);
}

TEST(FormulaCli, KaplanBootstrapIntervalsMatchTheBuiltInLaw) {
  expect_same_intervals("kaplan", "((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D", 100);
}

TEST(FormulaCli, ShannonBootstrapIntervalsMatchTheBuiltInLaw) {
  expect_same_intervals(
      "shannon", "1/(a*N^alpha*log2(1 + D^beta/(c*(D*N)^gamma + d*D^delta + e)))", 30);
}

TEST(FormulaCli, FitTakesAFormulaBesideBuiltInLaws) {
  // The formula's commas are inside parentheses: one law, beside the listed built-in one.
  const CliRun r = run_shannonfit(
      with(with({"fit"}, kEpoch), {"--law", "kaplan,mine: max(E, 0) + A/N^alpha + B/pow(D, beta)",
                                   "--json", "-q"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["fits"].size(), 2u);
  EXPECT_EQ(j["fits"][0]["law"], "kaplan");
  EXPECT_EQ(j["fits"][1]["law"], "mine");
}

TEST(FormulaCli, FlatDirectionIsReportedBeforeTheFit) {
  const CliRun r = run_shannonfit(with(
      with({"fit"}, kEpoch),
      {"--law", "shannon9: 1/(a*N^alpha*log2(1 + b*D^beta/(c*(D*N)^gamma + d*D^delta + e)))",
       "--starts", "single", "--json"}));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: law shannon9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("flat direction"), std::string::npos) << r.err;
}

TEST(FormulaCli, MalformedFormulaIsAnErrorWithACaret) {
  const CliRun r =
      run_shannonfit(with(with({"fit"}, kEpoch), {"--law", "bad: E + A/N^^alpha", "--json"}));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--law 'bad'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(FormulaCli, AnalyzeReportsTheFormula) {
  TempDir dir;
  const CliRun r = run_shannonfit(with(
      with({"analyze"}, kEpoch),
      {"--law", "mine: E + A/N^alpha + B/D^beta", "--resamples", "20", "--seed", "3",
       "--no-figures", "--out", dir.file("report"), "-q"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = dir.read("report/report.html");
  EXPECT_NE(html.find("E + A/N^alpha + B/D^beta"), std::string::npos);
}

// ---- laws over their own columns, responses of any sign, explicit starts (issue 23) ----------

namespace {

// y = -1 + 2 e^(-t/2) at t = 0..11: crosses zero near t = 1.4; no N or D column at all.
std::string decay_csv() {
  std::string csv = "t,y\n";
  for (int t = 0; t < 12; ++t) {
    char row[64];
    std::snprintf(row, sizeof row, "%d,%.17g\n", t, -1 + 2 * std::exp(-0.5 * t));
    csv += row;
  }
  return csv;
}

// c is subtracted, so fitted as itself (any sign); b multiplies a positive term, so as its log.
const char* const kDecayLaw = "decay(t): b*exp(-k*t) - c";

std::map<std::string, double> fitted(const Json& fit) {
  std::map<std::string, double> out;
  for (const Json& p : fit["parameters"]) out[p["reported_name"]] = p["reported_value"];
  return out;
}

}  // namespace

TEST(FormulaColumns, LawReadsItsOwnColumnAndFitsAnySignInLinearSpace) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv());
  const CliRun r = run_shannonfit({"fit", data, "--law", kDecayLaw, "--loss-col", "y",
                                   "--space", "linear", "--loss", "l2", "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Json fit = Json::parse(r.out)["fits"][0];
  ASSERT_TRUE(fit["converged"].get<bool>()) << fit["status"];
  const auto p = fitted(fit);
  EXPECT_NEAR(p.at("c"), 1, 1e-7);
  EXPECT_NEAR(p.at("b"), 2, 1e-7);
  EXPECT_NEAR(p.at("k"), 0.5, 1e-7);
  // Its free parameters have no bounds: the default start search, with the starts variable
  // projection adds (c is linear), and how many found the answer.
  EXPECT_EQ(fit["start_outcomes"]["total"], 256 + shannonfit::kProjectedSeeds);
  EXPECT_EQ(fit["projected_starts"], shannonfit::kProjectedSeeds);
  EXPECT_GT(fit["start_outcomes"]["at_best"].get<long>(), 1);
}

TEST(FormulaColumns, LogSpaceStillRefusesResponsesThatAreNotPositive) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv());
  const CliRun r = run_shannonfit({"fit", data, "--law", kDecayLaw, "--loss-col", "y",
                                   "--space", "log", "--json", "-q"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("the loss must be > 0"), std::string::npos) << r.err;
}

TEST(FormulaColumns, MissingColumnIsNamedWithASuggestion) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv());
  const CliRun r = run_shannonfit({"fit", data, "--law", "decay(tt): b*exp(-k*tt) - c",
                                   "--loss-col", "y", "--space", "linear", "--json", "-q"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("decay.csv: the law's formula: no column 'tt'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 't'?"), std::string::npos) << r.err;
}

TEST(FormulaColumns, LawFileSpaceAppliesAndBootstrapPredictsAtTheLawsOwnVariable) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv());
  const std::string law = dir.write(
      "decay.json", R"({"name": "decay", "formula": "b*exp(-k*t) - c", "columns": ["t"],
                        "space": "linear"})");
  const CliRun r = run_shannonfit({"bootstrap", data, "--law", law, "--loss-col", "y", "--loss",
                                   "l2", "--resamples", "20", "--seed", "1", "--at", "t=3",
                                   "--json", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["solver"]["space"], "linear");
  const Json& result = j["results"][0];
  ASSERT_EQ(result["predictions"].size(), 1u) << result.dump();
  EXPECT_NEAR(result["predictions"][0]["estimate"].get<double>(), -1 + 2 * std::exp(-1.5), 1e-6);
  // --at names the law's variables, not N and D.
  const CliRun bad = run_shannonfit({"bootstrap", data, "--law", law, "--loss-col", "y",
                                     "--resamples", "20", "--at", "N=1e9,D=1e9", "--json", "-q"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("unknown key 'N' (use t)"), std::string::npos) << bad.err;
}

TEST(FormulaColumns, StartsAreTheUsersAndBadOnesAreNamed) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv());
  const std::vector<std::string> base = {"fit", data, "--law", kDecayLaw, "--loss-col", "y",
                                         "--space", "linear", "--loss", "l2", "--json", "-q"};
  const CliRun r = run_shannonfit(with(base, {"--start", "b=1,k=1,c=0", "--start", "k=2"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const Json fit = Json::parse(r.out)["fits"][0];
  // Each start given, and its twin refined on the reduced problem over b and k (c is linear).
  EXPECT_EQ(fit["start_outcomes"]["total"], 4);
  EXPECT_EQ(fit["projected_starts"], 2);
  EXPECT_NEAR(fitted(fit).at("k"), 0.5, 1e-7);
  const CliRun typo = run_shannonfit(with(base, {"--start", "kk=1"}));
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("law 'decay' has no parameter 'kk' (parameters: b, k, c); did you mean "
                          "'k'?"),
            std::string::npos)
      << typo.err;
}

// ---- outputs in the law's own variables, and a response that is no loss -----------------------

namespace {

// The decay data with the response called what it is, an accuracy-like score.
std::string decay_csv_as(const std::string& response) {
  std::string csv = decay_csv();
  csv.replace(csv.find("t,y"), 3, "t," + response);
  return csv;
}

const std::vector<std::string> kDecayFit = {"--law", kDecayLaw, "--space", "linear", "--loss",
                                            "l2", "--resamples", "20", "--seed", "1"};

}  // namespace

TEST(FormulaColumns, PredictGridAndCurvesNameTheLawsVariable) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv());
  const std::string grid = dir.write("grid.csv", "t\n2\n5\n");
  const std::string out = (dir.path() / "bands.csv").string();
  const std::vector<std::string> base =
      with(with({"predict", data, "--loss-col", "y"}, kDecayFit), {"--grid", grid});
  const CliRun r = run_shannonfit(with(base, {"--curves", "t=0..10:3", "--csv-out", out}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("decay(t=2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("decay(t=10)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("N="), std::string::npos) << r.out;
  const std::string csv = read_file(out);
  EXPECT_EQ(csv.rfind("law,by,t,loss,", 0), 0u) << csv;
  EXPECT_NE(csv.find("decay,,5,"), std::string::npos) << csv;

  const CliRun j = run_shannonfit(with(base, {"--json", "-q"}));
  ASSERT_EQ(j.code, 0) << j.err;
  const Json doc = Json::parse(j.out);
  const Json& predictions = doc["results"][0]["predictions"];
  ASSERT_EQ(predictions.size(), 2u);
  EXPECT_EQ(predictions[1]["at"], (Json{{"t", 5.0}}));
  EXPECT_NEAR(predictions[1]["estimate"].get<double>(), -1 + 2 * std::exp(-2.5), 1e-6);

  // A grid of N and D is refused for a law over t, naming the column it needs.
  const std::string nd = dir.write("nd.csv", "N,D\n1e9,2e10\n");
  const CliRun bad = run_shannonfit(
      with(with({"predict", data, "--loss-col", "y"}, kDecayFit), {"--grid", nd, "-q"}));
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("no column 't'"), std::string::npos) << bad.err;
}

TEST(FormulaColumns, OutsideDomainNotesNameTheLawsVariable) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv());
  const CliRun r = run_shannonfit(
      with(with({"bootstrap", data, "--loss-col", "y"}, kDecayFit), {"--at", "t=30", "--json"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("--at t=30: t = 30 is outside the data's range of t [0, 11]; the law's "
                       "t-dependence is extrapolated there"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("x = "), std::string::npos) << r.err;
}

TEST(FormulaColumns, AnAccuracyIsNotCalledALoss) {
  TempDir dir;
  const std::string data = dir.write("decay.csv", decay_csv_as("acc"));
  const std::string out = (dir.path() / "report").string();
  const CliRun r = run_shannonfit(with(with({"analyze", data, "--loss-col", "acc"}, kDecayFit),
                                       {"--at", "t=3", "--no-figures", "--out", out}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("prediction at t=3: acc "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prediction interval for a new run's acc"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("loss"), std::string::npos) << r.out;
  const Json report = Json::parse(read_file(out + "/report.json"));
  EXPECT_EQ(report["response"], "acc");
  EXPECT_EQ(report["variables"], (Json{"t"}));
  EXPECT_EQ(report["headline"]["target"]["at"], (Json{{"t", 3.0}}));
  EXPECT_EQ(read_file(out + "/data.csv").rfind("line,t,loss,weight\n", 0), 0u);
  EXPECT_EQ(read_file(out + "/curves.csv").rfind("law,kind,t,loss,", 0), 0u);
  const std::string html = read_file(out + "/report.html");
  EXPECT_NE(html.find("Predicted acc at t = 3"), std::string::npos);
  EXPECT_EQ(html.find("Predicted loss"), std::string::npos);

  // No compute-optimal split for a law that is not one of N and D: said, not computed.
  const CliRun budget = run_shannonfit(
      with(with({"analyze", data, "--loss-col", "acc"}, kDecayFit),
           {"--at", "t=3", "--no-figures", "--out", out + "2", "--budget", "1e21"}));
  EXPECT_EQ(budget.code, 2);
  EXPECT_NE(budget.err.find("--budget: the compute-optimal split of a budget C = 6ND needs a law "
                            "of N and D; decay reads t"),
            std::string::npos)
      << budget.err;
  const CliRun boot = run_shannonfit(with(with({"bootstrap", data, "--loss-col", "acc"}, kDecayFit),
                                          {"--budget", "1e21", "-q"}));
  EXPECT_EQ(boot.code, 2);
  EXPECT_NE(boot.err.find("needs a law of N and D; decay reads t"), std::string::npos) << boot.err;
  const CliRun basin = run_shannonfit({"compare", data, "--loss-col", "acc", "--law", kDecayLaw,
                                       "--space", "linear", "--basin-n", "1e9", "-q"});
  EXPECT_EQ(basin.code, 2);
  EXPECT_NE(basin.err.find("--basin-n: the loss-minimising token count D* at fixed N needs a law "
                           "of N and D; decay reads t"),
            std::string::npos)
      << basin.err;
}

TEST(FormulaColumns, BuiltInLawsKeepTheirLossWording) {
  // Even when the response column is not called a loss: a built-in law fits a loss.
  TempDir dir;
  std::string csv = synth::to_csv(synth::chinchilla_data(0.0, 1));
  csv.replace(csv.find("loss"), 4, "score");
  const std::string data = dir.write("runs.csv", csv);
  const std::string out = (dir.path() / "report").string();
  const CliRun r = run_shannonfit({"analyze", data, "--loss-col", "score", "--law", "chinchilla",
                                   "--starts", "single", "--resamples", "20", "--at",
                                   "N=70B,D=1.4T", "--no-figures", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("prediction at N=70B,D=1.4T: loss "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prediction interval for a new run's loss"), std::string::npos) << r.out;
  const Json report = Json::parse(read_file(out + "/report.json"));
  EXPECT_EQ(report["response"], "loss");
  EXPECT_EQ(report["variables"], (Json{"N", "D", "x"}));
  EXPECT_EQ(report["headline"]["target"]["at"], (Json{{"N", 70e9}, {"D", 1.4e12}}));
  EXPECT_EQ(read_file(out + "/data.csv").rfind("line,N,D,x,loss,weight\n", 0), 0u);
  EXPECT_EQ(read_file(out + "/curves.csv").rfind("law,kind,N,D,x,loss,", 0), 0u);
  EXPECT_NE(read_file(out + "/report.html").find("Predicted loss at N = 70B parameters"),
            std::string::npos);
}
