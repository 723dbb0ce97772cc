#include "io/output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "shannonfit/errors.hpp"

namespace shannonfit::io {

namespace {

[[noreturn]] void refuse(const std::string& path) {
  throw OutputExistsError("'" + path + "' already exists; pass --force to overwrite it");
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

void check_writable(const std::string& path, bool force) {
  if (!force && exists(path)) refuse(path);
}

void write_file(const std::string& path, const std::string& content, bool force) {
  check_writable(path, force);
  std::vector<char> tmp(path.begin(), path.end());
  const char suffix[] = ".tmp.XXXXXX";
  tmp.insert(tmp.end(), suffix, suffix + sizeof(suffix));
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw InputError("cannot write '" + path + "': " + std::strerror(errno));
  const std::string tmp_path(tmp.data());
  const auto fail = [&](const std::string& what) {
    const int err = errno;
    ::unlink(tmp_path.c_str());
    throw InputError("cannot write '" + path + "': " + what + std::strerror(err));
  };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail("");
  // mkstemp creates 0600; results are ordinary user files.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(tmp_path.c_str(), 0666 & ~mask);
  if (force) {
    if (::rename(tmp_path.c_str(), path.c_str()) != 0) fail("");
    return;
  }
  if (::link(tmp_path.c_str(), path.c_str()) == 0) {
    ::unlink(tmp_path.c_str());
    return;
  }
  if (errno == EEXIST) {
    ::unlink(tmp_path.c_str());
    refuse(path);
  }
  // Filesystems without hard links: the existence check above is the best we can do.
  if (exists(path)) {
    ::unlink(tmp_path.c_str());
    refuse(path);
  }
  if (::rename(tmp_path.c_str(), path.c_str()) != 0) fail("");
}

}  // namespace shannonfit::io
