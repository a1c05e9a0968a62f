#include "scrapers/thousandeyes/next_cursor.h"

#include "exporter/http/json_util.h"

namespace fue::thousandeyes {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(const std::string& text) {
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

std::optional<std::string> next_cursor(const nlohmann::json& page) {
  const auto& links = json::object_or_empty(page, "_links");
  const auto& next = json::object_or_empty(links, "next");
  const auto href = json::opt_string(next, "href");
  if (!href || href->empty()) return std::nullopt;
  const auto query_at = href->find('?');
  if (query_at == std::string::npos) return std::nullopt;
  const std::string query = href->substr(query_at + 1, href->find('#') - query_at - 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    if (pair.rfind("cursor=", 0) == 0) {
      std::string cursor = url_decode(pair.substr(7));
      if (cursor.empty()) return std::nullopt;
      return cursor;
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace fue::thousandeyes
