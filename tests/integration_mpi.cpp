// `mpirun -np K shannonfit bootstrap`: 1, 2 and 3 ranks write byte for byte what one process
// writes. Skipped when the build has no MPI (SHANNONFIT_MPI=OFF).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/cli.hpp"

using namespace shannonfit::testing;

TEST(Mpi, OneTwoAndThreeRanksWriteWhatOneProcessWrites) {
  const std::string mpiexec = SHANNONFIT_MPIEXEC;
  if (mpiexec.empty()) GTEST_SKIP() << "built without MPI (configure with -DSHANNONFIT_MPI=ON)";
  TempDir dir;
  const std::string data = std::string(SHANNONFIT_SOURCE_DIR) + "/data/synthetic_chinchilla.csv";
  // 101 resamples do not divide evenly by 2 or 3 ranks; case resampling with a jackknife.
  const std::vector<std::string> args = {"bootstrap", data, "--law", "chinchilla",
                                         "--resamples", "101", "--seed", "5", "--threads", "1",
                                         "--chunk", "7", "--quiet"};
  std::vector<std::string> single = args;
  single.insert(single.end(), {"--out", "single.json", "--params-out", "single.csv"});
  const CliRun one = run_shannonfit(single, dir);
  ASSERT_EQ(one.code, 0) << one.err;
  const std::string json = read_file(dir.file("single.json"));
  const std::string csv = read_file(dir.file("single.csv"));
  ASSERT_FALSE(csv.empty());

  for (int ranks : {1, 2, 3}) {
    const std::string out = "mpi" + std::to_string(ranks);
    // Root in containers and more ranks than cores are normal on CI machines.
    std::string cmd = "cd " + shell_quote(dir.path().string()) +
                      " && OMPI_MCA_btl_vader_single_copy_mechanism=none " + shell_quote(mpiexec) +
                      " --allow-run-as-root --oversubscribe --bind-to none -np " +
                      std::to_string(ranks) + " " + shell_quote(SHANNONFIT_BINARY);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " --out " + out + ".json --params-out " + out + ".csv > " + out + ".log 2>&1";
    const int status = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << ranks << " ranks: " << read_file(dir.file(out + ".log"));
    EXPECT_EQ(read_file(dir.file(out + ".json")), json) << ranks << " ranks";
    EXPECT_EQ(read_file(dir.file(out + ".csv")), csv) << ranks << " ranks";
  }
}
