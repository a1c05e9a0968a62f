#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

namespace sim {

// Serves a large 200 body gzip-compressed from a memo when the client accepts gzip. A vendor's
// front end compresses on its own machines; here the simulator shares the benchmark's two cores
// with the exporter, and zlib on every 2 MB page cost more CPU than the exporter's whole scrape.
// Runs after any fault has reshaped the body, so a truncated body is still sent truncated.
void serve_compressed_from_memo(const httplib::Request& req, httplib::Response& res);

// `in` compressed by zlib at its default level, as cpp-httplib and most servers send it: with
// the gzip wrapper, or the zlib one (Content-Encoding: deflate).
std::string zlib_compress(std::string_view in, bool gzip_wrapper = true);

}  // namespace sim
