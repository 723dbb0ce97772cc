// Checkpoints that were changed after they were written: a flipped bit, an edited value, a cut
// file, a NaN or an extra row (written with a recomputed checksum, as a careful forger would),
// another run's settings. Each is refused by --resume with exit code 7 and a message saying what
// is wrong, before any fit; the checkpoint and every other file stay as they were.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "io/input.hpp"
#include "support/adversarial.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

namespace fs = std::filesystem;
using namespace shannonfit::testing;

namespace {

const std::vector<std::string> kRun = {
    "bootstrap", "runs.csv", "--law",   "kaplan",       "--resamples", "8",     "--seed",   "3",
    "--threads", "2",        "--quiet", "--checkpoint", "ck.json",     "--out", "boot.json"};

std::vector<std::string> resume() {
  std::vector<std::string> a = kRun;
  a.push_back("--resume");
  return a;
}

// The document with its checksum recomputed the way the program computes it.
std::string resigned(nlohmann::json doc) {
  doc.erase("sha256");
  doc["sha256"] = shannonfit::io::sha256_hex(doc.dump());
  return doc.dump() + "\n";
}

class Checkpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("runs.csv",
               shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
    const CliRun r = run_shannonfit(kRun, dir_);
    ASSERT_EQ(r.code, 0) << r.err;
    fs::remove(dir_.path() / "boot.json");
    good_ = dir_.read("ck.json");
    doc_ = nlohmann::json::parse(good_);
  }
  void refused(const std::string& checkpoint, const std::vector<std::string>& words,
               const std::vector<std::string>& args = resume()) {
    dir_.write("ck.json", checkpoint);
    const Snapshot before = snapshot(dir_.path());
    const CliRun r = run_shannonfit(args, dir_);
    EXPECT_EQ(r.code, 7) << r.err;
    for (const auto& w : words) EXPECT_NE(r.err.find(w), std::string::npos) << w << "\n" << r.err;
    EXPECT_EQ(snapshot(dir_.path()), before);
    EXPECT_FALSE(dir_.exists("boot.json"));
  }
  TempDir dir_;
  std::string good_;
  nlohmann::json doc_;
};

}  // namespace

TEST_F(Checkpoints, UntouchedCheckpointResumes) {
  const CliRun r = run_shannonfit(resume(), dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(dir_.exists("boot.json"));
}

TEST_F(Checkpoints, FlippedBitIsRefused) {
  std::string bad = good_;
  // One bit of a digit inside the first resample's cost (a hex string): still valid JSON.
  const std::size_t at = bad.find('"', bad.find("\"resamples\":[[") + 14) + 6;
  bad[at] ^= 1;
  refused(bad, {"ck.json", "checksum"});
}

TEST_F(Checkpoints, EditedParameterIsRefused) {
  nlohmann::json doc = doc_;
  doc["runs"][0]["resamples"][2][5][0] = "3ff0000000000000";
  refused(doc.dump() + "\n", {"checksum", "changed or damaged"});
}

TEST_F(Checkpoints, TruncatedFileIsRefused) {
  refused(good_.substr(0, good_.size() / 2), {"damaged or truncated"});
  refused("", {"damaged or truncated"});
}

TEST_F(Checkpoints, NonFiniteValueInAConvergedRowIsRefusedEvenWithAValidChecksum) {
  nlohmann::json doc = doc_;
  auto& row = doc["runs"][0]["resamples"][1];
  ASSERT_LE(row[0].get<int>(), 2) << "a converged row (status 0-2)";
  row[5][1] = "7ff8000000000000";  // NaN
  refused(resigned(doc), {"not finite", "resamples row 1"});
}

TEST_F(Checkpoints, ExtraRowIsRefusedEvenWithAValidChecksum) {
  nlohmann::json doc = doc_;
  auto& rows = doc["runs"][0]["resamples"];
  rows.push_back(rows[0]);
  refused(resigned(doc), {"9 resample rows", "more than the 8"});
}

TEST_F(Checkpoints, KeyEditedWithoutItsChecksumIsRefused) {
  nlohmann::json doc = doc_;
  for (auto& kv : doc["runs"][0]["key"])
    if (kv[0] == "seed") kv[1] = "4";
  refused(resigned(doc), {"key", "does not match its checksum"});
}

TEST_F(Checkpoints, AnotherRunsCheckpointIsRefusedNamingTheField) {
  std::vector<std::string> other = resume();
  other[7] = "4";  // --seed 4
  refused(good_, {"seed = 3", "seed = 4"}, other);
}
