#pragma once
// Everything under a folder, byte for byte and type for type, for tests that must show a command
// changed nothing it was not asked to write. Symbolic links are recorded as links, never followed.
#include <filesystem>
#include <map>
#include <string>

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

}  // namespace shannonfit::testing
