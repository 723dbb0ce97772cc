#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/csv.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

using namespace shannonfit;
using shannonfit::testing::CliRun;
using shannonfit::testing::command_line;

namespace {

using Args = std::vector<std::string>;

Args operator+(Args a, const Args& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// One parameter's values from a --params-out file: the rows of `kind` whose fit counts.
std::vector<double> stored_values(const std::string& path, const std::string& kind,
                                  const std::string& param) {
  const io::Table t = io::read_csv(path);
  const int k = io::find_column(t, "kind", "test"), ok = io::find_column(t, "ok", "test"),
            c = io::find_column(t, param, "test");
  std::vector<double> v;
  for (const auto& row : t.rows)
    if (row[k] == kind && row[ok] == "1") v.push_back(std::stod(row[c]));
  return v;
}

// Type-7 quantile (numpy's default), written out here rather than taken from the library.
double quantile7(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double h = (v.size() - 1) * q;
  const std::size_t i = static_cast<std::size_t>(h);
  return i + 1 < v.size() ? v[i] + (h - i) * (v[i + 1] - v[i]) : v.back();
}

// Efron's BCa interval from the bootstrap and jackknife values (Efron & Tibshirani 1993, 14.3).
std::pair<double, double> bca(const std::vector<double>& boot, const std::vector<double>& jack,
                              double estimate, double level) {
  const boost::math::normal n01;
  double below = 0;
  for (double v : boot) below += v < estimate ? 1.0 : v == estimate ? 0.5 : 0.0;
  const double z0 = boost::math::quantile(n01, below / boot.size());
  double mean = 0, s2 = 0, s3 = 0;
  for (double v : jack) mean += v / jack.size();
  for (double v : jack) {
    s2 += (mean - v) * (mean - v);
    s3 += (mean - v) * (mean - v) * (mean - v);
  }
  const double a = s3 / (6 * std::pow(s2, 1.5));
  auto at = [&](double tail) {
    const double z = boost::math::quantile(n01, tail);
    return quantile7(boot, boost::math::cdf(n01, z0 + (z0 + z) / (1 - a * (z0 + z))));
  };
  return {at((1 - level) / 2), at(1 - (1 - level) / 2)};
}

class BootstrapCli : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_.file(name); }
  std::string read(const std::string& name) const { return dir_.read(name); }
  CliRun run_cli(const Args& args, const shannonfit::testing::CliOptions& opt = {}) const {
    shannonfit::testing::CliOptions in_dir = opt;
    in_dir.cwd = dir_.path();
    return shannonfit::testing::run_shannonfit(args, in_dir);
  }
  // A small grid keeps the full-data fit quick: --starts applies to resamples only.
  Args base(const std::string& resamples = "60") const {
    return {"bootstrap", data_, "--loss", "l2", "--quiet", "--resamples", resamples};
  }
  shannonfit::testing::TempDir dir_;
  const std::string data_ =
      dir_.write("data.csv", synth::to_csv(synth::chinchilla_data(0.02, 9, 6, 5), true));
};

}  // namespace

TEST_F(BootstrapCli, ParamsFileIsIdenticalForAnyThreadCountAndChunk) {
  const auto a = run_cli(base() + Args{"--threads", "1", "--params-out", path("a.csv")});
  ASSERT_EQ(a.code, 0) << a.err;
  const auto b =
      run_cli(base() + Args{"--threads", "2", "--chunk", "7", "--params-out", path("b.csv")});
  ASSERT_EQ(b.code, 0) << b.err;
  const std::string ta = read("a.csv"), tb = read("b.csv");
  EXPECT_GT(ta.size(), 1000u);
  EXPECT_EQ(ta, tb);
  const auto c = run_cli(base() + Args{"--seed", "5", "--params-out", path("c.csv")});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(ta, read("c.csv"));
}

TEST_F(BootstrapCli, JsonReportsIntervalsFailuresAndAllocation) {
  // Case resampling, so the jackknife leaves out one row at a time (30 rows); by default these
  // rows, several D per N, would be resampled as whole models.
  const auto r = run_cli(base() + Args{"--json", "--scheme", "case", "--level", "0.9", "--at",
                                       "N=12e9,D=307e9",
                                       "--budget", "1e24", "--params-out", path("p.csv")});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& res = doc.at("results").at(0);
  EXPECT_EQ(res.at("bootstrap").at("completed"), 60);
  EXPECT_TRUE(res.at("bootstrap").contains("failed"));
  const auto& alpha = res.at("parameters").at(3);
  EXPECT_EQ(alpha.at("name"), "alpha");
  EXPECT_EQ(alpha.at("level"), 0.9);
  // The intervals are those of the resamples the run stored, recomputed here.
  const std::vector<double> boot = stored_values(path("p.csv"), "resample", "alpha");
  const std::vector<double> jack = stored_values(path("p.csv"), "jackknife", "alpha");
  ASSERT_EQ(static_cast<int>(boot.size()) + res.at("bootstrap").at("failed").get<int>(), 60);
  ASSERT_EQ(jack.size(), 30u);
  const double estimate = alpha.at("estimate").get<double>();
  EXPECT_EQ(stored_values(path("p.csv"), "full", "alpha").at(0), estimate);
  EXPECT_NEAR(alpha.at("percentile").at(0).get<double>(), quantile7(boot, 0.05), 1e-12);
  EXPECT_NEAR(alpha.at("percentile").at(1).get<double>(), quantile7(boot, 0.95), 1e-12);
  const auto [bca_lo, bca_hi] = bca(boot, jack, estimate, 0.9);
  EXPECT_NEAR(alpha.at("bca").at(0).get<double>(), bca_lo, 1e-12);
  EXPECT_NEAR(alpha.at("bca").at(1).get<double>(), bca_hi, 1e-12);
  EXPECT_TRUE(alpha.at("asymptotic_se").is_number());
  EXPECT_EQ(res.at("predictions").size(), 1u);
  // The compute-optimal split of the point estimate is Hoffmann's closed form at it.
  const auto& p = res.at("parameters");
  const double a = p.at(0).at("estimate"), b = p.at(1).at("estimate"), al = p.at(3).at("estimate"),
               be = p.at(4).at("estimate");
  const double g = std::pow(al * a / (be * b), 1 / (al + be));
  EXPECT_NEAR(res.at("compute_optimal").at(0).at("N").at("estimate").get<double>() /
                  (g * std::pow(1e24 / 6, be / (al + be))),
              1.0, 1e-6);
}

