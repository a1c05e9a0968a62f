#include <cctype>
#include <cmath>
#include <cstdio>

#include "exporter/config/config_node.h"

namespace fue::config {

namespace {

// Milliseconds per unit, or 0 for an unknown unit.
double unit_ms(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  return 0;
}

}  // namespace

bool parse_duration(std::string_view text, Duration& out) {
  if (text == "0") {
    out = Duration::zero();
    return true;
  }
  double total_ms = 0;
  size_t i = 0;
  if (text.empty()) return false;
  while (i < text.size()) {
    size_t number_start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    std::string number(text.substr(number_start, i - number_start));
    if (number.empty() || number.front() == '.' || number.back() == '.' ||
        number.find('.') != number.rfind('.')) {
      return false;
    }
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    double per_unit = unit_ms(text.substr(unit_start, i - unit_start));
    if (per_unit == 0) return false;
    total_ms += std::stod(number) * per_unit;
  }
  if (!std::isfinite(total_ms) || total_ms > 1e15) return false;
  out = Duration(static_cast<int64_t>(std::llround(total_ms)));
  return true;
}

std::string format_duration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms < 1000) return out + std::to_string(ms) + "ms";
  int64_t hours = ms / 3'600'000;
  int64_t minutes = ms / 60'000 % 60;
  int64_t seconds = ms / 1000 % 60;
  int64_t millis = ms % 1000;
  if (hours) out += std::to_string(hours) + "h";
  if (minutes) out += std::to_string(minutes) + "m";
  if (seconds || millis) {
    out += std::to_string(seconds);
    if (millis) {
      char frac[8];
      std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(millis));
      std::string f = frac;
      while (f.back() == '0') f.pop_back();
      out += f;
    }
    out += "s";
  }
  return out;
}

}  // namespace fue::config
