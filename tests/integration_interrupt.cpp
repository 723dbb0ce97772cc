// Ctrl-C during one long multi-start batch (the full-data fit of fit, bootstrap, analyze and
// predict) stops it part-way: the CPU backend checks the interrupt flag before each fit, so the
// command exits 130 with the usual "interrupted:" message well before the batch could have
// finished, and writes no output file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>

#include "support/cli.hpp"
#include "support/synthetic.hpp"

using shannonfit::testing::CliOptions;
using shannonfit::testing::CliProcess;
using shannonfit::testing::CliRun;
using shannonfit::testing::shannonfit_argv;
using shannonfit::testing::TempDir;

namespace {

// 100 model sizes × 200 token counts: 20,000 rows make each of chinchilla's 4500 starts take
// tens of milliseconds on one thread, so the uninterrupted batch runs for minutes.
std::string big_csv() {
  return shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0.02, 3, 100, 200));
}

struct Case {
  std::vector<std::string> args;  // after the data file; each writes out/ or out.*
  std::vector<std::string> outputs;
};

}  // namespace

TEST(Interrupt, SigintStopsTheFullDataBatchPartWayAndWritesNothing) {
  const std::vector<Case> cases = {
      {{"fit", "--out", "out.json"}, {"out.json"}},
      {{"bootstrap", "--resamples", "10", "--out", "out.json", "--params-out", "out.csv"},
       {"out.json", "out.csv"}},
      {{"predict", "--resamples", "10", "--at", "N=1e11,D=1e12", "--out", "out.json"},
       {"out.json"}},
      {{"analyze", "--law", "chinchilla", "--no-figures", "--out", "out"}, {"out"}}};
  TempDir dir;
  const std::string data = dir.write("big.csv", big_csv());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0]);
    std::vector<std::string> args = {c.args[0], data, "--law", "chinchilla", "--threads", "1",
                                     "--quiet"};
    args.insert(args.end(), c.args.begin() + 1, c.args.end());
    CliOptions opt;
    opt.cwd = dir.path();
    // Generous: the batch alone would take minutes; a stop checked only between batches, or
    // not at all, runs into this and is killed (exit status -1).
    opt.timeout_s = 60;
    opt.timeout_signal = SIGKILL;
    CliProcess run(shannonfit_argv(args), opt);
    bool exited = false;
    while (!run.catches(SIGINT) && !(exited = run.finished())) usleep(2000);
    ASSERT_FALSE(exited) << "ended before installing its SIGINT handler: " << run.wait().err;
    // Loading 20,000 rows takes milliseconds: by now the 4500-start batch is running.
    usleep(500000);
    run.send_signal(SIGINT);
    const CliRun r = run.wait();
    ASSERT_NE(r.code, -1) << "did not stop part-way through the batch: " << r.err;
    EXPECT_EQ(r.code, 130) << r.err;
    EXPECT_NE(r.err.find("interrupted: stopped during the fit of law 'chinchilla' ("),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(" of 4500 starts done)"), std::string::npos) << r.err;
    for (const std::string& out : c.outputs) EXPECT_FALSE(dir.exists(out)) << out;
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"big.csv"});
}
