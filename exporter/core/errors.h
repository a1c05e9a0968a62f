#pragma once

#include <stdexcept>
#include <string>

#include "exporter/core/reasons.h"

namespace fue {

// A target-level failure. `reason` is a short stable token used as a metric label value
// (e.g. "timeout", "http_401", "bad_json", "rate_limited", "vendor_error"); what() is the human
// text.
class ScrapeError : public std::runtime_error {
 public:
  ScrapeError(std::string reason, const std::string& message)
      : std::runtime_error(message), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

// The vendor answered with a body whose shape we cannot use.
class SchemaError : public ScrapeError {
 public:
  explicit SchemaError(const std::string& message) : ScrapeError(reason::kBadResponse, message) {}
};

}  // namespace fue
