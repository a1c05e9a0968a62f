#pragma once

#include <httplib.h>

namespace sim {

// Serves a large 200 body gzip-compressed from a memo when the client accepts gzip. A vendor's
// front end compresses on its own machines; here the simulator shares the benchmark's two cores
// with the exporter, and zlib on every 2 MB page cost more CPU than the exporter's whole scrape.
// Runs after any fault has reshaped the body, so a truncated body is still sent truncated.
void serve_compressed_from_memo(const httplib::Request& req, httplib::Response& res);

}  // namespace sim
