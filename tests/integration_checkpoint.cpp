// `bootstrap --checkpoint`: a run stopped by SIGINT part-way exits 130 with its completed
// resamples saved, `--resume` finishes it, and the outputs equal an uninterrupted run's byte for
// byte. A checkpoint of another run is refused, and an existing one is never overwritten.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/cli.hpp"

using namespace shannonfit::testing;

namespace {

const std::string kData = std::string(SHANNONFIT_SOURCE_DIR) + "/data/synthetic_chinchilla.csv";

// Enough resamples in small chunks that a SIGINT lands long before the end.
std::vector<std::string> bootstrap_args(const std::string& out, const std::string& params) {
  return {"bootstrap", kData, "--law", "chinchilla", "--resamples", "3000", "--chunk", "25",
          "--seed", "11", "--threads", "1", "--quiet", "--out", out, "--params-out", params};
}

}  // namespace

TEST(Checkpoint, InterruptedRunResumesToTheUninterruptedOutputs) {
  TempDir dir;
  const CliRun whole = run_shannonfit(bootstrap_args("whole.json", "whole.csv"), dir);
  ASSERT_EQ(whole.code, 0) << whole.err;

  std::vector<std::string> args = bootstrap_args("run.json", "run.csv");
  args.insert(args.end(), {"--checkpoint", "ck.json"});
  CliOptions in_dir;
  in_dir.cwd = dir.path();
  CliProcess run(shannonfit_argv(args), in_dir);
  // The checkpoint appears after the first completed chunk: interrupt then, mid-run.
  bool exited = false;
  while (!dir.exists("ck.json") && !(exited = run.finished())) usleep(2000);
  ASSERT_FALSE(exited) << "the run ended before writing a checkpoint: " << run.wait().err;
  run.send_signal(SIGINT);
  const CliRun stopped = run.wait();
  ASSERT_NE(stopped.code, -1) << "ended on a signal instead of exiting: " << stopped.err;
  const std::string& err = stopped.err;
  ASSERT_EQ(stopped.code, 130) << "the run finished before the SIGINT arrived: " << err;
  EXPECT_NE(err.find("--resume"), std::string::npos) << err;
  EXPECT_FALSE(dir.exists("run.json")) << "an interrupted run left partial outputs";
  EXPECT_FALSE(dir.exists("run.csv"));

  args.push_back("--resume");
  const CliRun resumed = run_shannonfit(args, dir);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(read_file(dir.file("run.json")), read_file(dir.file("whole.json")));
  EXPECT_EQ(read_file(dir.file("run.csv")), read_file(dir.file("whole.csv")));
}

TEST(Checkpoint, RefusesAnotherRunsCheckpointAndNeverOverwritesOne) {
  TempDir dir;
  const std::vector<std::string> base = {"bootstrap", kData,    "--law",  "chinchilla",
                                         "--resamples", "40",  "--seed", "3",
                                         "--quiet",    "--checkpoint", "ck.json"};
  CliRun r = run_shannonfit(base, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(dir.exists("ck.json"));

  r = run_shannonfit(base, dir);  // no --resume: the checkpoint is a file we must not clobber
  EXPECT_EQ(r.code, 4) << r.err;

  std::vector<std::string> other_seed = base;
  other_seed[7] = "4";
  other_seed.push_back("--resume");
  r = run_shannonfit(other_seed, dir);
  EXPECT_EQ(r.code, 7) << r.err;
  EXPECT_NE(r.err.find("seed = 3"), std::string::npos) << r.err;

  r = run_shannonfit({"bootstrap", kData, "--resamples", "40", "--resume"}, dir);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--checkpoint"), std::string::npos) << r.err;
}
