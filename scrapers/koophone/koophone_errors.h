#pragma once

#include <string>
#include <string_view>

namespace fue::koophone {

// What a documented error code means, e.g. "KOOPHONE.API.1004" -> "the service is not
// subscribed". Unknown codes get a generic text; the caller always shows the code as well.
std::string code_meaning(std::string_view code);

// One line for an error body: KooPhone {error_code, error_msg}, API gateway APIG.* bodies and
// Keystone-style IAM {"error": {code, title, message}} bodies; else the start of the raw body.
std::string decode_error(int status, const std::string& body);

}  // namespace fue::koophone
