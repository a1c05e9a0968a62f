// The batch-query page read with simdjson: the same fields and rules as parse_page_dom, without
// building the fields of each phone that the metrics never read.
#include "exporter/core/errors.h"
#include "exporter/http/json_simd.h"
#include "scrapers/koophone/koophone_parse.h"

namespace fue::koophone {

namespace {

namespace simd = json::simd;

// An unusable kind reads as absent or "unknown", so that one odd phone never blanks the fleet.
int status_code(const simd::Slot& slot, std::string_view key) {
  try {
    return detail::status_or_unknown(simd::opt_int(slot, key));
  } catch (const SchemaError&) {
    return -1;
  }
}

std::string text(const simd::Slot& slot, std::string_view key) {
  try {
    return detail::text_or_empty(simd::opt_string(slot, key));
  } catch (const SchemaError&) {
    return {};
  }
}

// The keys of detail's field tables, in their order: texts, statuses, times.
constexpr auto kPhoneKeys = [] {
  std::array<std::string_view, std::size(detail::kTextFields) + std::size(detail::kStatusFields) +
                                   std::size(detail::kTimeFields)>
      keys{};
  size_t i = 0;
  for (const auto& field : detail::kTextFields) keys[i++] = field.first;
  for (const auto& field : detail::kStatusFields) keys[i++] = field.first;
  for (const auto& field : detail::kTimeFields) keys[i++] = field.first;
  return keys;
}();

Phone read_phone(simd::Object row, int offset) {
  const auto f = simd::pick(row, kPhoneKeys);
  Phone p;
  size_t i = 0;
  for (const auto& [key, member] : detail::kTextFields) p.*member = text(f[i++], key);
  for (const auto& [key, member] : detail::kStatusFields) p.*member = status_code(f[i++], key);
  for (const auto& [key, member] : detail::kTimeFields)
    p.*member = detail::local_time(text(f[i++], key), offset);
  return p;
}

// The paging and error fields, at the top level and in "data"; "result" is read separately.
enum PageField { kErrorCode, kErrorMsg, kTotal, kPageSize, kPageNo, kResult, kData, kPageFields };
constexpr std::array<std::string_view, kPageFields> kPageKeys = {
    "error_code", "error_msg", "total_count", "page_size", "page_no", "result", "data"};

// The small fields as nlohmann JSON, so that detail::read_paging decides them for both readers.
nlohmann::json paging_fields(const std::array<simd::Slot, kPageFields>& f) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = kErrorCode; i <= kPageNo; ++i)
    if (f[i]) out[std::string(kPageKeys[i])] = simd::to_json(*f[i]);
  return out;
}

Page read_page(simd::Element root, int offset) {
  const auto top = simd::pick(simd::require_object(root, "batch-query response"), kPageKeys);
  const auto data_object = simd::opt_object(top[kData], "data");
  std::array<simd::Slot, kPageFields> data{};
  if (data_object) data = simd::pick(*data_object, kPageKeys);
  Page page;
  detail::read_paging(paging_fields(top), paging_fields(data), page);
  const bool data_has_rows = data[kResult] && !data[kResult]->is_null();
  if (auto rows = simd::opt_array(data_has_rows ? data[kResult] : top[kResult], "result")) {
    page.phones.reserve(rows->size());
    for (simd::Element row : *rows)
      if (row.is_object()) page.phones.push_back(read_phone(simd::Object(row), offset));
  }
  return page;
}

}  // namespace

Page parse_page(const std::string& body, int utc_offset_seconds) {
  return simd::read_page(
      body, [&](simd::Element root) { return read_page(root, utc_offset_seconds); },
      [&](const nlohmann::json& dom) { return parse_page_dom(dom, utc_offset_seconds); });
}

}  // namespace fue::koophone
