#include "cli/interrupt.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

#include "io/input.hpp"
#include "shannonfit/errors.hpp"

namespace shannonfit::cli {

namespace {

std::atomic<bool> g_interrupted{false};
int g_depth = 0;

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

void set_handler(int sig, void (*handler)(int)) {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a read blocked on a FIFO returns EINTR and sees the flag
  ::sigaction(sig, &sa, nullptr);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  if (g_depth++ > 0) return;
  g_interrupted = false;
  set_handler(SIGINT, on_interrupt);
  set_handler(SIGTERM, on_interrupt);
  io::set_read_cancel(&g_interrupted);
}

InterruptGuard::~InterruptGuard() {
  if (--g_depth > 0) return;
  io::set_read_cancel(nullptr);
  set_handler(SIGINT, SIG_DFL);
  set_handler(SIGTERM, SIG_DFL);
}

bool InterruptGuard::interrupted() { return g_interrupted.load(); }

const std::atomic<bool>* InterruptGuard::flag() { return &g_interrupted; }

void InterruptGuard::stop_before_writing() {
  if (interrupted()) throw InterruptedError("stopped before writing any output");
}

void fault_point(const char* phase) {
  const char* at = std::getenv("SHANNONFIT_FAULT_AT");
  if (!at) return;
  const std::string want = at;
  if (want == phase) std::raise(SIGTERM);
  if (want == std::string(phase) + ":KILL") std::raise(SIGKILL);
}

}  // namespace shannonfit::cli
