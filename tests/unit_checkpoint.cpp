// Checkpoint files: exact round trips (NaN costs of failed fits included), refusal of a
// checkpoint written by a different run, and no silent overwrite.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

#include "analysis/checkpoint.hpp"
#include "shannonfit/errors.hpp"
#include "support/cli.hpp"

using namespace shannonfit;
using shannonfit::testing::TempDir;

namespace {

Dataset small_data() {
  Dataset d;
  d.source = "runs.csv";
  d.n = {1e8, 2e8, 4e8};
  d.d = {2e9, 4e9, 8e9};
  d.loss = {3.1, 2.9, 2.7};
  d.line = {2, 3, 4};
  return d;
}

ResampleFit row(double seed) {
  ResampleFit f;
  for (int k = 0; k < kMaxParams; ++k) f.params[k] = seed / (k + 3.0);
  f.cost = seed * 1e-7;
  f.status = FitStatus::ConvergedCost;
  f.best_start = static_cast<int>(seed) % 7;
  f.failed_starts = 1;
  f.iterations = 42;
  return f;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST(Checkpoint, RoundTripsRowsBitForBitIncludingFailedFits) {
  TempDir dir;
  const std::string path = dir.file("ck.json");
  const Dataset data = small_data();
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions opt;
  opt.seed = 7;
  const CheckpointKey key = checkpoint_key("runs.csv", data, law, opt);
  std::vector<ResampleFit> resamples = {row(1), row(2), row(3)};
  resamples[1].cost = std::numeric_limits<double>::quiet_NaN();
  resamples[1].params[0] = -std::numeric_limits<double>::infinity();
  resamples[1].status = FitStatus::NonFinite;
  {
    CheckpointFile ck(path, false);
    ck.save(key, {row(9)}, {resamples[0], resamples[1]});  // the third is not done yet
  }
  const CheckpointFile back(path, true);
  const CheckpointRun* run = back.find(key, 1, 3);
  ASSERT_NE(run, nullptr);
  ASSERT_EQ(run->jackknife.size(), 1u);
  ASSERT_EQ(run->resamples.size(), 2u);
  for (int r = 0; r < 2; ++r) {
    EXPECT_TRUE(same_bits(run->resamples[r].cost, resamples[r].cost));
    for (int k = 0; k < kMaxParams; ++k)
      EXPECT_TRUE(same_bits(run->resamples[r].params[k], resamples[r].params[k]));
    EXPECT_EQ(run->resamples[r].status, resamples[r].status);
    EXPECT_EQ(run->resamples[r].best_start, resamples[r].best_start);
    EXPECT_EQ(run->resamples[r].iterations, 42);
  }
  EXPECT_EQ(back.find(checkpoint_key("other.csv", data, law, opt), 1, 3), nullptr);
  EXPECT_THROW(back.find(key, 0, 3), CheckpointError);  // more jackknife rows than the run has
  EXPECT_THROW(back.find(key, 1, 1), CheckpointError);  // more resamples than the run asks for
}

TEST(Checkpoint, RefusesToResumeADifferentRunAndNamesTheField) {
  TempDir dir;
  const std::string path = dir.file("ck.json");
  Dataset data = small_data();
  const LawEntry& law = find_law("chinchilla");
  BootstrapOptions opt;
  opt.seed = 7;
  CheckpointFile(path, false).save(checkpoint_key("runs.csv", data, law, opt), {},
                                          {row(1)});
  const CheckpointFile back(path, true);

  BootstrapOptions other_seed = opt;
  other_seed.seed = 8;
  try {
    back.find(checkpoint_key("runs.csv", data, law, other_seed), 0, 1);
    FAIL() << "a checkpoint with another seed was accepted";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("seed = 7"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("seed = 8"), std::string::npos) << e.what();
  }
  data.loss[1] = 2.95;
  EXPECT_THROW(back.find(checkpoint_key("runs.csv", data, law, opt), 0, 1), CheckpointError);
  BootstrapOptions huber = opt;
  huber.fit.options.loss = LossKind::Huber;
  EXPECT_THROW(back.find(checkpoint_key("runs.csv", small_data(), law, huber), 0, 1),
               CheckpointError);
}

// Whether an existing checkpoint may be replaced is io::OutputPlan's call (adversarial_outputs);
// here: a damaged file is a CheckpointError, a missing one an InputError.
TEST(Checkpoint, RejectsDamagedAndMissingFiles) {
  TempDir dir;
  const std::string path = dir.file("ck.json");
  std::ofstream(path) << "{\"format\": \"shannonfit-checkpoint\", \"version\": 2, \"runs\": [";
  EXPECT_NO_THROW(CheckpointFile(path, false));
  EXPECT_THROW(CheckpointFile(path, true), CheckpointError);
  EXPECT_THROW(CheckpointFile(dir.file("absent.json"), true), InputError);
}

TEST(Checkpoint, DatasetChecksumSeesEveryColumn) {
  const Dataset base = small_data();
  const auto h = dataset_checksum(base);
  Dataset d = base;
  d.d[0] = std::nextafter(d.d[0], 1e300);
  EXPECT_NE(dataset_checksum(d), h);
  d = base;
  d.weight = {1, 1, 2};
  EXPECT_NE(dataset_checksum(d), h);
  d = base;
  d.group = {0, 0, 1};
  d.group_names = {"a", "b"};
  EXPECT_NE(dataset_checksum(d), h);
  EXPECT_EQ(dataset_checksum(small_data()), h);
}
