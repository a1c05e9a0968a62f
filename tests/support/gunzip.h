#pragma once

#include <string>

namespace fue::test {

// Inflates one gzip member with zlib, which checks the CRC-32 and the size; a test fails on any
// byte after the member (a second member would be one: curl stops after the first).
std::string gunzip_one_member(const std::string& gz);

}  // namespace fue::test
