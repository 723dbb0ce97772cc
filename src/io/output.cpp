#include "io/output.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "shannonfit/errors.hpp"

namespace fs = std::filesystem;

namespace shannonfit::io {

namespace {

std::string named(const std::string& option, const std::string& path) {
  return option + " '" + path + "'";
}

[[noreturn]] void refuse_existing(const std::string& path) {
  throw OutputExistsError("'" + path + "' already exists; pass --force to overwrite it");
}

// The folder a file is written into ("." for a bare name).
std::string folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// Why `path`, as found by lstat, is not a file results may replace; "" when it is one.
std::string not_regular(const struct stat& st) {
  if (S_ISREG(st.st_mode)) return "";
  if (S_ISDIR(st.st_mode)) return "is a folder, not a file";
  if (S_ISLNK(st.st_mode))
    return "is a symbolic link; name the file it points to (or '-' for standard output)";
  if (S_ISFIFO(st.st_mode)) return "is a FIFO, not a regular file ('-' writes to standard output)";
  if (S_ISSOCK(st.st_mode)) return "is a socket, not a regular file";
  return "is a device, not a regular file ('-' writes to standard output)";
}

// The folder that must accept new entries for `path` to be created or renamed over: it must
// exist (or, with `create_parents`, its nearest existing ancestor must) and be writable.
void require_writable_folder(const std::string& path, const std::string& option,
                             bool create_parents) {
  std::string dir = folder_of(path);
  struct stat st;
  while (::stat(dir.c_str(), &st) != 0) {
    if (!create_parents || errno != ENOENT)
      throw OutputError(named(option, path) + ": the folder '" + dir + "' does not exist");
    const std::string up = folder_of(dir);
    if (up == dir) break;
    dir = up;
  }
  if (!S_ISDIR(st.st_mode))
    throw OutputError(named(option, path) + ": '" + dir + "' is not a folder");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw OutputError(named(option, path) + ": cannot write into the folder '" + dir +
                      "': " + std::strerror(errno));
}

}  // namespace

// --- OutputPlan -----------------------------------------------------------------------------

namespace {

struct Located {
  dev_t dev = 0;
  ino_t ino = 0;
  std::string rest;
  std::vector<std::pair<dev_t, ino_t>> ancestors;
};

// `path`'s nearest existing ancestor (itself when it exists; symbolic links followed), the part
// of the path below it, and the folders above it.
Located locate(const std::string& path) {
  Located out;
  fs::path p = fs::absolute(path).lexically_normal();
  if (p.has_filename() == false && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  struct stat st;
  while (::stat(p.c_str(), &st) != 0) {
    out.rest = out.rest.empty() ? p.filename().string() : (p.filename() / out.rest).string();
    if (p == p.root_path()) break;
    p = p.parent_path();
  }
  out.dev = st.st_dev;
  out.ino = st.st_ino;
  std::error_code ec;
  fs::path real = fs::canonical(p, ec);
  if (ec) real = p;
  for (fs::path up = real.parent_path();; up = up.parent_path()) {
    if (::stat(up.c_str(), &st) == 0) out.ancestors.emplace_back(st.st_dev, st.st_ino);
    if (up == up.root_path() || up.empty()) break;
  }
  return out;
}

}  // namespace

void OutputPlan::add(Entry e) {
  for (const Entry& other : entries_) {
    if (!e.output && !other.output) continue;
    if (e.id == other.id) {
      const Entry& out = e.output ? e : other;
      const Entry& in = e.output ? other : e;
      throw OutputError(named(out.option, out.path) + " is the same file as " +
                        named(in.option, in.path) +
                        (in.output ? "" : ", which this command reads") +
                        "; give it another name (nothing was written)");
    }
    // A file inside a folder that is replaced as a whole.
    const std::pair<const Entry*, const Entry*> orders[] = {{&e, &other}, {&other, &e}};
    for (const auto& [folder_entry, file_entry] : orders) {
      const Entry& folder = *folder_entry;
      const Entry& file = *file_entry;
      if (!folder.is_folder) continue;
      bool inside = false;
      if (folder.id.rest.empty()) {
        for (const Identity& a : file.ancestors)
          inside = inside || (a.dev == folder.id.dev && a.ino == folder.id.ino);
      } else {
        inside = file.id.dev == folder.id.dev && file.id.ino == folder.id.ino &&
                 file.id.rest.compare(0, folder.id.rest.size() + 1, folder.id.rest + "/") == 0;
      }
      if (inside)
        throw OutputError(named(file.option, file.path) + " is inside " +
                          named(folder.option, folder.path) +
                          ", the folder this command writes; choose another folder (nothing "
                          "was written)");
    }
  }
  entries_.push_back(std::move(e));
}

OutputPlan::Entry OutputPlan::make_entry(const std::string& path, const std::string& option,
                                         bool output, bool folder) {
  const Located at = locate(path);
  Entry e;
  e.id = Identity{at.dev, at.ino, at.rest};
  for (const auto& [dev, ino] : at.ancestors) e.ancestors.push_back(Identity{dev, ino, ""});
  e.path = path;
  e.option = option;
  e.output = output;
  e.is_folder = folder;
  return e;
}

void OutputPlan::input(const std::string& path, const std::string& option) {
  if (path.empty() || path == "-") return;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return;  // reading it reports what is wrong
  add(make_entry(path, option, false, false));
}

void OutputPlan::file(const std::string& path, const std::string& option, bool stdout_ok,
                      bool replace_own) {
  if (path.empty()) return;
  if (path == "-") {
    if (!stdout_ok)
      throw OutputError(option + " needs a file name; '-' (standard output) is not possible here");
    if (!stdout_option_.empty())
      throw OutputError(option + " and " + stdout_option_ +
                        " both name standard output ('-'); give one of them a file name");
    stdout_option_ = option;
    return;
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    const std::string why = not_regular(st);
    if (!why.empty()) throw OutputError(named(option, path) + " " + why + " (nothing was written)");
    if (!force_ && !replace_own) refuse_existing(path);
  } else if (errno != ENOENT) {
    throw OutputError(named(option, path) + ": " + std::strerror(errno));
  }
  require_writable_folder(path, option, false);
  add(make_entry(path, option, true, false));
}

void OutputPlan::folder(const std::string& path, const std::string& option,
                        const ReplaceCheck& replaceable) {
  if (path == "-") throw OutputError(option + " names a folder; it cannot be standard output");
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode))
      throw OutputError(named(option, path) +
                        " is a symbolic link; name the folder it points to (nothing was written)");
    if (!S_ISDIR(st.st_mode))
      throw OutputError(named(option, path) + " exists and is not a folder (nothing was written)");
    std::error_code ec;
    if (!fs::is_empty(path, ec)) {
      if (!force_)
        throw OutputExistsError(path +
                                " exists and is not empty (pass --force to replace the "
                                "report in it, or --out to choose another folder)");
      const std::string why = replaceable(path);
      if (!why.empty())
        throw OutputError(named(option, path) + ": --force replaces an earlier report only, and " +
                          why + " (nothing was changed)");
    }
  } else if (errno != ENOENT) {
    throw OutputError(named(option, path) + ": " + std::strerror(errno));
  }
  require_writable_folder(path, option, true);
  add(make_entry(path, option, true, true));
}

