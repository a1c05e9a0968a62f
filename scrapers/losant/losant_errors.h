#pragma once

#include <string>

namespace fue::losant {

// Losant's error body {"type":"NotFound","message":"Instance was not found"} as
// "NotFound: Instance was not found"; other bodies fall back to the shared description.
std::string decode_error(int status, const std::string& body);

}  // namespace fue::losant
