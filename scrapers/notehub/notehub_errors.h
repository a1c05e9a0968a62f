#pragma once

#include <string>

namespace fue::notehub {

// Notehub's Error body {err, code, status[, request, debug]} as "401 Unauthorized: <err>".
// Also reads the RFC 6749 {error, error_description} shape of /oauth2/token, and falls back to the
// start of the body for anything else (a proxy's HTML page).
std::string decode_error(int status, const std::string& body);

}  // namespace fue::notehub
