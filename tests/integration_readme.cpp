// The outputs pasted in README.md are what the built binary prints today.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/cli.hpp"

TEST(Readme, ExamplesMatchTheBinary) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  shannonfit::testing::CliOptions opt;
  opt.env = {{"SHANNONFIT_BINARY", SHANNONFIT_BINARY}};
  const auto r = shannonfit::testing::run_program(
      {"/usr/bin/python3", std::string(SHANNONFIT_SOURCE_DIR) + "/tools/readme_examples.py",
       "--check"},
      opt);
  EXPECT_EQ(r.code, 0)
      << r.out << r.err
      << "README.md examples are stale: run /usr/bin/python3 tools/readme_examples.py after "
         "building, and commit README.md";
}
