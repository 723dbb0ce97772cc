// `analyze` writes a whole folder, so it has the most to lose: the folder that holds the user's
// data, an earlier report with symbolic links or foreign files in it, a run stopped in any phase,
// a disk that fills up. In each case every file that was there before is byte for byte what it
// was, unless it belonged to an earlier report that a complete new one replaced.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support/adversarial.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

namespace fs = std::filesystem;
using namespace shannonfit::testing;

namespace {

const std::vector<std::string> kQuick = {"--law",        "kaplan", "--starts",    "single",
                                         "--threads",    "2",      "--resamples", "6",
                                         "--no-figures", "--quiet"};

class AnalyzeOutputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("runs.csv",
               shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
    fs::create_directory(dir_.path() / "outside");
    dir_.write("outside/precious.txt", "not the report's\n");
  }
  std::vector<std::string> analyze(const std::string& out, std::vector<std::string> extra = {}) {
    return cat(cat({"analyze", "runs.csv", "--out", out}, kQuick), extra);
  }
  // An earlier report at `out`, made by the command itself.
  void earlier_report(const std::string& out) {
    const CliRun r = run_shannonfit(analyze(out, {"--seed", "9"}), dir_);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  CliRun run(const std::vector<std::string>& args, const std::string& fault = "") {
    CliOptions opt;
    opt.cwd = dir_.path();
    if (!fault.empty()) opt.env.push_back({"SHANNONFIT_FAULT_AT", fault});
    return run_shannonfit(args, opt);
  }
  TempDir dir_;
};

bool is_staging(const std::string& rel) {
  return rel.find(".shannonfit-new-") != std::string::npos;
}

}  // namespace

TEST_F(AnalyzeOutputs, ForceIntoTheFolderHoldingTheDataIsRefused) {
  // The report's own data.csv would have replaced the user's file (seen: --out . --force).
  dir_.write("data.csv", "N,D,loss\nmine\n");
  const Snapshot before = snapshot(dir_.path());
  for (const std::string& out : std::vector<std::string>{".", dir_.path().string()}) {
    const CliRun r = run(analyze(out, {"--force"}));
    EXPECT_EQ(r.code, 6) << r.err;
    EXPECT_NE(r.err.find("earlier report only"), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(dir_.path()), before);
  }
}

TEST_F(AnalyzeOutputs, DataInsideTheReportFolderIsNeverReplaced) {
  earlier_report("rep");
  // The user now analyses the report's own copy of the data, into the same folder.
  const Snapshot before = snapshot(dir_.path());
  const CliRun r = run(cat({"analyze", "rep/data.csv", "--out", "rep", "--force", "--n-col", "N",
                            "--d-col", "D", "--loss-col", "loss"},
                           kQuick));
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find("inside"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(dir_.path()), before);
}

