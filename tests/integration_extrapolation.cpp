// The paper's extrapolation protocol on public Pythia curves (skips without the shared data):
// fit on N ≤ 6.9B and D ≤ 180B tokens, predict the rest, for every pretraining law. Checks that
// the protocol completes with a finite held-out R² per law and per held-out curve; the values
// themselves are recorded in docs/results.md, not asserted (LAMBADA loss is not the paper's
// WikiText-2 loss).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/cli.hpp"

using namespace shannonfit::testing;
using nlohmann::json;

TEST(Extrapolation, PythiaProtocolCompletesForEveryLaw) {
  const std::string data = std::string(SHANNONFIT_SHARED_DATA) + "/pythia_evals.csv";
  if (!std::filesystem::exists(data)) GTEST_SKIP() << data << " is absent";
  TempDir dir;
  const CliRun r = run_shannonfit(
      {"compare", data, "--n-col", "params", "--d-col", "tokens", "--loss-col", "lambada_loss",
       "--filter", "step > 512", "--group-col", "model", "--extrapolate", "N<=6.9e9,D<=180e9",
       "--law", "shannon,shannon-simple,chinchilla,kaplan", "--kfold", "0", "--curves", "--json",
       "--threads", "2"},
      dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  const json& laws = doc["slices"][0]["laws"];
  ASSERT_EQ(laws.size(), 4u);
  for (const auto& law : laws) {
    const json& h = law["holdout"];
    EXPECT_TRUE(std::isfinite(h["pooled"]["r2"].get<double>())) << law["law"];
    // 7 models × 16 checkpoints after step 512, minus the training block (6 models up to
    // 6.9B × 10 checkpoints up to 180B tokens).
    EXPECT_EQ(h["pooled"]["n"].get<int>(), 7 * 16 - 6 * 10) << law["law"];
    EXPECT_EQ(h["groups"].size(), 7u) << law["law"];
    EXPECT_EQ(h["curve"].size(), h["pooled"]["n"].get<std::size_t>()) << law["law"];
  }
}
