#include "cli/progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace drvsec {

Progress::Progress(size_t total, bool enabled)
    : total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
  if (enabled_ && done_ > 0) std::fputs("\r\x1b[K", stderr);
}

void Progress::package_done() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  ++done_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200) && done_ != total_) return;
  last_draw_ = now;
  draw();
}

void Progress::draw() {
  const double seconds = std::chrono::duration<double>(last_draw_ - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  std::string eta = "--:--";
  if (rate > 0) {
    const auto left = static_cast<long long>(static_cast<double>(total_ - done_) / rate + 0.5);
    eta = fmt::format("{}:{:02}", left / 60, left % 60);
  }
  std::fputs(fmt::format("\r\x1b[Kdrvsec: {}/{} packages, {:.1f}/s, ETA {}", done_, total_, rate, eta).c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace drvsec
