#pragma once

#include <string>

namespace fue::kakaocloud_bcs {

// One line for an error body: BCS ErrorResponseModel {"error": {code, message}}, Keystone IAM
// {"error": {code, title, message}} and FastAPI 422 {"detail": [{loc, msg, type}]}; else the
// start of the raw body.
std::string decode_error(int status, const std::string& body);

}  // namespace fue::kakaocloud_bcs
