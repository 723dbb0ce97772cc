#pragma once
// Ctrl-C/SIGTERM for the subcommands: while a guard lives, a signal only sets a flag that the
// batches poll (BatchRequest::cancel, the bootstrap's chunks), so a run stops cleanly with exit
// 130 instead of dying mid-write.
#include <atomic>

namespace shannonfit::cli {

// Installs SIGINT/SIGTERM handlers for its lifetime that set the flag.
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

}  // namespace shannonfit::cli
