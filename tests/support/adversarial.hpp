#pragma once
// For the adversarial tests: everything under a folder, byte for byte and type for type, to show
// that a command changed nothing it was not asked to write (symbolic links are recorded as links,
// never followed), and a run that must be refused without changing anything.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli.hpp"

namespace shannonfit::testing {

// Relative path -> "file:<bytes>", "dir", "link:<target>", "fifo", "socket" or "device".
using Snapshot = std::map<std::string, std::string>;

inline Snapshot snapshot(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  Snapshot out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string rel = fs::relative(it->path(), root).string();
    const fs::file_status st = it->symlink_status();
    if (fs::is_symlink(st))
      out[rel] = "link:" + fs::read_symlink(it->path()).string();
    else if (fs::is_regular_file(st))
      out[rel] = "file:" + read_file(it->path());
    else if (fs::is_directory(st))
      out[rel] = "dir";
    else if (fs::is_fifo(st))
      out[rel] = "fifo";
    else if (fs::is_socket(st))
      out[rel] = "socket";
    else
      out[rel] = "device";
  }
  return out;
}

// `after` without the entries whose relative path starts with one of `allowed` (the outputs a
// command was asked to write), to compare with the snapshot taken before it ran.
inline Snapshot without(Snapshot after, const std::vector<std::string>& allowed) {
  for (auto it = after.begin(); it != after.end();) {
    bool drop = false;
    for (const auto& prefix : allowed) drop = drop || it->first.rfind(prefix, 0) == 0;
    it = drop ? after.erase(it) : std::next(it);
  }
  return after;
}

// Quick settings of one fit and of a small bootstrap, for runs whose numbers do not matter.
inline const std::vector<std::string> kQuickFit = {"--law",  "kaplan",    "--starts",
                                                   "single", "--threads", "2"};
inline const std::vector<std::string> kQuickBootstrap = {
    "--law", "kaplan", "--resamples", "6", "--no-jackknife", "--threads", "2"};

inline std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Runs `args` in `dir` and checks a refusal: exit `code`, a message containing each of `words`
// and no "internal error", and not one file under `dir` changed, added or removed.
inline CliRun expect_refused(const TempDir& dir, const std::vector<std::string>& args, int code,
                             const std::vector<std::string>& words) {
  SCOPED_TRACE(command_line(args));
  const Snapshot before = snapshot(dir.path());
  const CliRun r = run_shannonfit(args, dir);
  EXPECT_EQ(r.code, code) << r.err;
  for (const auto& w : words) EXPECT_NE(r.err.find(w), std::string::npos) << w << "\n" << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(dir.path()), before);
  return r;
}

}  // namespace shannonfit::testing
