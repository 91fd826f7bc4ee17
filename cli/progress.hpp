// Progress of a long command on stderr: on a terminal, one line rewritten in place (done/total,
// rate, ETA, and what the command adds, such as the loss); off a terminal (logs, CI), a plain line
// every few seconds. Silent for the first second, so quick runs print nothing. StderrObserver
// shows what the library reports (observer.hpp) that way: a bar per task, notes as lines.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "bloomnet/observer.hpp"

namespace bloomnet::cli {

class ProgressBar {
 public:
  // `first`: units already done before this process started (a resumed run); the rate counts
  // only this process's work.
  ProgressBar(std::string label, std::string unit, size_t first = 0)
      : label_(std::move(label)),
        unit_(std::move(unit)),
        first_(first),
        terminal_(isatty(STDERR_FILENO) != 0) {}

  ~ProgressBar() {
    if (shown_ && terminal_) std::fputc('\n', stderr);
  }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  const std::string& label() const { return label_; }

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

class StderrObserver : public Observer {
 public:
  void progress(const ProgressReport& report) override {
    if (!bar_ || bar_->label() != report.task) {
      bar_.reset();  // ends the previous task's line
      bar_.emplace(std::string(report.task), std::string(report.unit), report.first);
    }
    bar_->update(report.done, report.total, std::string(report.detail));
  }
  void note(std::string_view line) override {
    bar_.reset();
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    std::fflush(stderr);
  }

 private:
  std::optional<ProgressBar> bar_;
};

}  // namespace bloomnet::cli
