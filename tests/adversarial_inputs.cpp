// Inputs and option values a hostile or careless user gives: a FIFO that is never written, a file
// beyond the input limit, standard input, a --filter nested thousands of levels deep, and option
// values no run can honour. Each ends with a clear message and the documented exit code (never a
// crash, a hang or "internal error"), and no file changes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "io/input.hpp"
#include "support/adversarial.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

namespace fs = std::filesystem;
using namespace shannonfit::testing;

namespace {

const std::vector<std::string>& kQuick = kQuickFit;

class Inputs : public ::testing::Test {
 protected:
  void SetUp() override {
    csv_ = shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4));
    dir_.write("runs.csv", csv_);
  }
  void checked(const std::vector<std::string>& args, int code,
               const std::vector<std::string>& words) {
    expect_refused(dir_, args, code, words);
  }
  std::string csv_;
  TempDir dir_;
};

}  // namespace

TEST_F(Inputs, FifoThatIsNeverWrittenStopsOnSigterm) {
  ASSERT_EQ(::mkfifo(dir_.file("pipe.csv").c_str(), 0644), 0);
  for (const std::string cmd : {"fit", "analyze"}) {
    SCOPED_TRACE(cmd);
    const Snapshot before = snapshot(dir_.path());
    CliOptions opt;
    opt.cwd = dir_.path();
    opt.timeout_s = 120;  // a hang guard only: the run should end at the first SIGTERM it sees
    opt.timeout_signal = SIGKILL;
    CliProcess run(shannonfit_argv(cat({cmd, "pipe.csv", "--out", "o"}, kQuick)), opt);
    // Until the handler is installed a SIGTERM would simply kill it; after that, each one ends
    // the wait on the FIFO. Signals are sent until it ends, so no timing is assumed.
    while (!run.finished()) {
      if (run.catches(SIGTERM)) run.send_signal(SIGTERM);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const CliRun r = run.wait();
    EXPECT_EQ(r.code, 130) << r.err;
    EXPECT_NE(r.err.find("while reading"), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(dir_.path()), before);
  }
}

TEST_F(Inputs, DashReadsStandardInput) {
  CliOptions opt;
  opt.cwd = dir_.path();
  opt.stdin_text = csv_;
  const CliRun r = run_shannonfit(cat({"fit", "-", "--json", "--quiet"}, kQuick), opt);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["data"]["path"], "-");
  EXPECT_GT(doc["data"]["rows_used"].get<long>(), 0);
  // analyze reads its data twice (the fit and the report's checksum): both see the same bytes.
  const CliRun a = run_shannonfit(
      cat({"analyze", "-", "--out", "rep", "--resamples", "4", "--no-figures", "--quiet"}, kQuick),
      opt);
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(nlohmann::json::parse(dir_.read("rep/report.json"))["data"]["sha256"],
            shannonfit::io::sha256_hex(csv_));
}

TEST_F(Inputs, FileBeyondTheInputLimitIsRefusedAndTheLimitCanBeRaised) {
  checked(cat({"fit", "runs.csv", "--max-input-size", "100"}, kQuick), 2,
          {"runs.csv", "input limit of 100 bytes", "--max-input-size"});
  CliOptions opt;
  opt.cwd = dir_.path();
  opt.stdin_text = csv_;
  const CliRun piped = run_shannonfit(cat({"fit", "-", "--max-input-size", "1K"}, kQuick), opt);
  EXPECT_EQ(piped.code, 2) << piped.err;
  EXPECT_NE(piped.err.find("more than the input limit of 1 KiB"), std::string::npos) << piped.err;
  const CliRun raised =
      run_shannonfit(cat({"fit", "runs.csv", "--max-input-size", "1M"}, kQuick), dir_);
  EXPECT_EQ(raised.code, 0) << raised.err;
  checked(cat({"fit", "runs.csv", "--max-input-size", "0"}, kQuick), 1, {"--max-input-size"});
  checked(cat({"fit", ".", "--max-input-size", "1M"}, kQuick), 2, {"is a folder"});
}

TEST_F(Inputs, DeeplyNestedFilterIsAClearErrorNotACrash) {
  const int n = 7000;  // a 14 KB argument: the one that crashed the parser
  const std::vector<std::string> filters = {
      std::string(n, '(') + "N > 0" + std::string(n, ')'),
      std::string(n, '!') + "(N > 0)",
      [&] {
        std::string s;
        for (int i = 0; i < n; ++i) s += "not ";
        return s + "N > 0";
      }(),
      std::string(n, '-') + "N < 0",
      [&] {
        std::string s = "N";
        for (int i = 0; i < n; ++i) s += " + N";
        return s + " > 0";
      }(),
      [&] {
        std::string s = "N > 0";
        for (int i = 0; i < n; ++i) s += " && N > 0";
        return s;
      }(),
  };
  for (const auto& f : filters)
    checked(cat({"fit", "runs.csv", "--filter", f}, kQuick), 2, {"--filter", "levels deep"});
  // Nesting a person writes still works.
  const CliRun ok = run_shannonfit(
      cat({"fit", "runs.csv", "--filter", std::string(50, '(') + "N > 0" + std::string(50, ')')},
          kQuick),
      dir_);
  EXPECT_EQ(ok.code, 0) << ok.err;
}

TEST_F(Inputs, OptionValuesNoRunCanHonourAreUsageErrors) {
  const std::vector<std::string> boot = {"bootstrap", "runs.csv", "--law", "kaplan"};
  checked(cat({"fit", "runs.csv", "--threads", "100000"}, kQuick), 1, {"--threads"});
  checked(cat({"fit", "runs.csv", "--max-iterations", "0"}, kQuick), 1, {"--max-iterations"});
  checked(cat(boot, {"--seed", "-1"}), 1, {"--seed"});
  checked(cat(boot, {"--seed", "1e3"}), 1, {"--seed"});
  checked(cat(boot, {"--seed", "18446744073709551616"}), 1, {"--seed"});
  checked(cat(boot, {"--resamples", "2000000000"}), 1, {"--resamples"});
  checked(cat(boot, {"--resamples", "0"}), 1, {"--resamples"});
  checked(cat(boot, {"--chunk", "-1"}), 1, {"--chunk"});
  checked(cat(boot, {"--chunk", "99999999999"}), 1, {"--chunk"});
  checked({"analyze", "runs.csv", "--kfold", "1"}, 1, {"--kfold"});
  checked({"compare", "runs.csv", "--kfold", "-3"}, 1, {"--kfold"});
  checked({"analyze", "runs.csv", "--budget", "-5"}, 1, {"--budget"});
  checked({"analyze", "runs.csv", "--budget", "inf"}, 1, {"--budget"});
  checked({"analyze", "runs.csv", "--resamples", "0"}, 1, {"--resamples"});
  checked({"compare", "runs.csv", "--resamples", "99999999999"}, 1, {"--resamples"});
}

TEST_F(Inputs, PredictionFarOutsideTheDataIsWarnedAbout) {
  const CliRun r = run_shannonfit({"bootstrap", "runs.csv", "--law", "kaplan", "--resamples", "4",
                                   "--no-jackknife", "--threads", "2", "--at", "N=1e30,D=1e10"},
                                  dir_);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("--at N=1e30,D=1e10: N = 1e+30 is more than"), std::string::npos) << r.err;
}
