#pragma once

#include <chrono>
#include <cstdint>

// The wall clock as Unix time, in the three resolutions the code needs; one definition so that
// libfaketime (tests/scripts/calendar_test.sh) moves every reader of it the same way.
namespace fue {

inline double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline int64_t unix_now_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

inline int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace fue
