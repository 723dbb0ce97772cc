// Outputs a careless or hostile command line points at things that are not the command's to
// replace: devices, FIFOs, sockets, folders, symbolic links, the input itself, another output, a
// folder that does not exist. Every case is refused before any computation, with exit code 6 (or
// 4 for an existing file without --force) and a message naming the option, and every file that
// was there before is byte for byte what it was.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support/adversarial.hpp"
#include "support/cli.hpp"
#include "support/synthetic.hpp"

namespace fs = std::filesystem;
using namespace shannonfit::testing;

namespace {

const std::vector<std::string>& kQuick = kQuickFit;
const std::vector<std::string>& kBoot = kQuickBootstrap;

class Outputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("runs.csv",
               shannonfit::synth::to_csv(shannonfit::synth::chinchilla_data(0, 1, 5, 4)));
    dir_.write("earlier.json", "{\"mine\": true}\n");
  }
  void refused(const std::vector<std::string>& args, int code,
               const std::vector<std::string>& words) {
    expect_refused(dir_, args, code, words);
  }
  TempDir dir_;
};

}  // namespace

TEST_F(Outputs, DeviceNodeIsNeverReplacedEvenWithForce) {
  const std::string dev = dir_.file("null-device");
  if (::mknod(dev.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0)
    GTEST_SKIP() << "cannot make a device node here (needs CAP_MKNOD)";
  for (const char* cmd : {"fit", "compare"})
    refused(cat({cmd, "runs.csv", "--out", "null-device", "--force"}, kQuick), 6,
            {"--out", "null-device", "device"});
  refused(cat({"bootstrap", "runs.csv", "--params-out", "null-device", "--force"}, kBoot), 6,
          {"--params-out", "device"});
}

TEST_F(Outputs, FifoAndSocketAreNeverReplacedEvenWithForce) {
  ASSERT_EQ(::mkfifo(dir_.file("fifo").c_str(), 0644), 0);
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock = dir_.file("sock");
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::copy(sock.begin(), sock.end(), addr.sun_path);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  refused(cat({"fit", "runs.csv", "--out", "fifo", "--force"}, kQuick), 6, {"--out", "FIFO"});
  refused(
      cat({"predict", "runs.csv", "--at", "N=1e9,D=1e10", "--csv-out", "fifo", "--force"}, kBoot),
      6, {"--csv-out", "FIFO"});
  refused(cat({"bootstrap", "runs.csv", "--checkpoint", "sock", "--force"}, kBoot), 6,
          {"--checkpoint", "socket"});
  ::close(s);
}

TEST_F(Outputs, FolderWhereAFileIsExpectedIsRefused) {
  fs::create_directory(dir_.path() / "results");
  dir_.write("results/keep.txt", "mine\n");
  refused(cat({"fit", "runs.csv", "--out", "results", "--force"}, kQuick), 6,
          {"--out", "results", "folder"});
}

TEST_F(Outputs, DevStdoutIsRefusedAndDashWritesTheJsonToStandardOutput) {
  // /dev/stdout is a symbolic link: renaming over it would replace the link (as root, in /dev).
  refused(cat({"fit", "runs.csv", "--out", "/dev/stdout", "--force"}, kQuick), 6,
          {"symbolic link", "'-'"});
  const Snapshot before = snapshot(dir_.path());
  const CliRun r = run_shannonfit(cat({"fit", "runs.csv", "--out", "-"}, kQuick), dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("command"), "fit");  // nothing but the JSON
  EXPECT_EQ(snapshot(dir_.path()), before);
  refused(
      cat({"predict", "runs.csv", "--at", "N=1e9,D=1e10", "--out", "-", "--csv-out", "-"}, kBoot),
      6, {"standard output"});
}

TEST_F(Outputs, OutputThatIsTheInputIsRefusedEvenWithForce) {
  refused(cat({"fit", "runs.csv", "--out", "runs.csv", "--force"}, kQuick), 6,
          {"--out", "same file", "DATA"});
  refused(cat({"bootstrap", "runs.csv", "--params-out", "runs.csv", "--force"}, kBoot), 6,
          {"--params-out", "same file"});
  // Same file by device and inode, not by name: a hard link and a path through "..".
  ASSERT_EQ(::link(dir_.file("runs.csv").c_str(), dir_.file("alias.csv").c_str()), 0);
  fs::create_directory(dir_.path() / "sub");
  refused(cat({"compare", "runs.csv", "--out", "alias.csv", "--force"}, kQuick), 6, {"same file"});
  refused(cat({"fit", "runs.csv", "--out", "sub/../runs.csv", "--force"}, kQuick), 6,
          {"same file"});
  // predict's other inputs: --params and --grid.
  dir_.write("grid.csv", "N,D\n1e9,1e10\n");
  refused(
      cat({"predict", "runs.csv", "--grid", "grid.csv", "--csv-out", "grid.csv", "--force"}, kBoot),
      6, {"--csv-out", "--grid"});
}

TEST_F(Outputs, TwoOutputsWithOneNameAreRefused) {
  refused(cat({"bootstrap", "runs.csv", "--out", "o.json", "--params-out", "./o.json"}, kBoot), 6,
          {"--params-out", "--out", "same file"});
  refused(cat({"bootstrap", "runs.csv", "--checkpoint", "earlier.json", "--out", "earlier.json",
               "--force"},
              kBoot),
          6, {"same file"});
}

TEST_F(Outputs, MissingFolderIsRefusedBeforeAnyComputation) {
  // The later output is checked as early as the first, before any resample: no --out is written
  // before --params-out fails.
  refused(cat({"bootstrap", "runs.csv", "--out", "o.json", "--params-out", "nowhere/p.csv"}, kBoot),
          6, {"--params-out", "nowhere", "does not exist"});
}

TEST_F(Outputs, UnwritableFolderIsRefusedBeforeAnyComputation) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into any folder";
  fs::create_directory(dir_.path() / "locked");
  fs::permissions(dir_.path() / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  refused(cat({"fit", "runs.csv", "--out", "locked/o.json"}, kQuick), 6, {"cannot write"});
  fs::permissions(dir_.path() / "locked", fs::perms::owner_all);
}

TEST_F(Outputs, ExistingFileNeedsForceAndForceReplacesOnlyThatFile) {
  refused(cat({"fit", "runs.csv", "--out", "earlier.json"}, kQuick), 4,
          {"earlier.json", "--force"});
  const Snapshot before = snapshot(dir_.path());
  const CliRun r =
      run_shannonfit(cat({"fit", "runs.csv", "--out", "earlier.json", "--force"}, kQuick), dir_);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(without(snapshot(dir_.path()), {"earlier.json"}), without(before, {"earlier.json"}));
  EXPECT_EQ(nlohmann::json::parse(dir_.read("earlier.json")).at("command"), "fit");
}
