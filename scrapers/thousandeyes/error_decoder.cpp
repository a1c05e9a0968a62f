#include "scrapers/thousandeyes/error_decoder.h"

#include <nlohmann/json.hpp>

#include "exporter/http/error_body.h"

namespace fue::thousandeyes {
namespace {

std::string text_of(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "title: detail", or whichever of the two is present.
std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty() || a == b) return a;
  return a + ": " + b;
}

}  // namespace

std::string decode_error(int status, const std::string& body) {
  const std::string prefix = std::to_string(status);
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) {
    std::string problem = join(text_of(doc, "title"), text_of(doc, "detail"));
    if (problem.empty()) problem = join(text_of(doc, "error"), text_of(doc, "error_description"));
    if (problem.empty()) problem = text_of(doc, "errorMessage");  // the v6 API's error body
    if (!problem.empty()) return prefix + " " + http::one_line(problem);
  }
  if (body.empty()) return prefix + " (empty body)";
  return prefix + " " + http::one_line(body);
}

}  // namespace fue::thousandeyes
