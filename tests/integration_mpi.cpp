// `mpirun -np K shannonfit bootstrap`: 1, 2 and 3 ranks write byte for byte what one process
// writes, and a run without mpirun does not start MPI. Skipped when the build has no MPI
// (SHANNONFIT_MPI=OFF).
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

  CliOptions opt;
  opt.cwd = dir.path();
  // Session directories of its own, so concurrent mpirun jobs cannot remove each other's.
  opt.env = {{"OMPI_MCA_btl_vader_single_copy_mechanism", "none"},
             {"OMPI_MCA_orte_tmpdir_base", dir.path()}};
  for (int ranks : {1, 2, 3}) {
    const std::string out = "mpi" + std::to_string(ranks);
    std::vector<std::string> mpi_args = args;
    mpi_args.insert(mpi_args.end(), {"--out", out + ".json", "--params-out", out + ".csv"});
    // Root in containers and more ranks than cores are normal on CI machines.
    const CliRun r =
        run_program(shannonfit_argv(mpi_args, {mpiexec, "--allow-run-as-root", "--oversubscribe",
                                               "--bind-to", "none", "-np", std::to_string(ranks)}),
                    opt);
    ASSERT_EQ(r.code, 0) << ranks << " ranks: " << r.out << r.err;
    EXPECT_EQ(read_file(dir.file(out + ".json")), json) << ranks << " ranks";
    EXPECT_EQ(read_file(dir.file(out + ".csv")), csv) << ranks << " ranks";
  }
}

// Open MPI's singleton start creates session directories shared by every concurrent run, where
// one run's cleanup can abort another's MPI_Init. A session directory that cannot be created
// makes that failure certain, so a run outside mpirun succeeds only if it leaves MPI alone.
TEST(Mpi, ARunWithoutMpirunDoesNotStartMpi) {
  if (std::string(SHANNONFIT_MPIEXEC).empty()) GTEST_SKIP() << "built without MPI";
  TempDir dir;
  CliOptions opt;
  opt.cwd = dir.path();
  opt.env = {{"OMPI_MCA_orte_tmpdir_base", dir.write("not_a_dir", "") + "/sessions"}};
  const std::string data = std::string(SHANNONFIT_SOURCE_DIR) + "/data/synthetic_chinchilla.csv";
  const CliRun r =
      run_shannonfit({"fit", data, "--law", "chinchilla", "--starts", "single", "--quiet"}, opt);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("MPI_Init"), std::string::npos) << r.err;
}
