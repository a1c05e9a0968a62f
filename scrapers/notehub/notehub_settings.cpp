#include "scrapers/notehub/notehub_settings.h"

#include <algorithm>

namespace fue::notehub {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// A list of UIDs without blanks or repeats (a repeat would double every usage sum).
std::vector<std::string> uid_list(config::ConfigNode& node, std::string_view key) {
  std::vector<std::string> out;
  for (auto& uid : node.string_list(key)) {
    if (uid.empty()) node.fail(key, "an empty UID is not allowed");
    if (std::find(out.begin(), out.end(), uid) == out.end()) out.push_back(std::move(uid));
  }
  return out;
}

std::optional<int64_t> optional_unix_seconds(config::ConfigNode& node, std::string_view key) {
  if (!node.has(key)) return std::nullopt;
  return node.int_or(key, 0, 0, 253402300799);  // up to 9999-12-31, the API takes integers >= 0
}

}  // namespace

void Settings::describe(std::vector<std::pair<std::string, std::string>>& out) const {
  out.emplace_back("token", token.redacted());
  out.emplace_back("projects", join(projects));
  out.emplace_back("period", period);
  out.emplace_back("aggregate", aggregate);
  out.emplace_back("device_uids", device_uids.empty() ? "(all)" : join(device_uids));
  out.emplace_back("fleet_uids", fleet_uids.empty() ? "(all)" : join(fleet_uids));
  out.emplace_back("start_date", start_date ? std::to_string(*start_date)
                                            : "(start of the current " + period + ", UTC)");
  out.emplace_back("end_date", end_date ? std::to_string(*end_date) : "(now)");
  out.emplace_back("skip_recent_data", skip_recent_data ? "true" : "false");
  out.emplace_back("limit", limit ? std::to_string(*limit) : "(API default 200000)");
  out.emplace_back("include_notefiles", include_notefiles ? "true" : "false");
  out.emplace_back("device_page_size", std::to_string(device_page_size));
}

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node) {
  auto s = std::make_shared<Settings>();
  s->token = node.secret("token", true);
  s->projects = uid_list(node, "projects");
  if (s->projects.empty()) node.fail("projects", "at least one project or product UID is required");
  s->period = node.enum_or("period", {"day", "week", "month"}, "month");
  s->aggregate = node.enum_or("aggregate", {"device", "fleet", "project"}, "device");
  s->device_uids = uid_list(node, "device_uids");
  s->fleet_uids = uid_list(node, "fleet_uids");
  s->start_date = optional_unix_seconds(node, "start_date");
  s->end_date = optional_unix_seconds(node, "end_date");
  if (s->end_date && *s->end_date == 0) s->end_date.reset();  // 0 means "now" to the API too
  if (s->start_date && s->end_date && *s->end_date <= *s->start_date)
    node.fail("end_date", "end_date must be after start_date");
  s->skip_recent_data = node.bool_or("skip_recent_data", false);
  if (node.has("limit")) s->limit = node.int_or("limit", 200000, 1, 400000);
  s->include_notefiles = node.bool_or("include_notefiles", false);
  s->device_page_size = static_cast<int>(node.int_or("device_page_size", 10000, 1, 10000));
  return s;
}

}  // namespace fue::notehub
