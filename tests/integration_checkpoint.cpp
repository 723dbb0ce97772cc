// `bootstrap --checkpoint`: a run stopped by SIGINT part-way exits 130 with its completed
// resamples saved, `--resume` finishes it, and the outputs equal an uninterrupted run's byte for
// byte. A checkpoint of another run is refused, and an existing one is never overwritten.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
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

// Starts the binary in `dir` without waiting; stdout and stderr go to files there.
pid_t spawn(const std::vector<std::string>& args, const TempDir& dir) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.path().c_str()) != 0) _exit(127);
    if (!freopen(".spawn.out", "w", stdout) || !freopen(".spawn.err", "w", stderr)) _exit(127);
    std::vector<char*> argv{const_cast<char*>(SHANNONFIT_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(SHANNONFIT_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

TEST(Checkpoint, InterruptedRunResumesToTheUninterruptedOutputs) {
  TempDir dir;
  const CliRun whole = run_shannonfit(bootstrap_args("whole.json", "whole.csv"), dir);
  ASSERT_EQ(whole.code, 0) << whole.err;

  std::vector<std::string> args = bootstrap_args("run.json", "run.csv");
  args.insert(args.end(), {"--checkpoint", "ck.json"});
  const pid_t pid = spawn(args, dir);
  ASSERT_GT(pid, 0);
  // The checkpoint appears after the first completed chunk: interrupt then, mid-run.
  int status = 0;
  bool exited = false;
  while (!dir.exists("ck.json")) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    usleep(2000);
  }
  ASSERT_FALSE(exited) << "the run ended before writing a checkpoint: "
                       << read_file(dir.file(".spawn.err"));
  kill(pid, SIGINT);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  const std::string err = read_file(dir.file(".spawn.err"));
  ASSERT_EQ(WEXITSTATUS(status), 130) << "the run finished before the SIGINT arrived: " << err;
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
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("seed = 3"), std::string::npos) << r.err;

  r = run_shannonfit({"bootstrap", kData, "--resamples", "40", "--resume"}, dir);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--checkpoint"), std::string::npos) << r.err;
}
