#pragma once
// A one-line progress bar on stderr for long runs (a fit's starts, a bootstrap's phases): phase,
// count done, fits/s and ETA. It draws only when stderr is a terminal and the user did not ask for --quiet, so logs
// and pipes never fill with carriage returns.
#include <chrono>
#include <string>

#include "analysis/bootstrap.hpp"

namespace shannonfit::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool quiet);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();
  void update(const BootstrapProgress& p);
  // Clears the line so that the next output starts clean.
  void finish();
  bool enabled() const { return enabled_; }
  // Seconds since the bar was made: the elapsed time of a caller that counts its own progress.
  double seconds() const;

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace shannonfit::cli
