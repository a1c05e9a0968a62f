#include "scrapers/thousandeyes/thousandeyes_errors.h"

#include <nlohmann/json.hpp>

#include "exporter/http/error_body.h"
#include "exporter/http/json_util.h"

namespace fue::thousandeyes {
namespace {

// "title: detail", or whichever of the two is present.
std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty() || a == b) return a;
  return a + ": " + b;
}

}  // namespace

// The client prefixes "HTTP <status>": the reason here is the body's own words.
std::string decode_error(int /*status*/, const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) {
    std::string problem =
        join(json::text_or_empty(doc, "title"), json::text_or_empty(doc, "detail"));
    if (problem.empty())
      problem =
          join(json::text_or_empty(doc, "error"), json::text_or_empty(doc, "error_description"));
    if (problem.empty()) problem = json::text_or_empty(doc, "errorMessage");  // the v6 API's
    if (!problem.empty()) return http::one_line(problem);
  }
  if (body.empty()) return "(empty body)";
  return http::one_line(body);
}

}  // namespace fue::thousandeyes
