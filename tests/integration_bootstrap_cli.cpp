#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/synthetic.hpp"
#include "support/cli_runner.hpp"

using namespace shannonfit;
using synth::run_cli;

namespace {

class BootstrapCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/sf_boot_cli_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::system(("rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "'").c_str());
    data_ = dir_ + "/data.csv";
    synth::write_csv(synth::chinchilla_data(0.02, 9, 6, 5), data_);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // A small grid keeps the full-data fit quick: --starts applies to resamples only.
  std::string base(const std::string& resamples = "60") const {
    return "bootstrap '" + data_ + "' --loss l2 --quiet --resamples " + resamples;
  }
  std::string dir_, data_;
};

}  // namespace

TEST_F(BootstrapCli, ParamsFileIsIdenticalForAnyThreadCountAndChunk) {
  const auto a = run_cli(base() + " --threads 1 --params-out " + path("a.csv"));
  ASSERT_EQ(a.code, 0) << a.out;
  const auto b = run_cli(base() + " --threads 2 --chunk 7 --params-out " + path("b.csv"));
  ASSERT_EQ(b.code, 0) << b.out;
  const std::string ta = synth::read_text(path("a.csv")), tb = synth::read_text(path("b.csv"));
  EXPECT_GT(ta.size(), 1000u);
  EXPECT_EQ(ta, tb);
  const auto c = run_cli(base() + " --seed 5 --params-out " + path("c.csv"));
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(ta, synth::read_text(path("c.csv")));
}

TEST_F(BootstrapCli, JsonReportsIntervalsFailuresAndAllocation) {
  const auto r = run_cli(base() + " --json --level 0.9 --at N=12e9,D=307e9 --budget 1e24");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& res = doc.at("results").at(0);
  EXPECT_EQ(res.at("bootstrap").at("completed"), 60);
  EXPECT_TRUE(res.at("bootstrap").contains("failed"));
  const auto& alpha = res.at("parameters").at(3);
  EXPECT_EQ(alpha.at("name"), "alpha");
  EXPECT_EQ(alpha.at("level"), 0.9);
  const double lo = alpha.at("percentile").at(0), hi = alpha.at("percentile").at(1);
  EXPECT_LT(lo, alpha.at("estimate").get<double>());
  EXPECT_GT(hi, alpha.at("estimate").get<double>());
  EXPECT_TRUE(alpha.at("asymptotic_se").is_number());
  EXPECT_EQ(res.at("predictions").size(), 1u);
  EXPECT_GT(res.at("compute_optimal").at(0).at("N").at("estimate").get<double>(), 1e9);
}

TEST_F(BootstrapCli, PredictFromStoredParamsMatchesTheInlineRun) {
  const auto b = run_cli(base() + " --json --at N=12e9,D=307e9 --params-out " + path("p.csv"));
  ASSERT_EQ(b.code, 0) << b.out;
  const auto inline_pred = nlohmann::json::parse(b.out).at("results").at(0).at("predictions").at(0);
  const auto p = run_cli("predict --params " + path("p.csv") +
                         " --json --at N=12e9,D=307e9 --curves N=1e9,1e10:D=1e9..1e12:5 --csv-out " +
                         path("bands.csv"));
  ASSERT_EQ(p.code, 0) << p.out;
  const auto preds = nlohmann::json::parse(p.out).at("results").at(0).at("predictions");
  ASSERT_EQ(preds.size(), 11u);
  EXPECT_EQ(preds.at(0).at("estimate"), inline_pred.at("estimate"));
  EXPECT_EQ(preds.at(0).at("percentile"), inline_pred.at("percentile"));
  EXPECT_EQ(preds.at(0).at("bca"), inline_pred.at("bca"));
  const std::string bands = synth::read_text(path("bands.csv"));
  EXPECT_EQ(std::count(bands.begin(), bands.end(), '\n'), 12);
  EXPECT_EQ(bands.rfind("law,by,N,D,x,loss,", 0), 0u);
}

TEST_F(BootstrapCli, ClusterAndResidualSchemesRun) {
  auto r = run_cli(base() + " --scheme cluster --group-col model --json");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("results").at(0).at("bootstrap").at("clusters"), 6);
  r = run_cli(base() + " --scheme residual --json");
  ASSERT_EQ(r.code, 0) << r.out;
}

TEST_F(BootstrapCli, BadInputIsAClearErrorWithItsExitCode) {
  auto r = run_cli(base() + " --scheme cluster");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--group-col"), std::string::npos) << r.out;
  for (const std::string bad : {base("0"), base("-5"), base() + " --level 1", base() + " --level 0",
                                base() + " --level 1.5", base() + " --budget -1",
                                base() + " --at N=1e9"}) {
    r = run_cli(bad);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("error"), std::string::npos) << bad << ": " << r.out;
  }
  r = run_cli("predict --params " + path("missing.csv") + " --at N=1e9,D=1e10");
  EXPECT_EQ(r.code, 2) << r.out;
  r = run_cli("predict --at N=1e9,D=1e10");
  EXPECT_EQ(r.code, 2) << r.out;
  // An existing output is kept without --force.
  { std::ofstream(path("keep.csv")) << "mine\n"; }
  r = run_cli(base() + " --params-out " + path("keep.csv"));
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_EQ(synth::read_text(path("keep.csv")), "mine\n");
}

TEST_F(BootstrapCli, InterruptWritesTheCompletedResamplesAndExits130) {
  // 4500 starts × 100000 resamples cannot finish before the SIGINT that `timeout` sends.
  const std::string cmd = "timeout --preserve-status -s INT 2 " + std::string(SHANNONFIT_BINARY) +
                          " " + base("100000") + " --starts grid --chunk 1 --no-jackknife --out " +
                          path("partial.json") + " --params-out " + path("partial.csv") + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buf{};
  std::string out;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 130) << out;
  const auto doc = nlohmann::json::parse(synth::read_text(path("partial.json")));
  EXPECT_TRUE(doc.at("interrupted").get<bool>());
  const auto& boot = doc.at("results").at(0).at("bootstrap");
  EXPECT_TRUE(boot.at("interrupted").get<bool>());
  EXPECT_LT(boot.at("completed").get<int>(), 100000);
  const std::string csv = synth::read_text(path("partial.csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2 + boot.at("completed").get<long>());
}