// --- files ----------------------------------------------------------------------------------

void write_file(const std::string& path, const std::string& content, bool force) {
  if (path == "-") {
    std::cout << content << std::flush;
    if (!std::cout) throw OutputError("cannot write to standard output");
    return;
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    const std::string why = not_regular(st);
    if (!why.empty()) throw OutputError("'" + path + "' " + why + " (nothing was written)");
    if (!force) refuse_existing(path);
  }
  std::string tmp =
      (fs::path(folder_of(path)) / ("." + fs::path(path).filename().string() + ".tmp-XXXXXX"))
          .string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) throw OutputError("cannot write '" + path + "': " + std::strerror(errno));
  const auto fail = [&](int err) {
    ::unlink(tmp.c_str());
    throw OutputError("cannot write '" + path + "': " + std::strerror(err) +
                      " (nothing was written)");
  };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      fail(err);
    }
    done += static_cast<std::size_t>(n);
  }
  // Renamed before its bytes reach the disk, a file can be empty after a crash.
  if (::fsync(fd) != 0 && errno != EINVAL) {
    const int err = errno;
    ::close(fd);
    fail(err);
  }
  if (::close(fd) != 0) fail(errno);
  // mkstemp creates 0600; results are ordinary user files.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(tmp.c_str(), 0666 & ~mask);
  if (force) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail(errno);
  } else if (::link(tmp.c_str(), path.c_str()) == 0) {
    ::unlink(tmp.c_str());
  } else if (errno == EEXIST || ::lstat(path.c_str(), &st) == 0) {
    ::unlink(tmp.c_str());
    refuse_existing(path);
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {  // a filesystem without hard links
    fail(errno);
  }
  const int dir = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

// --- folders --------------------------------------------------------------------------------

namespace {

void remove_at(int parent, const char* name) {
  const int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {  // a file or a symbolic link: the entry itself goes
    ::unlinkat(parent, name, 0);
    return;
  }
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      names.emplace_back(e->d_name);
  for (const auto& n : names) remove_at(::dirfd(d), n.c_str());
  ::closedir(d);
  ::unlinkat(parent, name, AT_REMOVEDIR);
}

}  // namespace

void remove_tree(const std::string& path) { remove_at(AT_FDCWD, path.c_str()); }

StagedFolder::StagedFolder(std::string target) : target_(std::move(target)) {
  // Absolute, so that "." and "dir/" have a real name and parent to build beside.
  fs::path t = fs::absolute(target_).lexically_normal();
  if (!t.has_filename() && t != t.root_path()) t = t.parent_path();
  const fs::path parent = t.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string name = t.filename().string();
  if (name.empty()) name = "report";
  std::string tmpl = (parent / ("." + name + ".shannonfit-new-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data()))
    throw OutputError("cannot create a folder beside '" + target_ + "': " + std::strerror(errno));
  staged_ = tmpl;
}

StagedFolder::~StagedFolder() {
  if (!keep_) remove_tree(staged_);
}

void StagedFolder::commit(const ReplaceCheck& replaceable) {
  struct stat st;
  std::error_code ec;
  const bool earlier =
      ::lstat(target_.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !fs::is_empty(target_, ec);
  if (::lstat(target_.c_str(), &st) != 0) {
    if (::rename(staged_.c_str(), target_.c_str()) != 0)
      throw OutputError("cannot put the new folder at '" + target_ + "': " + std::strerror(errno));
    keep_ = true;
    return;
  }
  if (!earlier) {
    // An empty folder the user made (perhaps their working directory): it stays, and the files
    // move into it one by one, report.json last, so it looks complete only once it is.
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(staged_, ec)) entries.push_back(e.path());
    std::stable_partition(entries.begin(), entries.end(),
                          [](const fs::path& p) { return p.filename() != "report.json"; });
    for (const auto& from : entries)
      if (::rename(from.c_str(), (fs::path(target_) / from.filename()).c_str()) != 0)
        throw OutputError("cannot move '" + from.filename().string() + "' into '" + target_ +
                          "': " + std::strerror(errno));
    return;
  }
  const std::string why = replaceable(target_);
  if (!why.empty()) {
    keep_ = true;
    throw OutputError("'" + target_ +
                      "' changed during the run and is no longer an earlier report (" + why +
                      "); it was left alone and the new report is in '" + staged_ + "'");
  }
#ifdef SYS_renameat2
  constexpr unsigned kExchange = 1u << 1;  // RENAME_EXCHANGE
  if (::syscall(SYS_renameat2, AT_FDCWD, staged_.c_str(), AT_FDCWD, target_.c_str(), kExchange) ==
      0) {
    remove_tree(staged_);  // now the earlier report
    keep_ = true;
    return;
  }
#endif
  // No atomic exchange on this filesystem: move the earlier report aside, then the new one in.
  std::string aside = staged_ + "-old";
  if (::rename(target_.c_str(), aside.c_str()) != 0)
    throw OutputError("cannot replace '" + target_ + "': " + std::strerror(errno));
  if (::rename(staged_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    ::rename(aside.c_str(), target_.c_str());
    throw OutputError("cannot replace '" + target_ + "': " + std::strerror(err));
  }
  keep_ = true;
  remove_tree(aside);
}

}  // namespace shannonfit::io