TEST_F(AnalyzeOutputs, ForceReplacesAnEarlierReportWhole) {
  earlier_report("rep");
  const std::string old_json = dir_.read("rep/report.json");
  const Snapshot outside = snapshot(dir_.path() / "outside");
  const CliRun r = run(analyze("rep", {"--force", "--seed", "10"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(dir_.read("rep/report.json"), old_json);
  EXPECT_EQ(nlohmann::json::parse(dir_.read("rep/report.json")).at("seed"), 10);
  EXPECT_EQ(snapshot(dir_.path() / "outside"), outside);
  for (const auto& [rel, what] : snapshot(dir_.path())) EXPECT_FALSE(is_staging(rel)) << rel;
}

TEST_F(AnalyzeOutputs, ForceRefusesAFolderThatIsNotAnEarlierReport) {
  earlier_report("rep");
  dir_.write("rep/notes.txt", "my notes\n");
  const Snapshot before = snapshot(dir_.path());
  CliRun r = run(analyze("rep", {"--force"}));
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find("notes.txt"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(dir_.path()), before);

  fs::create_directory(dir_.path() / "plain");
  dir_.write("plain/report.json", "{\"mine\": 1}\n");
  const Snapshot plain = snapshot(dir_.path());
  r = run(analyze("plain", {"--force"}));
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find("not written by shannonfit"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(dir_.path()), plain);
}

TEST_F(AnalyzeOutputs, SymlinksInsideAReportFolderAreNeverFollowed) {
  earlier_report("rep");
  // figures/ replaced by a link to a folder outside, and a report file that links outside.
  fs::remove_all(dir_.path() / "rep" / "figures");
  fs::create_directory_symlink(dir_.path() / "outside", dir_.path() / "rep" / "figures");
  fs::remove(dir_.path() / "rep" / "fitted.csv");
  fs::create_symlink(dir_.path() / "outside" / "precious.txt", dir_.path() / "rep" / "fitted.csv");
  const Snapshot before = snapshot(dir_.path());
  const CliRun r = run(analyze("rep", {"--force"}));
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find("not a file a report writes"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(dir_.path()), before);

  // The report folder itself a symbolic link: refused, the folder it names untouched.
  fs::create_directory_symlink(dir_.path() / "outside", dir_.path() / "linked");
  const CliRun l = run(analyze("linked", {"--force"}));
  EXPECT_EQ(l.code, 6) << l.err;
  EXPECT_NE(l.err.find("symbolic link"), std::string::npos) << l.err;
  EXPECT_EQ(without(snapshot(dir_.path()), {"linked"}), without(before, {"linked"}));
}

TEST_F(AnalyzeOutputs, StoppedInAnyPhaseLeavesTheEarlierReportWhole) {
  earlier_report("rep");
  const Snapshot before = snapshot(dir_.path());
  for (const char* phase : {"loaded", "bootstrap", "analyzed", "tables", "figures", "html"}) {
    SCOPED_TRACE(phase);
    const CliRun r = run(analyze("rep", {"--force", "--seed", "11"}), phase);
    EXPECT_EQ(r.code, 130) << r.err;
    EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(dir_.path()), before);  // no staging folder left either
  }
  // SIGKILL cannot be caught: the new folder is left half-built under its hidden staging name,
  // but the earlier report is whole and nothing at the target looks like a new report.
  for (const char* phase : {"tables:KILL", "html:KILL"}) {
    SCOPED_TRACE(phase);
    const CliRun r = run(analyze("rep", {"--force", "--seed", "11"}), phase);
    EXPECT_EQ(r.code, -1) << r.err;
    Snapshot after = snapshot(dir_.path());
    for (auto it = after.begin(); it != after.end();)
      it = is_staging(it->first) ? after.erase(it) : std::next(it);
    EXPECT_EQ(after, before);
  }
}

TEST_F(AnalyzeOutputs, StoppedBeforeAFirstReportLeavesNoFolder) {
  const Snapshot before = snapshot(dir_.path());
  const CliRun r = run(analyze("fresh"), "html");
  EXPECT_EQ(r.code, 130) << r.err;
  EXPECT_EQ(snapshot(dir_.path()), before);
}

TEST_F(AnalyzeOutputs, FullDiskLeavesTheEarlierReportWholeAndIsNotAnInternalError) {
  // A file-size limit (ulimit -f, with SIGXFSZ ignored) makes writes fail with EFBIG the way a
  // full disk fails them with ENOSPC, without mounting anything.
  earlier_report("rep");
  const Snapshot before = snapshot(dir_.path());
  std::string line = "ulimit -f 4 && trap '' XFSZ && exec";
  for (const auto& a : shannonfit_argv(analyze("rep", {"--force", "--seed", "12"})))
    line += " '" + a + "'";
  CliOptions opt;
  opt.cwd = dir_.path();
  const CliRun r = run_program({"/bin/sh", "-c", line}, opt);
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(dir_.path()), before);
}

TEST_F(AnalyzeOutputs, EmptyFolderIsFilledInPlace) {
  // An empty folder the user made, perhaps their working directory: the report's files move into
  // it, and the folder itself (its inode) stays, so a shell inside it still sees the report.
  fs::create_directory(dir_.path() / "empty");
  struct stat before {};
  ASSERT_EQ(::stat(dir_.file("empty").c_str(), &before), 0);
  CliOptions opt;
  opt.cwd = dir_.path() / "empty";
  const CliRun r = run_shannonfit(cat({"analyze", "../runs.csv", "--out", "."}, kQuick), opt);
  ASSERT_EQ(r.code, 0) << r.err;
  struct stat after {};
  ASSERT_EQ(::stat(dir_.file("empty").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(nlohmann::json::parse(dir_.read("empty/report.json")).at("tool"), "shannonfit");
  for (const auto& [rel, what] : snapshot(dir_.path())) EXPECT_FALSE(is_staging(rel)) << rel;
}
