// The outputs pasted in README.md are what the built binary prints today.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/cli.hpp"

TEST(Readme, ExamplesMatchTheBinary) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  const std::string root = SHANNONFIT_SOURCE_DIR;
  const std::string cmd = "SHANNONFIT_BINARY=" + shannonfit::testing::shell_quote(SHANNONFIT_BINARY) +
                          " /usr/bin/python3 " +
                          shannonfit::testing::shell_quote(root + "/tools/readme_examples.py") +
                          " --check";
  EXPECT_EQ(std::system(cmd.c_str()), 0)
      << "README.md examples are stale: run /usr/bin/python3 tools/readme_examples.py after "
         "building, and commit README.md";
}
