#include "scrapers/koophone/koophone_parse.h"

#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"
#include "exporter/http/json_util.h"
#include "scrapers/koophone/koophone_errors.h"

namespace fue::koophone {

namespace {

using Json = nlohmann::json;

int status_code(const Json& row, std::string_view key) {
  try {
    return detail::status_or_unknown(json::opt_int(row, key));
  } catch (const SchemaError&) {
    return -1;
  }
}

std::string text(const Json& row, std::string_view key) {
  try {
    return detail::text_or_empty(json::opt_string(row, key));
  } catch (const SchemaError&) {
    return {};
  }
}

Phone parse_phone(const Json& row, int offset) {
  Phone p;
  for (const auto& [key, member] : detail::kTextFields) p.*member = text(row, key);
  for (const auto& [key, member] : detail::kStatusFields) p.*member = status_code(row, key);
  for (const auto& [key, member] : detail::kTimeFields)
    p.*member = detail::local_time(text(row, key), offset);
  return p;
}

// The value of a paging or error field: data.<key> first, else the top-level <key>.
const Json* shaped_field(const Json& body, const Json& data, const char* key, Page& page) {
  const Json* inner = json::find(data, key);
  const Json* outer = json::find(body, key);
  if (inner && outer && *inner != *outer) page.conflicts.push_back(key);
  return inner ? inner : outer;
}

std::optional<int64_t> shaped_int(const Json& body, const Json& data, const char* key, Page& page) {
  const Json* v = shaped_field(body, data, key, page);
  if (!v) return std::nullopt;
  Json holder = Json::object();
  holder[key] = *v;
  return json::opt_int(holder, key);
}

}  // namespace

namespace detail {

int status_or_unknown(std::optional<int64_t> code) {
  return code && *code >= 0 && *code < 1000 ? static_cast<int>(*code) : -1;
}

std::string text_or_empty(std::optional<std::string> text) {
  // The vendor's own example carries the literal "null" for an absent value.
  return text && *text != "null" ? std::move(*text) : std::string();
}

std::optional<double> local_time(const std::string& text, int utc_offset_seconds) {
  if (text.empty()) return std::nullopt;
  return timeutil::parse_local_datetime(text, utc_offset_seconds);
}

void read_paging(const Json& body, const Json& data, Page& page) {
  if (const Json* code = shaped_field(body, data, "error_code", page)) {
    std::string c = code->is_string() ? code->get<std::string>() : code->dump();
    if (c != "0") {
      const Json* msg = shaped_field(body, data, "error_msg", page);
      std::string m = msg && msg->is_string() ? msg->get<std::string>() : "";
      throw ScrapeError(reason::kVendorError, "KooPhone answered 200 with error " + c + " (" +
                                                  code_meaning(c) + ")" +
                                                  (m.empty() ? "" : ": " + m));
    }
  }
  page.total_count = shaped_int(body, data, "total_count", page);
  page.page_size = shaped_int(body, data, "page_size", page);
  page.page_no = shaped_int(body, data, "page_no", page);
}

}  // namespace detail

Page parse_page_dom(const Json& body, int utc_offset_seconds) {
  json::require_object(body, "batch-query response");
  Page page;
  const Json& data = json::object_or_empty(body, "data");
  detail::read_paging(body, data, page);
  const Json& rows = json::find(data, "result") ? json::array_or_empty(data, "result")
                                                : json::array_or_empty(body, "result");
  page.phones.reserve(rows.size());
  for (const Json& row : rows) {
    if (row.is_object()) page.phones.push_back(parse_phone(row, utc_offset_seconds));
  }
  return page;
}

}  // namespace fue::koophone
