#include "scrapers/notehub/notehub_errors.h"

#include <nlohmann/json.hpp>

#include "exporter/http/error_body.h"
#include "exporter/http/json_util.h"

namespace fue::notehub {

// The client prefixes "HTTP <status>": the reason here is the body's own words.
std::string decode_error(int /*status*/, const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) {
    const std::string err = json::text_or_empty(doc, "err");
    if (!err.empty()) {
      // The spelling of `status` is unconfirmed ("Unauthorized", "unauthorized"): shown as sent.
      const std::string word = json::text_or_empty(doc, "status");
      return (word.empty() ? "" : http::one_line(word, 40) + ": ") + http::one_line(err);
    }
    const std::string oauth = json::text_or_empty(doc, "error");
    if (!oauth.empty()) {
      const std::string detail = json::text_or_empty(doc, "error_description");
      return http::one_line(detail.empty() ? oauth : oauth + ": " + detail);
    }
  }
  if (body.empty()) return "(empty body)";
  return http::one_line(body);
}

}  // namespace fue::notehub