TEST_F(BootstrapCli, PredictFromStoredParamsMatchesTheInlineRun) {
  const auto b =
      run_cli(base() + Args{"--json", "--at", "N=12e9,D=307e9", "--params-out", path("p.csv")});
  ASSERT_EQ(b.code, 0) << b.err;
  const auto inline_pred = nlohmann::json::parse(b.out).at("results").at(0).at("predictions").at(0);
  const auto p = run_cli({"predict", "--params", path("p.csv"), "--json", "--at", "N=12e9,D=307e9",
                          "--curves", "N=1e9,1e10:D=1e9..1e12:5", "--csv-out", path("bands.csv")});
  ASSERT_EQ(p.code, 0) << p.err;
  const auto preds = nlohmann::json::parse(p.out).at("results").at(0).at("predictions");
  ASSERT_EQ(preds.size(), 11u);
  EXPECT_EQ(preds.at(0).at("estimate"), inline_pred.at("estimate"));
  EXPECT_EQ(preds.at(0).at("percentile"), inline_pred.at("percentile"));
  EXPECT_EQ(preds.at(0).at("bca"), inline_pred.at("bca"));
  const std::string bands = read("bands.csv");
  EXPECT_EQ(std::count(bands.begin(), bands.end(), '\n'), 12);
  EXPECT_EQ(bands.rfind("law,by,N,D,x,loss,", 0), 0u);
}

TEST_F(BootstrapCli, ClusterAndResidualSchemesRun) {
  auto r = run_cli(base() + Args{"--scheme", "cluster", "--group-col", "model", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("results").at(0).at("bootstrap").at("clusters"), 6);
  r = run_cli(base() + Args{"--scheme", "residual", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
}

TEST_F(BootstrapCli, BadInputIsAClearErrorWithItsExitCode) {
  auto r = run_cli(base() + Args{"--scheme", "cluster"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--group-col"), std::string::npos) << r.err;
  // A resample count no run can honour is refused when the options are parsed (exit 1).
  for (const Args& bad : {base("0"), base("-5")}) {
    r = run_cli(bad);
    EXPECT_EQ(r.code, 1) << command_line(bad) << ": " << r.err;
    EXPECT_NE(r.err.find("--resamples"), std::string::npos) << command_line(bad) << ": " << r.err;
  }
  for (const Args& bad : {base() + Args{"--level", "1"},
                          base() + Args{"--level", "0"}, base() + Args{"--level", "1.5"},
                          base() + Args{"--budget", "-1"}, base() + Args{"--at", "N=1e9"}}) {
    r = run_cli(bad);
    EXPECT_EQ(r.code, 2) << command_line(bad) << ": " << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << command_line(bad) << ": " << r.err;
  }
  r = run_cli({"predict", "--params", path("missing.csv"), "--at", "N=1e9,D=1e10"});
  EXPECT_EQ(r.code, 2) << r.err;
  r = run_cli({"predict", "--at", "N=1e9,D=1e10"});
  EXPECT_EQ(r.code, 2) << r.err;
  // An existing output is kept without --force.
  dir_.write("keep.csv", "mine\n");
  r = run_cli(base() + Args{"--params-out", path("keep.csv")});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_EQ(read("keep.csv"), "mine\n");
}

TEST_F(BootstrapCli, InterruptWritesTheCompletedResamplesAndExits130) {
  // 4500 starts × 100000 resamples cannot finish before the SIGINT sent after 2 s.
  shannonfit::testing::CliOptions interrupt_after_2s;
  interrupt_after_2s.timeout_s = 2;
  interrupt_after_2s.timeout_signal = SIGINT;
  const auto r =
      run_cli(base("100000") + Args{"--starts", "grid", "--chunk", "1", "--no-jackknife", "--out",
                                    path("partial.json"), "--params-out", path("partial.csv")},
              interrupt_after_2s);
  ASSERT_NE(r.code, -1) << "ended on a signal instead of exiting: " << r.err;
  EXPECT_EQ(r.code, 130) << r.err;
  const auto doc = nlohmann::json::parse(read("partial.json"));
  EXPECT_TRUE(doc.at("interrupted").get<bool>());
  const auto& boot = doc.at("results").at(0).at("bootstrap");
  EXPECT_TRUE(boot.at("interrupted").get<bool>());
  EXPECT_LT(boot.at("completed").get<int>(), 100000);
  const std::string csv = read("partial.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2 + boot.at("completed").get<long>());
}
