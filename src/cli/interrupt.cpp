#include "cli/interrupt.hpp"

#include <csignal>

#include "shannonfit/errors.hpp"

namespace shannonfit::cli {

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted = false;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

bool InterruptGuard::interrupted() { return g_interrupted.load(); }

const std::atomic<bool>* InterruptGuard::flag() { return &g_interrupted; }

void InterruptGuard::stop_before_writing() {
  if (interrupted()) throw InterruptedError("stopped after the fits, before writing any output");
}

}  // namespace shannonfit::cli
