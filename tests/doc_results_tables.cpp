// The tables in docs/results.md are what tools/results_tables.py renders from the JSON files the
// documented `shannonfit compare` commands wrote (docs/results/*.json): nobody edits a number by
// hand, and a regenerated JSON without regenerated tables fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/cli.hpp"

TEST(ResultsDoc, TablesMatchTheRecordedRuns) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  const auto r = shannonfit::testing::run_program(
      {"/usr/bin/python3", std::string(SHANNONFIT_SOURCE_DIR) + "/tools/results_tables.py",
       "--check"},
      shannonfit::testing::CliOptions{});
  EXPECT_EQ(r.code, 0) << r.out << r.err
                       << "docs/results.md tables are stale: run /usr/bin/python3 "
                          "tools/results_tables.py and commit docs/results.md";
}
