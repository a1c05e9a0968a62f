#include "scrapers/thousandeyes/thousandeyes_parse.h"

#include "exporter/http/json_util.h"
#include "exporter/http/url.h"

namespace fue::thousandeyes {
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
      std::string cursor = http::percent_decode(pair.substr(7));
      if (cursor.empty()) return std::nullopt;
      return cursor;
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace fue::thousandeyes
