#pragma once
// Running the built `shannonfit` binary (or any other program) from tests: arguments go straight
// to execve, so nothing is shell-quoted; stdout and stderr are captured separately; the working
// directory, stdin, extra environment and a timeout are options. Also a scratch directory that
// removes itself and a whole-file reader.
//
//   TempDir dir;
//   const CliRun r = run_shannonfit({"fit", "runs.csv", "--json"}, dir);  // run in `dir`
//   EXPECT_EQ(r.code, 0) << r.err;
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace shannonfit::testing {

// The whole file as bytes; empty when it cannot be opened.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "shannonfit-test-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed for " + templ);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The full path of `name` inside the directory, as a string to pass on a command line.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to `name` inside the directory and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name, std::ios::binary) << content;
    return file(name);
  }
  std::string read(const std::string& name) const { return read_file(path_ / name); }
  bool exists(const std::string& name) const { return std::filesystem::exists(path_ / name); }
  // Every entry in the directory, for asserting that nothing (not even a temp file) was left.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

struct CliRun {
  int code = -1;    // exit status; -1 when the process ended on a signal instead
  std::string out;  // stdout
  std::string err;  // stderr
};

struct CliOptions {
  std::filesystem::path cwd;  // working directory; empty: the test's own
  std::string stdin_text;     // what the program reads on stdin (it sees EOF after it)
  std::vector<std::pair<std::string, std::string>> env;  // added to, or replacing, the test's
  double timeout_s = 0;  // > 0: send `timeout_signal` after this long, then wait for exit
  int timeout_signal = SIGKILL;
};

// A started program whose output is being captured. wait() reaps it; a process still running
// when this goes out of scope (a failed ASSERT, say) is killed and reaped, never left behind.
class CliProcess {
 public:
  CliProcess(const std::vector<std::string>& argv, const CliOptions& opt = {}) : opt_(opt) {
    const std::string in_path = capture_file(in_), out_path = capture_file(out_),
                      err_path = capture_file(err_);
    std::ofstream(in_path, std::ios::binary) << opt.stdin_text;

    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      bool replaced = false;
      for (const auto& [k, v] : opt.env) replaced |= entry.compare(0, k.size() + 1, k + "=") == 0;
      if (!replaced) env_strings.push_back(entry);
    }
    for (const auto& [k, v] : opt.env) env_strings.push_back(k + "=" + v);
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string cwd = opt.cwd.string();
    const std::string exec_failed = "cannot run " + argv.at(0) + "\n";

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
      if (!redirect(in_path, O_RDONLY, STDIN_FILENO) ||
          !redirect(out_path, O_WRONLY | O_TRUNC, STDOUT_FILENO) ||
          !redirect(err_path, O_WRONLY | O_TRUNC, STDERR_FILENO))
        ::_exit(127);
      ::execvpe(args[0], args.data(), envp.data());
      if (::write(STDERR_FILENO, exec_failed.data(), exec_failed.size()) < 0) ::_exit(126);
      ::_exit(127);
    }
    started_ = std::chrono::steady_clock::now();
  }
  ~CliProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (const auto* p : {&in_, &out_, &err_}) std::filesystem::remove(*p);
  }
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  // True once the process has ended (it is reaped then; wait() still gives its result).
  bool finished() {
    if (pid_ > 0 && ::waitpid(pid_, &status_, WNOHANG) == pid_) pid_ = 0;
    return pid_ == 0;
  }
  void send_signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Whether the running process has installed a handler for `sig` (Linux: SigCgt in
  // /proc/PID/status), so that a test can send it once the program is ready to catch it.
  bool catches(int sig) const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; pid_ > 0 && std::getline(status, line);)
      if (line.rfind("SigCgt:", 0) == 0)
        return (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1)) & 1U;
    return false;
  }
  // Waits for the end and collects the output. Past the timeout the process gets the timeout
  // signal, and SIGKILL if it is still running kGraceS later, so that no test hangs on it.
  CliRun wait() {
    using Clock = std::chrono::steady_clock;
    const auto timeout = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(opt_.timeout_s));
    if (opt_.timeout_s > 0 && !finished_by(started_ + timeout)) {
      send_signal(opt_.timeout_signal);
      if (!finished_by(Clock::now() + std::chrono::seconds(kGraceS))) send_signal(SIGKILL);
    }
    if (pid_ > 0 && ::waitpid(pid_, &status_, 0) == pid_) pid_ = 0;
    return {WIFEXITED(status_) ? WEXITSTATUS(status_) : -1, read_file(out_), read_file(err_)};
  }

 private:
  static constexpr int kGraceS = 60;

  // Whether the process ends before `deadline`.
  bool finished_by(std::chrono::steady_clock::time_point deadline) {
    while (!finished()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // An empty file of our own in the temp directory, so captures never land in the test's cwd.
  static std::string capture_file(std::filesystem::path& path) {
    std::string templ = (std::filesystem::temp_directory_path() / "shannonfit-io-XXXXXX").string();
    const int fd = ::mkstemp(templ.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed for " + templ);
    ::close(fd);
    path = templ;
    return templ;
  }
  static bool redirect(const std::string& path, int flags, int to) {
    const int fd = ::open(path.c_str(), flags);
    if (fd == to) return true;  // the descriptor was closed in the test, so open reused it
    return fd >= 0 && ::dup2(fd, to) >= 0 && ::close(fd) == 0;
  }

  CliOptions opt_;
  std::filesystem::path in_, out_, err_;
  pid_t pid_ = -1;
  int status_ = 0;
  std::chrono::steady_clock::time_point started_;
};

// Runs `argv` (argv[0] looked up on PATH) to the end.
inline CliRun run_program(const std::vector<std::string>& argv, const CliOptions& opt = {}) {
  return CliProcess(argv, opt).wait();
}

// `shannonfit args...`, optionally behind a launcher such as `mpiexec -np 2`.
inline std::vector<std::string> shannonfit_argv(const std::vector<std::string>& args,
                                                const std::vector<std::string>& launcher = {}) {
  std::vector<std::string> argv = launcher;
  argv.push_back(SHANNONFIT_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The arguments joined by spaces, to say in a failure message which run failed.
inline std::string command_line(const std::vector<std::string>& args) {
  std::string line;
  for (const auto& a : args) line += (line.empty() ? "" : " ") + a;
  return line;
}

inline CliRun run_shannonfit(const std::vector<std::string>& args, const CliOptions& opt = {}) {
  return run_program(shannonfit_argv(args), opt);
}

// The common case: run in a scratch directory with nothing else set.
inline CliRun run_shannonfit(const std::vector<std::string>& args, const TempDir& cwd) {
  CliOptions opt;
  opt.cwd = cwd.path();
  return run_shannonfit(args, opt);
}

}  // namespace shannonfit::testing
