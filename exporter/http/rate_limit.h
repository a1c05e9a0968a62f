#pragma once

#include <optional>
#include <string>

#include "exporter/http/http_client.h"

namespace fue::http {

// Retry-After as seconds from now: delta seconds or an HTTP-date. nullopt when absent or
// unreadable.
std::optional<double> parse_retry_after(const std::string& value, double now_unix);

// How long a 429 asks us to wait, from Retry-After or else the vendor's reset header.
std::optional<double> rate_limit_wait_seconds(const Response& res, const RateLimitHeaders& names,
                                              double now_unix);

// Copies the limit/remaining/reset figures the response carries into `state`.
void record_rate_limit(const Response& res, const RateLimitHeaders& names, double now_unix,
                       RateLimitState& state);

}  // namespace fue::http
