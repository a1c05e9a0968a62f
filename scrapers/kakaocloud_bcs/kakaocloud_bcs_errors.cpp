#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_errors.h"

#include <nlohmann/json.hpp>

#include "exporter/http/error_body.h"
#include "exporter/http/json_util.h"

namespace fue::kakaocloud_bcs {

namespace {

// "query.limit: value is not a valid integer; ..."
std::string validation_details(const nlohmann::json& detail) {
  std::string out;
  for (const auto& d : detail) {
    if (!d.is_object()) continue;
    std::string loc;
    if (auto it = d.find("loc"); it != d.end() && it->is_array())
      for (const auto& part : *it)
        loc +=
            (loc.empty() ? "" : ".") + (part.is_string() ? part.get<std::string>() : part.dump());
    out +=
        (out.empty() ? "" : "; ") + loc + (loc.empty() ? "" : ": ") + json::text_or_empty(d, "msg");
  }
  return out;
}

}  // namespace

// The client prefixes "HTTP <status>": the reason here is the body's own words.
std::string decode_error(int /*status*/, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto err = j.find("error"); err != j.end() && err->is_object()) {
      std::string code = json::text_or_empty(*err, "code");
      std::string title = json::text_or_empty(*err, "title");
      // Keystone's code is the HTTP status again; its title says more.
      std::string head = title.empty() ? code : title;
      return (head.empty() ? "" : head + ": ") +
             http::one_line(json::text_or_empty(*err, "message"));
    }
    if (auto detail = j.find("detail"); detail != j.end()) {
      if (detail->is_array())
        return "validation error: " + http::one_line(validation_details(*detail));
      if (detail->is_string()) return http::one_line(detail->get<std::string>());
    }
  }
  if (body.empty()) return "(empty body)";
  return http::one_line(body);
}

}  // namespace fue::kakaocloud_bcs
