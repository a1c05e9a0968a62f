#include "scrapers/losant/losant_errors.h"

#include <nlohmann/json.hpp>

#include "exporter/http/error_body.h"

namespace fue::losant {

std::string decode_error(int /*status*/, const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    auto type = parsed.find("type");
    auto message = parsed.find("message");
    std::string t = type != parsed.end() && type->is_string() ? type->get<std::string>() : "";
    std::string m =
        message != parsed.end() && message->is_string() ? message->get<std::string>() : "";
    if (!t.empty() && !m.empty()) return t + ": " + m;
    if (!m.empty()) return m;
    if (!t.empty()) return t;
  }
  return http::describe_error_body(body);
}

}  // namespace fue::losant
