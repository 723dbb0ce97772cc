#include "io/input.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include "shannonfit/errors.hpp"

namespace shannonfit::io {

namespace {

std::atomic<std::uint64_t> g_limit{kDefaultInputLimit};
std::atomic<const std::atomic<bool>*> g_cancel{nullptr};

std::string quoted(const std::string& what, const std::string& path) {
  return (what.empty() ? "" : what + " ") + "'" + path + "'";
}

// Called when a blocking call returns EINTR (and once before waiting): stop when the user asked
// to, else the caller waits on.
void stop_if_cancelled(const std::string& what, const std::string& path) {
  const std::atomic<bool>* cancel = g_cancel.load();
  if (cancel && cancel->load())
    throw InterruptedError("stopped while reading " + quoted(what, path));
}

[[noreturn]] void too_large(const std::string& what, const std::string& path,
                            const std::string& size) {
  throw InputError(quoted(what, path) + " is " + size + ", more than the input limit of " +
                   format_size(input_limit()) +
                   "; if it is meant to be this large, raise the limit with --max-input-size "
                   "SIZE (e.g. --max-input-size 4G)");
}

std::string read_fd(int fd, const std::string& what, const std::string& path) {
  const std::uint64_t limit = input_limit();
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::uint64_t>(st.st_size) > limit)
    too_large(what, path, format_size(static_cast<std::uint64_t>(st.st_size)));
  std::string bytes;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        stop_if_cancelled(what, path);
        continue;
      }
      throw InputError("cannot read " + quoted(what, path) + ": " + std::strerror(errno));
    }
    if (n == 0) return bytes;
    if (bytes.size() + static_cast<std::uint64_t>(n) > limit)
      too_large(what, path, "more than " + format_size(limit));
    bytes.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

void set_input_limit(std::uint64_t bytes) { g_limit = bytes; }
std::uint64_t input_limit() { return g_limit.load(); }

bool parse_size(const std::string& text, std::uint64_t& bytes) {
  if (text.empty() || text.find_first_not_of("0123456789") == 0) return false;
  std::size_t digits = text.find_first_not_of("0123456789");
  if (digits == std::string::npos) digits = text.size();
  if (digits > 15) return false;  // beyond any input a machine can hold; also no overflow below
  std::uint64_t value = std::stoull(text.substr(0, digits));
  std::string unit = text.substr(digits);
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  if (unit.size() == 2 && (unit[1] == 'i' || unit[1] == 'I')) unit.pop_back();
  static const char units[] = "KMGT";
  if (unit.size() > 1) return false;
  if (unit.size() == 1) {
    const char* u = std::strchr(units, std::toupper(static_cast<unsigned char>(unit[0])));
    if (!u || !*u) return false;
    value <<= 10 * (u - units + 1);
  }
  if (value == 0) return false;
  bytes = value;
  return true;
}

std::string format_size(std::uint64_t bytes) {
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf,
                v == static_cast<double>(static_cast<long long>(v)) ? "%.0f %s" : "%.1f %s", v,
                units[u]);
  return buf;
}

void set_read_cancel(const std::atomic<bool>* flag) { g_cancel = flag; }

std::string read_input(const std::string& path, const std::string& what) {
  if (path == "-") {
    // Standard input can be read only once; a command that reads its data twice (the report's
    // checksum, a hold-out expression) must see the same bytes the second time.
    static std::optional<std::string> stdin_bytes;
    if (!stdin_bytes) stdin_bytes = read_fd(STDIN_FILENO, what, "-");
    return *stdin_bytes;
  }
  if (path.empty()) throw InputError(what + ": the file name is empty");
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw InputError(quoted(what, path) + " is a folder, not a file");
    if (S_ISBLK(st.st_mode))
      throw InputError(quoted(what, path) + " is a block device, not a file");
  }
  stop_if_cancelled(what, path);  // a signal that came before the wait below would not end it
  int fd;
  while ((fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) < 0) {
    if (errno != EINTR)
      throw InputError("cannot open " + quoted(what, path) + ": " + std::strerror(errno));
    stop_if_cancelled(what, path);  // opening a FIFO waits for a writer
  }
  try {
    std::string bytes = read_fd(fd, what, path);
    ::close(fd);
    return bytes;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::string sha256_hex(const std::string& bytes) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 unavailable");
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace shannonfit::io
