#pragma once

#include "exporter/core/deadline.h"

namespace fue::http {

// Exponential backoff with full jitter: a uniform delay in [0, min(max, base * 2^(attempt-1))],
// so that many targets retrying at once spread out instead of hitting the vendor together.
Duration backoff_delay(int attempt, Duration base, Duration max);

// Sleeps `delay` unless that would pass the deadline; returns whether it slept.
bool sleep_within(Duration delay, const Deadline& deadline);

}  // namespace fue::http
