#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fue::backfill {

inline constexpr int64_t kDaySeconds = 86400;

// "2026-01-31" (UTC) to the Unix seconds of that midnight; nullopt for anything else, including
// impossible dates such as 2026-02-30.
std::optional<int64_t> parse_date(std::string_view text);
// Unix seconds to "YYYY-MM-DD" (UTC).
std::string format_date(int64_t unix_seconds);

// Whole UTC days, both ends included.
struct DayRange {
  int64_t first = 0;
  int64_t last = 0;
  int64_t days() const { return (last - first) / kDaySeconds + 1; }
  bool operator==(const DayRange&) const = default;
};

// Splits [first_day, last_day] into consecutive ranges of at most `max_days` days that, with
// `within_month`, never span two UTC months. Empty when first_day > last_day.
std::vector<DayRange> split_range(int64_t first_day, int64_t last_day, int max_days,
                                  bool within_month);

// The timestamp a day's samples carry: its last second, when a live scrape would have shown
// the day's final figures.
inline int64_t sample_time(int64_t day) { return day + kDaySeconds - 1; }

}  // namespace fue::backfill
