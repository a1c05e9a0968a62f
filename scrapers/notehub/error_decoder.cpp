#include "scrapers/notehub/error_decoder.h"

#include <nlohmann/json.hpp>

#include "exporter/http/error_body.h"

namespace fue::notehub {
namespace {

std::string text_of(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string decode_error(int status, const std::string& body) {
  std::string out = std::to_string(status);
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) {
    const std::string err = text_of(doc, "err");
    if (!err.empty()) {
      // The spelling of `status` is unconfirmed ("Unauthorized", "unauthorized"): shown as sent.
      const std::string word = text_of(doc, "status");
      if (!word.empty()) out += " " + http::one_line(word, 40);
      return out + ": " + http::one_line(err);
    }
    const std::string oauth = text_of(doc, "error");
    if (!oauth.empty()) {
      const std::string detail = text_of(doc, "error_description");
      return out + " " + http::one_line(detail.empty() ? oauth : oauth + ": " + detail);
    }
  }
  if (body.empty()) return out + " (empty body)";
  return out + " " + http::one_line(body);
}

}  // namespace fue::notehub
