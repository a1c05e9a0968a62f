#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace fue::json {

using Json = nlohmann::json;

// Parses a body; throws ScrapeError(reason::kBadJson) with the parser's position on failure.
Json parse(std::string_view body);

// Lenient field access, for vendors whose schemas mark almost nothing required. An absent key
// and JSON null both give nullopt. A value of the wrong kind throws SchemaError naming the key,
// except where the conversion is lossless (a numeric string for a number, a number for a string).
const Json* find(const Json& object, std::string_view key);
// Any value as text, for ids and error bodies: a string as it is, another kind as JSON; an absent
// key or null gives "". Never throws.
std::string text_or_empty(const Json& object, std::string_view key);
std::optional<std::string> opt_string(const Json& object, std::string_view key);
std::optional<int64_t> opt_int(const Json& object, std::string_view key);
std::optional<double> opt_number(const Json& object, std::string_view key);
std::optional<bool> opt_bool(const Json& object, std::string_view key);
// An absent or null array or object gives an empty one; another kind throws SchemaError.
const Json& array_or_empty(const Json& object, std::string_view key);
const Json& object_or_empty(const Json& object, std::string_view key);
// Throws SchemaError when `value` is not an object.
const Json& require_object(const Json& value, std::string_view what);

}  // namespace fue::json

namespace fue::timeutil {
// RFC 3339 / ISO 8601 ("2025-07-23T00:00:00Z", "...T05:00:00.000+09:00") to Unix seconds.
std::optional<double> parse_rfc3339(std::string_view text);
// "YYYY-MM-DD HH:MM:SS" in a zone `utc_offset_seconds` east of UTC, to Unix seconds.
std::optional<double> parse_local_datetime(std::string_view text, int utc_offset_seconds = 0);
// Unix seconds to "2026-01-02T03:04:05Z".
std::string format_rfc3339(double unix_seconds);
// Unix seconds of the start of the UTC day/month containing `unix_seconds`.
int64_t start_of_utc_day(int64_t unix_seconds);
int64_t start_of_utc_month(int64_t unix_seconds);
}  // namespace fue::timeutil
