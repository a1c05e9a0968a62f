#pragma once

#include <string>

namespace fue::thousandeyes {

// One line from a ThousandEyes error body: RFC 7807 problem+json ("403 Insufficient permissions:
// detail"), the OAuth-style 401 {error, error_description}, or the raw body (gateway pages).
std::string decode_error(int status, const std::string& body);

}  // namespace fue::thousandeyes
