#pragma once
// Errors the user can act on. The CLI maps each kind to a documented exit code.
#include <stdexcept>
#include <string>

namespace shannonfit {

// Bad input: a file, column, value or option the user gave. The message names the file, line
// and column (or the option) and what is wrong.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The data cannot support the request: a law that cannot be identified, too few rows, every
// start failing.
class FitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An output file already exists and --force was not given.
class OutputExistsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user interrupted a long run (SIGINT/SIGTERM); what was finished has been written.
class InterruptedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit codes, documented in the README.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,        // command-line syntax (CLI11 reports it)
  kExitInput = 2,        // InputError
  kExitFit = 3,          // FitError
  kExitOutputExists = 4, // OutputExistsError
  kExitInternal = 5,     // anything else: a bug
  kExitInterrupted = 130 // SIGINT/SIGTERM: partial work flushed, run again with --resume
};

}  // namespace shannonfit
