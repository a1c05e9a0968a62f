#include "exporter/http/error_body.h"

#include <nlohmann/json.hpp>

#include "exporter/http/json_util.h"

namespace fue::http {
namespace {

// "<code> <title>: <message>" from whichever of the parts are present.
std::string join_parts(const std::string& code, const std::string& title,
                       const std::string& message) {
  std::string head = code;
  if (!title.empty()) head += (head.empty() ? "" : " ") + title;
  if (message.empty()) return head;
  return head.empty() ? message : head + ": " + message;
}

std::string describe_json_error(const nlohmann::json& body) {
  if (!body.is_object()) return "";
  if (auto it = body.find("error"); it != body.end()) {
    if (it->is_string()) return join_parts("", "", it->get<std::string>());
    if (it->is_object())
      return join_parts(json::text_or_empty(*it, "code"), json::text_or_empty(*it, "title"),
                        json::text_or_empty(*it, "message"));
  }
  if (body.contains("error_code") || body.contains("error_msg"))
    return join_parts(json::text_or_empty(body, "error_code"), "",
                      json::text_or_empty(body, "error_msg"));
  return join_parts("", "", json::text_or_empty(body, "message"));
}

}  // namespace

std::string one_line(std::string_view text, size_t max_bytes) {
  std::string out;
  for (unsigned char c : text.substr(0, max_bytes)) {
    const bool space = c < 0x20 || c == 0x7f || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : static_cast<char>(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string describe_error_body(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) {
    if (auto reason = one_line(describe_json_error(parsed)); !reason.empty()) return reason;
  }
  auto snippet = one_line(body);
  return snippet.empty() ? "(empty body)" : snippet;
}

}  // namespace fue::http
