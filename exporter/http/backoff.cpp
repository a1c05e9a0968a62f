#include "exporter/http/backoff.h"

#include <algorithm>
#include <random>
#include <thread>

namespace fue::http {

Duration backoff_delay(int attempt, Duration base, Duration max) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const auto ceiling = std::min<Duration::rep>(max.count(), base.count() << doublings);
  if (ceiling <= 0) return Duration::zero();
  return Duration(std::uniform_int_distribution<Duration::rep>(0, ceiling)(rng));
}

bool sleep_within(Duration delay, const Deadline& deadline) {
  if (Clock::now() + delay >= deadline.at()) return false;
  std::this_thread::sleep_for(delay);
  return true;
}

}  // namespace fue::http
