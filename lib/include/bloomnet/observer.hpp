// What a long computation (a width sweep, the report) tells its caller while it runs: how far the
// current task is, and one-line notes for a person (a stage begins, a point is done). The library
// only reports; the caller decides how to show it (the command line draws a bar on stderr, a
// notebook a tqdm bar, a test nothing).
//
// Thread safety: the library calls an Observer from the thread that called it.
#pragma once

#include <cstddef>
#include <string_view>

namespace bloomnet {

struct ProgressReport {
  std::string_view task{};  // what is running: "train", "sweep 3/18 trained d=64 seed 0"
  std::string_view unit{};  // what is counted: "steps", "sets"
  size_t first = 0;         // units done before this process began (a resumed run)
  size_t done = 0, total = 0;
  std::string_view detail{};  // the latest numbers worth showing, or empty
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void progress(const ProgressReport& /*report*/) {}
  virtual void note(std::string_view /*line*/) {}
};

// Shows nothing.
inline Observer& silent_observer() {
  static Observer silent;
  return silent;
}

}  // namespace bloomnet
