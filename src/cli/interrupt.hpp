#pragma once
// Ctrl-C/SIGTERM for the subcommands: while a guard lives, a signal only sets a flag that the
// batches poll (BatchRequest::cancel, the bootstrap's chunks) and that ends a read waiting on a
// FIFO or pipe, so a run stops cleanly with exit 130 instead of dying mid-write.
#include <atomic>

namespace shannonfit::cli {

// Installs SIGINT/SIGTERM handlers for its lifetime that set the flag. Guards nest: the
// outermost one installs the handlers, clears the flag and restores the defaults at its end.
// The handlers interrupt blocking system calls (no SA_RESTART), so waits notice the flag.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  static bool interrupted();
  // The flag itself, for library calls that poll a cancel flag (batches, analysis::analyze).
  static const std::atomic<bool>* flag();
  // Throws InterruptedError if a signal came: called just before a command writes anything, so
  // a Ctrl-C after the last batch finished still leaves no output behind.
  static void stop_before_writing();
};

// Fault injection for the tests that stop a command in each of its phases: when the environment
// variable SHANNONFIT_FAULT_AT equals `phase`, the process sends itself SIGTERM there (or, for
// "PHASE:KILL", SIGKILL, which it cannot catch). No effect otherwise.
void fault_point(const char* phase);

}  // namespace shannonfit::cli
