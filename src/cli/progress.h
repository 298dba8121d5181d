// The progress line of a scan on stderr: packages done/total, rate and ETA, redrawn at most five
// times a second, and only when stderr is a terminal (never in logs or CI).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>

namespace drvsec {

class Progress {
 public:
  Progress(size_t total, bool enabled);
  ~Progress();  // erases the line
  void package_done();  // thread-safe

 private:
  void draw();
  size_t total_, done_ = 0;
  bool enabled_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace drvsec
