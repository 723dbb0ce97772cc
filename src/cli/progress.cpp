#include "cli/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace shannonfit::cli {

ProgressBar::ProgressBar(std::string label, bool quiet)
    : label_(std::move(label)), enabled_(!quiet && isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() { finish(); }

double ProgressBar::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

void ProgressBar::update(const BootstrapProgress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = p.resamples_total > 0 && p.resamples_done == p.resamples_total;
  // Redraw at most ten times a second: a fast run would otherwise spend its time on stderr.
  if (drawn_ && !last && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  if (p.resamples_total == 0) {
    // A phase without a count: say what runs, and draw no 0/0 and no ETA that would be made up.
    std::fprintf(stderr, "\r\033[K%s %s...", label_.c_str(), p.phase);
    std::fflush(stderr);
    drawn_ = true;
    return;
  }
  const double rate = p.seconds > 0 ? p.fits_done / p.seconds : 0;
  const double eta = rate > 0 ? (p.fits_total - p.fits_done) / rate : NAN;
  const int width = 24;
  const double share = p.resamples_total > 0 ? double(p.resamples_done) / p.resamples_total : 0;
  std::string bar(static_cast<std::size_t>(share * width), '=');
  bar.resize(width, ' ');
  std::fprintf(stderr, "\r\033[K%s %s [%s] %ld/%ld %s  %.0f fits/s  ETA %s", label_.c_str(),
               p.phase, bar.c_str(), p.resamples_done, p.resamples_total, p.unit, rate,
               format_duration(eta).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace shannonfit::cli
