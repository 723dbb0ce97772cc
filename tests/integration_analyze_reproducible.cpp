// Two identical `analyze` runs give byte-identical report.json: when the run happened and how
// long it took go to timing.json beside it. A signal stops a run without leaving a report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include "support/cli.hpp"
#include "support/synthetic.hpp"

using shannonfit::testing::CliRun;
using shannonfit::testing::run_shannonfit;
using shannonfit::testing::TempDir;

TEST(AnalyzeReproducible, IdenticalRunsWriteByteIdenticalReportJson) {
  TempDir dir;
  dir.write("runs.csv", shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
  const std::vector<std::string> args = {"analyze", "runs.csv", "--law", "chinchilla,kaplan",
                                         "--starts", "single", "--resamples", "10", "--seed", "4",
                                         "--no-figures", "--quiet", "--out", "rep", "--force"};
  const CliRun first = run_shannonfit(args, dir);
  ASSERT_EQ(first.code, 0) << first.err;
  const std::string report = dir.read("rep/report.json");
  const CliRun second = run_shannonfit(args, dir);
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(dir.read("rep/report.json"), report);
  EXPECT_EQ(report.find("seconds"), std::string::npos);
  EXPECT_EQ(report.find("created_utc"), std::string::npos);
  const auto timing = nlohmann::json::parse(dir.read("rep/timing.json"));
  EXPECT_GE(timing["seconds"].get<double>(), 0.0);
  EXPECT_TRUE(timing["created_utc"].is_string());
}

// SIGINT or SIGTERM part-way: exit 130 with a message, and no report folder is left behind.
TEST(AnalyzeInterrupt, SignalStopsTheRunWithoutWritingAReport) {
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    TempDir dir;
    dir.write("runs.csv", shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
    // Far more resamples than can finish before the signal (the run would take minutes).
    shannonfit::testing::CliOptions opt;
    opt.cwd = dir.path();
    shannonfit::testing::CliProcess run(
        shannonfit::testing::shannonfit_argv({"analyze", "runs.csv", "--law", "kaplan",
                                              "--starts", "single", "--resamples", "200000",
                                              "--threads", "1", "--no-figures", "--out", "rep"}),
        opt);
    // Start-up takes a variable time on a loaded machine: wait for the handlers (installed
    // before the data are read), then long enough for a 20-row file to be read, so that the
    // signal usually lands in the bootstrap. On a machine loaded enough to be still reading,
    // the read stops with its own message; either way nothing is written.
    while (!run.catches(sig) && !run.finished()) usleep(2000);
    usleep(300000);
    run.send_signal(sig);
    const CliRun r = run.wait();
    ASSERT_EQ(r.code, 130) << "the run ended before the signal arrived: " << r.err;
    EXPECT_TRUE(r.err.find("no report was written") != std::string::npos ||
                r.err.find("stopped while reading 'runs.csv'") != std::string::npos)
        << r.err;
    EXPECT_FALSE(dir.exists("rep"));
  }
}
