#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/secret.h"

namespace fue::notehub {

// The metric groups the descriptor declares; scrapers ask for them by these names only.
inline constexpr const char* kDataGroup = "data";
inline constexpr const char* kEventsGroup = "events";
inline constexpr const char* kSessionsGroup = "sessions";
inline constexpr const char* kDevicesGroup = "devices";

// The Notehub keys of one [[notehub]] table.
struct Settings : VendorSettings {
  Secret token;                          // personal access token, sent as Authorization: Bearer
  std::vector<std::string> projects;     // project or product UIDs, scraped in turn
  std::string period = "month";          // usage bucket: day | week | month
  std::string aggregate = "device";      // usage grouping: device | fleet | project
  std::vector<std::string> device_uids;  // optional deviceUID filter (repeated on the wire)
  std::vector<std::string> fleet_uids;   // optional fleetUID filter (repeated on the wire)
  std::optional<int64_t> start_date;  // fixed startDate; absent: start of the current period (UTC)
  std::optional<int64_t> end_date;    // fixed endDate; absent: omitted, which the API reads as now
  bool skip_recent_data = false;      // events and sessions read only the summary tables
  std::optional<int64_t> limit;       // data points per usage call; absent: the API's 200000
  bool include_notefiles = false;     // per-notefile event counts (includeNotefiles=true)
  int device_page_size = 10000;       // pageSize of the device inventory

  void describe(std::vector<std::pair<std::string, std::string>>& out) const override;
  void secrets(std::vector<const Secret*>& out) const override { out.push_back(&token); }
};

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node);

}  // namespace fue::notehub
