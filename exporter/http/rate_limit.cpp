#include "exporter/http/rate_limit.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>

namespace fue::http {
namespace {

std::optional<double> parse_number(const std::string& text) {
  auto begin = text.data(), end = text.data() + text.size();
  while (begin < end && *begin == ' ') ++begin;
  while (end > begin && end[-1] == ' ') --end;
  double value = 0;
  auto [stop, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || stop != end || begin == end) return std::nullopt;
  return value;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, the only form senders may use).
std::optional<double> parse_http_date(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

std::optional<double> header_number(const Response& res, const std::string& name) {
  if (name.empty()) return std::nullopt;
  return parse_number(res.header(name));
}

}  // namespace

std::optional<double> parse_retry_after(const std::string& value, double now_unix) {
  if (auto seconds = parse_number(value)) return std::max(0.0, *seconds);
  if (auto date = parse_http_date(value)) return std::max(0.0, *date - now_unix);
  return std::nullopt;
}

std::optional<double> rate_limit_wait_seconds(const Response& res, const RateLimitHeaders& names,
                                              double now_unix) {
  if (auto wait = parse_retry_after(res.header("Retry-After"), now_unix)) return wait;
  auto reset = header_number(res, names.reset);
  if (!reset) return std::nullopt;
  return std::max(0.0, names.reset_is_epoch ? *reset - now_unix : *reset);
}

void record_rate_limit(const Response& res, const RateLimitHeaders& names, double now_unix,
                       RateLimitState& state) {
  if (auto limit = header_number(res, names.limit)) state.limit = limit;
  if (auto remaining = header_number(res, names.remaining)) state.remaining = remaining;
  if (auto reset = header_number(res, names.reset))
    state.reset_epoch_seconds = names.reset_is_epoch ? *reset : now_unix + *reset;
}

}  // namespace fue::http
