#include "exporter/backfill/plan.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace fue::backfill {

std::optional<int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t k = 0; k < lengths[i]; ++k) {
      const char c = text[starts[i] + k];
      if (c < '0' || c > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  using namespace std::chrono;
  const year_month_day ymd{year{parts[0]}, month{static_cast<unsigned>(parts[1])},
                           day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok() || parts[0] < 1970) return std::nullopt;
  return static_cast<int64_t>(sys_days{ymd}.time_since_epoch().count()) * kDaySeconds;
}

std::string format_date(int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_days d{days{unix_seconds >= 0 ? unix_seconds / kDaySeconds
                                          : (unix_seconds - kDaySeconds + 1) / kDaySeconds}};
  const year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

namespace {

// The last day of the UTC month containing `day`.
int64_t last_day_of_month(int64_t day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day / kDaySeconds}}};
  const year_month_day_last last{ymd.year(), month_day_last{ymd.month()}};
  return static_cast<int64_t>(sys_days{last}.time_since_epoch().count()) * kDaySeconds;
}

}  // namespace

std::vector<DayRange> split_range(int64_t first_day, int64_t last_day, int max_days,
                                  bool within_month) {
  std::vector<DayRange> out;
  max_days = std::max(1, max_days);
  for (int64_t start = first_day; start <= last_day;) {
    int64_t end = std::min(last_day, start + (max_days - 1) * kDaySeconds);
    if (within_month) end = std::min(end, last_day_of_month(start));
    out.push_back({start, end});
    start = end + kDaySeconds;
  }
  return out;
}

}  // namespace fue::backfill
