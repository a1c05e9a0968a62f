#pragma once

#include <string>
#include <string_view>

#include "exporter/http/http_client.h"

namespace fue::http {

// The parts of "scheme://[user:pass@]host[:port][/path]" that a connection and a request need.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  int port = 0;        // explicit or the scheme's default
  std::string path;    // "" or "/prefix" without a trailing slash
  std::string user;
  std::string password;

  // "scheme://host:port", the key of a connection pool and what httplib::Client accepts.
  std::string origin() const;
};

// Throws ScrapeError(reason::kBadUrl) naming the problem, never the credentials.
Url parse_url(std::string_view text);

// Percent-encodes everything outside RFC 3986's unreserved set.
std::string percent_encode(std::string_view text);
// The inverse for one query value: "%3D" -> "=", "+" -> " "; malformed escapes stay as they are.
std::string percent_decode(std::string_view text);
// "k=v&k=v2" in the given order, keys and values encoded.
std::string encode_query(const Query& query);
// The base path, the request path and the query as one request target, e.g. "/api/v1/x?a=1".
std::string request_target(const std::string& base_path, const std::string& path,
                           const Query& query);

}  // namespace fue::http
