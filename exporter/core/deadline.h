#pragma once

#include <algorithm>
#include <chrono>

namespace fue {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

// A point in time after which work for one scrape must stop; every wait and timeout is bounded by
// it.
class Deadline {
 public:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  static Deadline after(Duration d) { return Deadline(Clock::now() + d); }

  Clock::time_point at() const { return at_; }
  Duration remaining() const {
    return std::max(Duration::zero(), std::chrono::duration_cast<Duration>(at_ - Clock::now()));
  }
  bool expired() const { return Clock::now() >= at_; }
  // The earlier of this deadline and now + d.
  Deadline capped(Duration d) const { return Deadline(std::min(at_, Clock::now() + d)); }

 private:
  Clock::time_point at_;
};

}  // namespace fue
