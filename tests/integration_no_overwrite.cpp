// Every file any subcommand writes is refused when it exists (exit 4, the file named, its
// content untouched) and replaced with --force: one row per (command, output).
#include <gtest/gtest.h>


#include "support/cli.hpp"
#include "support/synthetic.hpp"

using shannonfit::testing::CliRun;
using shannonfit::testing::run_shannonfit;
using shannonfit::testing::TempDir;

namespace {

struct Output {
  std::string what;               // for the failure message
  std::vector<std::string> args;  // the command, run in the scratch directory
  std::string file;               // the output that already exists
  // What it holds: an earlier output of the command (--force replaces only those).
  std::string content = "keep me\n";
};

const std::vector<std::string> kQuick = {"--law", "kaplan", "--starts", "single", "--threads", "2"};
const std::vector<std::string> kBoot = {"--law", "kaplan", "--resamples", "6", "--no-jackknife",
                                        "--threads", "2"};

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<Output> outputs() {
  return {
      {"fit --out", cat({"fit", "runs.csv", "--out", "o.json"}, kQuick), "o.json"},
      {"compare --out", cat({"compare", "runs.csv", "--out", "o.json"}, kQuick), "o.json"},
      {"bootstrap --out", cat({"bootstrap", "runs.csv", "--out", "o.json"}, kBoot), "o.json"},
      {"bootstrap --params-out", cat({"bootstrap", "runs.csv", "--params-out", "p.csv"}, kBoot),
       "p.csv"},
      {"bootstrap --checkpoint", cat({"bootstrap", "runs.csv", "--checkpoint", "ck.json"}, kBoot),
       "ck.json"},
      {"predict --out", cat({"predict", "runs.csv", "--at", "N=1e11,D=1e12", "--out", "o.json"}, kBoot),
       "o.json"},
      {"predict --csv-out",
       cat({"predict", "runs.csv", "--at", "N=1e11,D=1e12", "--csv-out", "o.csv"}, kBoot), "o.csv"},
      {"predict --grid --csv-out",
       cat({"predict", "runs.csv", "--grid", "grid.csv", "--csv-out", "o.csv"}, kBoot), "o.csv"},
      {"analyze --out DIR",
       cat({"analyze", "runs.csv", "--no-figures", "--out", "rep", "--resamples", "6"}, kQuick),
       "rep/report.json", "{\"tool\": \"shannonfit\", \"keep\": \"me\"}\n"},
  };
}

}  // namespace

TEST(NoOverwrite, EveryOutputIsRefusedWithoutForceAndReplacedWithIt) {
  for (const Output& o : outputs()) {
    SCOPED_TRACE(o.what);
    TempDir dir;
    dir.write("runs.csv", shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
    dir.write("grid.csv", "N,D\n1e11,1e12\n");
    std::filesystem::create_directories(std::filesystem::path(dir.file(o.file)).parent_path());
    dir.write(o.file, o.content);

    const CliRun refused = run_shannonfit(o.args, dir);
    EXPECT_EQ(refused.code, 4) << refused.err;
    EXPECT_NE(refused.err.find(o.file.substr(0, o.file.find('/'))), std::string::npos)
        << refused.err;
    EXPECT_EQ(dir.read(o.file), o.content);

    const CliRun forced = run_shannonfit(cat(o.args, {"--force"}), dir);
    EXPECT_EQ(forced.code, 0) << forced.err;
    EXPECT_NE(dir.read(o.file), o.content);
  }
}
