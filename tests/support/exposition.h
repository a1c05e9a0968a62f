#pragma once

// Reading single samples back out of a text exposition, so a test can name the one value a rule
// produces instead of comparing a whole golden file.
#include <cstdlib>
#include <optional>
#include <string>

#include "exporter/metrics/metric_set.h"
#include "exporter/metrics/serializer.h"

namespace fue::test {

// The value of the sample written exactly as `series` (name plus its {labels}, as serialised),
// or nullopt when no such line exists.
inline std::optional<double> sample_value(const std::string& text, const std::string& series) {
  const std::string needle = series + " ";
  for (size_t pos = 0; (pos = text.find(needle, pos)) != std::string::npos; ++pos) {
    if (pos != 0 && text[pos - 1] != '\n') continue;  // a longer name ending in `series`
    const size_t start = pos + needle.size();
    const size_t end = text.find('\n', start);
    const std::string value = text.substr(start, end == std::string::npos ? end : end - start);
    // strtod reads Prometheus' "+Inf", "-Inf" and "NaN" too.
    return std::strtod(value.c_str(), nullptr);
  }
  return std::nullopt;
}

inline std::string text_of(const MetricSet& set) {
  std::string text;
  serialize_text(set, text);
  return text;
}

}  // namespace fue::test
