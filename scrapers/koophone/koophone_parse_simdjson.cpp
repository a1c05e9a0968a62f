// The batch-query page read with simdjson: the same fields and rules as parse_page_dom, without
// building the fields of each phone that the metrics never read.
#include "exporter/core/errors.h"
#include "exporter/http/json_simd.h"
#include "scrapers/koophone/koophone_parse.h"

namespace fue::koophone {

namespace {

namespace simd = json::simd;

// An unusable kind reads as absent or "unknown", so that one odd phone never blanks the fleet.
int status_code(const simd::Slot& slot, const char* key) {
  try {
    return detail::status_or_unknown(simd::opt_int(slot, key));
  } catch (const SchemaError&) {
    return -1;
  }
}

std::string text(const simd::Slot& slot, const char* key) {
  try {
    return detail::text_or_empty(simd::opt_string(slot, key));
  } catch (const SchemaError&) {
    return {};
  }
}

enum PhoneField {
  kId,
  kName,
  kRegion,
  kSku,
  kProjectId,
  kProjectName,
  kRunning,
  kFrozen,
  kLogin,
  kAssign,
  kBackup,
  kRestore,
  kBackupTime,
  kRestoreTime,
  kPhoneFields
};
constexpr std::array<std::string_view, kPhoneFields> kPhoneKeys = {
    "instance_id",   "instance_name",  "region",        "instance_sku", "project_id",
    "project_name",  "running_status", "frozen_status", "login_status", "assign_status",
    "backup_status", "restore_status", "backup_time",   "restore_time"};

Phone read_phone(simd::Object row, int offset) {
  const auto f = simd::pick(row, kPhoneKeys);
  Phone p;
  p.instance_id = text(f[kId], "instance_id");
  p.instance_name = text(f[kName], "instance_name");
  p.region = text(f[kRegion], "region");
  p.sku = text(f[kSku], "instance_sku");
  p.project_id = text(f[kProjectId], "project_id");
  p.project_name = text(f[kProjectName], "project_name");
  p.running_status = status_code(f[kRunning], "running_status");
  p.frozen_status = status_code(f[kFrozen], "frozen_status");
  p.login_status = status_code(f[kLogin], "login_status");
  p.assign_status = status_code(f[kAssign], "assign_status");
  p.backup_status = status_code(f[kBackup], "backup_status");
  p.restore_status = status_code(f[kRestore], "restore_status");
  p.backup_time = detail::local_time(text(f[kBackupTime], "backup_time"), offset);
  p.restore_time = detail::local_time(text(f[kRestoreTime], "restore_time"), offset);
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
