#include "scrapers/kakaocloud_bcs/bcs_errors.h"

#include <nlohmann/json.hpp>

namespace fue::kakaocloud_bcs {

namespace {

std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string clip(std::string s, size_t max = 300) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

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
    out += (out.empty() ? "" : "; ") + loc + (loc.empty() ? "" : ": ") + text(d, "msg");
  }
  return out;
}

}  // namespace

std::string decode_error(int status, const std::string& body) {
  const std::string prefix = std::to_string(status);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto err = j.find("error"); err != j.end() && err->is_object()) {
      std::string code = text(*err, "code");
      std::string title = text(*err, "title");
      // Keystone's code is the HTTP status again; its title says more.
      std::string head = title.empty() ? code : title;
      return prefix + (head.empty() ? "" : " " + head) + ": " + clip(text(*err, "message"));
    }
    if (auto detail = j.find("detail"); detail != j.end()) {
      if (detail->is_array())
        return prefix + " validation error: " + clip(validation_details(*detail));
      if (detail->is_string()) return prefix + ": " + clip(detail->get<std::string>());
    }
  }
  if (body.empty()) return prefix;
  return prefix + ": " + clip(body);
}

}  // namespace fue::kakaocloud_bcs
