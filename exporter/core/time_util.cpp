// Calendar arithmetic without the C library's time zone state, so parsing is thread-safe.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "exporter/http/json_util.h"

namespace fue::timeutil {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<int64_t> days_from_civil(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count();
}

// Parses "YYYY-MM-DD?HH:MM:SS" where ? is `sep`; returns seconds and the index after the seconds.
std::optional<double> parse_date_time(std::string_view s, char sep, size_t& end) {
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != sep && !(sep == 'T' && s[10] == 't')) ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, se))
    return std::nullopt;
  if (h > 23 || mi > 59 || se > 60) return std::nullopt;
  auto days = days_from_civil(y, mo, d);
  if (!days) return std::nullopt;
  end = 19;
  return static_cast<double>(*days * 86400 + h * 3600 + mi * 60 + se);
}

}  // namespace

std::optional<double> parse_rfc3339(std::string_view text) {
  size_t i = 0;
  auto base = parse_date_time(text, 'T', i);
  if (!base) return std::nullopt;
  double fraction = 0;
  if (i < text.size() && text[i] == '.') {
    double scale = 0.1;
    ++i;
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10)
      fraction += (text[i] - '0') * scale;
  }
  if (i == text.size()) return std::nullopt;  // a zone is required
  if (text[i] == 'Z' || text[i] == 'z')
    return i + 1 == text.size() ? std::optional(*base + fraction) : std::nullopt;
  if (text[i] != '+' && text[i] != '-') return std::nullopt;
  int oh, om;
  if (i + 6 != text.size() || !digits(text, i + 1, 2, oh) || text[i + 3] != ':' ||
      !digits(text, i + 4, 2, om))
    return std::nullopt;
  const int offset = (oh * 3600 + om * 60) * (text[i] == '+' ? 1 : -1);
  return *base + fraction - offset;
}

std::optional<double> parse_local_datetime(std::string_view text, int utc_offset_seconds) {
  size_t end = 0;
  auto base = parse_date_time(text, ' ', end);
  if (!base || end != text.size()) return std::nullopt;
  return *base - utc_offset_seconds;
}

std::string format_rfc3339(double unix_seconds) {
  using namespace std::chrono;
  const auto secs = static_cast<int64_t>(unix_seconds);
  const auto days = sys_days(floor<std::chrono::days>(sys_seconds(seconds(secs))));
  const year_month_day ymd(days);
  const int64_t rest = secs - days.time_since_epoch().count() * 86400;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  return buf;
}

int64_t start_of_utc_day(int64_t unix_seconds) {
  return unix_seconds - ((unix_seconds % 86400) + 86400) % 86400;
}

int64_t start_of_utc_month(int64_t unix_seconds) {
  using namespace std::chrono;
  const year_month_day ymd(floor<days>(sys_seconds(seconds(unix_seconds))));
  return sys_days(ymd.year() / ymd.month() / 1).time_since_epoch().count() * 86400;
}

}  // namespace fue::timeutil
