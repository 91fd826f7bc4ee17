// Progress of a long command on stderr: on a terminal, one line rewritten in place (done/total,
// rate, ETA, and what the command adds, such as the loss); off a terminal (logs, CI), a plain line
// every few seconds. Silent for the first second, so quick runs print nothing.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace bloomnet::cli {

class Progress {
 public:
  // `first`: units already done before this process started (a resumed run); the rate counts
  // only this process's work.
  Progress(std::string label, std::string unit, size_t first = 0)
      : label_(std::move(label)),
        unit_(std::move(unit)),
        first_(first),
        terminal_(isatty(STDERR_FILENO) != 0) {}

  ~Progress() {
    if (shown_ && terminal_) std::fputc('\n', stderr);
  }

  void update(size_t done, size_t total, const std::string& detail = "") {
    const auto now = Clock::now();
    const double elapsed = seconds(now - start_);
    const double interval = terminal_ ? 0.2 : 5.0;
    if (elapsed < 1.0 || (shown_ && seconds(now - last_) < interval && done < total)) return;
    last_ = now;
    shown_ = true;
    const double rate = static_cast<double>(done - first_) / elapsed;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    // On a terminal a bar leads the line; logs get the numbers only.
    std::string bar;
    if (terminal_) {
      constexpr int kWidth = 24;
      const int filled = static_cast<int>(fraction * kWidth);
      bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    }
    std::fprintf(stderr, "%s%s: %s%zu/%zu %s (%.0f%%), %.1f %s/s, ETA %.0f s%s%s%s",
                 terminal_ ? "\r" : "", label_.c_str(), bar.c_str(), done, total, unit_.c_str(),
                 100.0 * fraction, rate, unit_.c_str(), eta, detail.empty() ? "" : ", ",
                 detail.c_str(), terminal_ ? "   " : "\n");
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

  std::string label_, unit_;
  size_t first_;
  bool terminal_;
  bool shown_ = false;
  Clock::time_point start_ = Clock::now(), last_ = start_;
};

}  // namespace bloomnet::cli
