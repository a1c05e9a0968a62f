#pragma once

#include <string>
#include <string_view>

namespace fue::http {

// At most `max_bytes` of `text` on one line: control characters become spaces, runs collapse.
std::string one_line(std::string_view text, size_t max_bytes = 200);

// A one-line reason from an error body: the message of the common JSON error shapes
// ({"error":{"code":..,"message":..,"title":..}}, {"error_code":..,"error_msg":..},
// {"message":..}, {"error":".."}), else the start of the body.
std::string describe_error_body(std::string_view body);

}  // namespace fue::http
