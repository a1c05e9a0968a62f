#include "scrapers/koophone/koophone_errors.h"

#include <nlohmann/json.hpp>

#include "exporter/http/error_body.h"
#include "exporter/http/json_util.h"

namespace fue::koophone {

namespace {

struct KnownCode {
  std::string_view code;
  std::string_view meaning;
};

// From the API reference of ListInstances and the KooPhone error-code page.
constexpr KnownCode kCodes[] = {
    {"KOOPHONE.API.0000", "the tenant does not exist"},
    {"KOOPHONE.API.1000", "a request parameter is wrong"},
    {"KOOPHONE.API.1001", "insufficient instance permissions"},
    {"KOOPHONE.API.1002", "the instances are not in the same region"},
    {"KOOPHONE.API.1004", "the KooPhone service is not subscribed"},
    {"KOOPHONE.API.5002", "bad time format in the request"},
    {"KOOPHONE.API.5004", "the query end time is before the start time"},
    {"KOOPHONE.API.9999", "internal KooPhone service error"},
    {"KPAPI.2209", "no device can be assigned"},
    {"APIG.0301",
     "IAM authentication failed at the API gateway (token missing, invalid or expired)"},
    {"APIG.0308", "throttled by the API gateway"},
};

}  // namespace

std::string code_meaning(std::string_view code) {
  for (const auto& k : kCodes)
    if (k.code == code) return std::string(k.meaning);
  if (code.starts_with("APIG")) return "API gateway error";
  return "unrecognised KooPhone error code";
}

// The client prefixes "HTTP <status>": the reason here is the body's own words.
std::string decode_error(int /*status*/, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    std::string code = json::text_or_empty(j, "error_code");
    if (!code.empty())
      return code + " (" + code_meaning(code) +
             "): " + http::one_line(json::text_or_empty(j, "error_msg"));
    auto err = j.find("error");
    if (err != j.end() && err->is_object()) {  // Keystone-style IAM error
      std::string title = json::text_or_empty(*err, "title");
      if (title.empty()) title = json::text_or_empty(*err, "code");
      return title + ": " + http::one_line(json::text_or_empty(*err, "message"));
    }
  }
  if (body.empty()) return "(empty body)";
  return http::one_line(body);
}

}  // namespace fue::koophone
