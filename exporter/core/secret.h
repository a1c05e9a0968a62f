#pragma once

#include <string>
#include <string_view>

namespace fue {

// A credential. It cannot be streamed or formatted: the only way out is reveal(), used where the
// value goes on the wire. Everything that prints config shows redacted() instead.
class Secret {
 public:
  enum class Source { kNone, kInline, kFile, kEnv };

  Secret() = default;
  Secret(std::string value, Source source, std::string origin)
      : value_(std::move(value)), source_(source), origin_(std::move(origin)) {}

  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }
  Source source() const { return source_; }
  // Where it came from, e.g. "file /run/secrets/token" or "env LOSANT_TOKEN"; never the value.
  const std::string& origin() const { return origin_; }
  std::string redacted() const { return empty() ? "<unset>" : "<secret from " + origin_ + ">"; }

 private:
  std::string value_;
  Source source_ = Source::kNone;
  std::string origin_;
};

}  // namespace fue
