// The program runner every CLI test stands on (tests/support/cli.hpp): what it captures, what it
// passes to the program, and that a hanging program is stopped by its timeout signal.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <string>

#include "support/cli.hpp"

using shannonfit::testing::CliOptions;
using shannonfit::testing::CliRun;
using shannonfit::testing::run_program;
using shannonfit::testing::TempDir;

TEST(CliSupport, CapturesTheExitCodeAndEachStreamApart) {
  const CliRun r = run_program({"sh", "-c", "printf out; printf err >&2; exit 3"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "out");
  EXPECT_EQ(r.err, "err");
}

TEST(CliSupport, PassesStdinEnvironmentAndWorkingDirectory) {
  TempDir dir;
  CliOptions opt;
  opt.cwd = dir.path();
  opt.stdin_text = "from stdin";
  opt.env = {{"SF_TEST_ADDED", "added"}, {"HOME", "/replaced"}};
  const CliRun r = run_program(
      {"sh", "-c", "cat; printf ' %s %s' \"$SF_TEST_ADDED\" \"$HOME\"; : > here.txt"}, opt);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "from stdin added /replaced");
  EXPECT_TRUE(dir.exists("here.txt"));
}

TEST(CliSupport, WithoutStdinTextTheProgramReadsAnEmptyStdin) {
  const CliRun r = run_program({"sh", "-c", "cat; printf done"});
  EXPECT_EQ(r.out, "done");
}

TEST(CliSupport, TimeoutSendsItsSignalToAProgramThatHangs) {
  CliOptions kill_it;
  kill_it.timeout_s = 0.2;
  EXPECT_EQ(run_program({"sleep", "600"}, kill_it).code, -1) << "ended on a signal";
  CliOptions interrupt_it = kill_it;
  interrupt_it.timeout_signal = SIGINT;
  const CliRun r = run_program(
      {"sh", "-c", "sleep 600 & trap 'kill $!; wait $!; exit 130' INT; wait"}, interrupt_it);
  EXPECT_EQ(r.code, 130);
}

TEST(CliSupport, AProgramThatCannotStartExits127AndSaysSo) {
  const CliRun r = run_program({"/nonexistent/program"});
  EXPECT_EQ(r.code, 127);
  EXPECT_NE(r.err.find("/nonexistent/program"), std::string::npos) << r.err;
}

TEST(CliSupport, TempDirRemovesItselfWithItsContents) {
  std::filesystem::path path;
  {
    TempDir dir;
    path = dir.path();
    dir.write("a.txt", "text");
    EXPECT_EQ(dir.read("a.txt"), "text");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.txt"});
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}
