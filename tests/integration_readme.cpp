// The outputs pasted in README.md are what the built binary prints today. The examples run in a
// directory of the build tree, so the files they write (reports/...) never touch the sources.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/cli.hpp"

TEST(Readme, ExamplesMatchTheBinary) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  // Next to the binary under test, so in the build tree however the test is started.
  const std::filesystem::path workdir =
      std::filesystem::path(SHANNONFIT_BINARY).parent_path() / "readme_examples";
  std::filesystem::remove_all(workdir);
  shannonfit::testing::CliOptions opt;
  opt.env = {{"SHANNONFIT_BINARY", SHANNONFIT_BINARY}};
  const auto r = shannonfit::testing::run_program(
      {"/usr/bin/python3", std::string(SHANNONFIT_SOURCE_DIR) + "/tools/readme_examples.py",
       "--check", "--workdir", workdir.string()},
      opt);
  EXPECT_EQ(r.code, 0)
      << r.out << r.err
      << "The output of a README example changed: check whether that is intended. If it is "
         "(and only then), regenerate with /usr/bin/python3 tools/readme_examples.py and commit "
         "README.md; if not, the change is a bug to fix, not a document to update.";
}
