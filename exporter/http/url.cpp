#include "exporter/http/url.h"

#include <cctype>
#include <charconv>

#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"

namespace fue::http {
namespace {

[[noreturn]] void bad_url(const std::string& why) {
  throw ScrapeError(reason::kBadUrl, "invalid URL: " + why);
}

int default_port(const std::string& scheme) { return scheme == "https" ? 443 : 80; }

int parse_port(std::string_view text) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port <= 0 || port > 65535)
    bad_url("bad port '" + std::string(text) + "'");
  return port;
}

// Splits "user:pass@host:port" into its parts.
void parse_authority(std::string_view authority, Url& url) {
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto userinfo = authority.substr(0, at);
    auto colon = userinfo.find(':');
    url.user = std::string(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) url.password = std::string(userinfo.substr(colon + 1));
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal
    auto close = authority.find(']');
    if (close == std::string_view::npos) bad_url("unterminated IPv6 host");
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() == ':') port = rest.substr(1);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) bad_url("missing host");
  url.host = std::string(host);
  url.port = port.empty() ? default_port(url.scheme) : parse_port(port);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Url::origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Url parse_url(std::string_view text) {
  Url url;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) bad_url("missing scheme (expected http:// or https://)");
  for (char c : text.substr(0, sep)) url.scheme += static_cast<char>(std::tolower(c));
  if (url.scheme != "http" && url.scheme != "https")
    bad_url("unsupported scheme '" + url.scheme + "'");
  auto rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?#");
  parse_authority(rest.substr(0, slash), url);
  if (slash != std::string_view::npos) {
    auto path = rest.substr(slash);
    path = path.substr(0, path.find_first_of("?#"));
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    url.path = std::string(path);
  }
  return url;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "+" is a space as in form encoding, which is how the vendors' next links encode cursors.
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string encode_query(const Query& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    if (!out.empty()) out += '&';
    out += percent_encode(key) + "=" + percent_encode(value);
  }
  return out;
}

std::string request_target(const std::string& base_path, const std::string& path,
                           const Query& query) {
  std::string target = base_path;
  if (!path.empty() && path.front() != '/' && path.front() != '?') target += '/';
  target += path;
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  if (!query.empty())
    target += (target.find('?') == std::string::npos ? "?" : "&") + encode_query(query);
  return target;
}

}  // namespace fue::http
