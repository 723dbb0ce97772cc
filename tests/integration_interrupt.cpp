// Ctrl-C during one long multi-start batch (the full-data fit of fit, bootstrap, analyze,
// predict and compare, and compare's k-fold fits) stops it part-way: the CPU backend checks the
// interrupt flag before each fit, so the command exits 130 with the usual "interrupted:" message
// well before the batch could have finished, and writes no output file.
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

// Runs `args` in `dir`, sends SIGINT `delay_us` after its handler is installed and returns how
// it ended (code -1: killed after 60 s, so it did not stop part-way through its batch).
CliRun interrupted_run(const std::vector<std::string>& args, const TempDir& dir,
                       useconds_t delay_us) {
  CliOptions opt;
  opt.cwd = dir.path();
  // Generous: the batch alone would take minutes; a stop checked only between batches, or
  // not at all, runs into this and is killed (exit status -1).
  opt.timeout_s = 60;
  opt.timeout_signal = SIGKILL;
  CliProcess run(shannonfit_argv(args), opt);
  bool exited = false;
  while (!run.catches(SIGINT) && !(exited = run.finished())) usleep(2000);
  if (exited) {
    ADD_FAILURE() << "ended before installing its SIGINT handler";
    return run.wait();
  }
  usleep(delay_us);
  run.send_signal(SIGINT);
  return run.wait();
}

}  // namespace

TEST(Interrupt, SigintStopsTheFullDataBatchPartWayAndWritesNothing) {
  const std::vector<Case> cases = {
      {{"fit", "--out", "out.json"}, {"out.json"}},
      {{"bootstrap", "--resamples", "10", "--out", "out.json", "--params-out", "out.csv"},
       {"out.json", "out.csv"}},
      {{"predict", "--resamples", "10", "--at", "N=1e11,D=1e12", "--out", "out.json"},
       {"out.json"}},
      {{"analyze", "--law", "chinchilla", "--no-figures", "--out", "out"}, {"out"}},
      {{"compare", "--kfold", "5", "--out", "out.json"}, {"out.json"}}};
  TempDir dir;
  const std::string data = dir.write("big.csv", big_csv());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0]);
    std::vector<std::string> args = {c.args[0], data, "--law", "chinchilla", "--threads", "1",
                                     "--quiet"};
    args.insert(args.end(), c.args.begin() + 1, c.args.end());
    // Loading 20,000 rows takes milliseconds: by then the 4500-start batch is running.
    const CliRun r = interrupted_run(args, dir, 500000);
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

// compare's folds, held-out fit and resamples do not go through the full-data fit: one batch
// per law holds every fold. With the single start the full-data fit takes tens of milliseconds
// and the 200 folds of 20,000 rows about ten seconds, so the interrupt lands in the folds.
TEST(Interrupt, SigintStopsCompareDuringItsFolds) {
  TempDir dir;
  const std::string data = dir.write("big.csv", big_csv());
  const CliRun r = interrupted_run({"compare", data, "--law", "chinchilla", "--starts", "single",
                                    "--kfold", "200", "--threads", "1", "--quiet", "--out",
                                    "out.json"},
                                   dir, 1000000);
  ASSERT_NE(r.code, -1) << "did not stop part-way through the folds: " << r.err;
  EXPECT_EQ(r.code, 130) << r.err;
  EXPECT_NE(r.err.find("interrupted: stopped during the fits of law 'chinchilla' on 200 training "
                       "subsets"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"big.csv"});
}
