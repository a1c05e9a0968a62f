#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/deadline.h"
#include "exporter/core/secret.h"

namespace fue::losant {

// The metric groups the descriptor declares; scrapers ask for them by these names only.
inline constexpr const char* kInstanceGroup = "instance";
inline constexpr const char* kDeviceCountsGroup = "device_counts";
inline constexpr const char* kNotebookGroup = "notebook";
inline constexpr const char* kPayloadsGroup = "payloads";
inline constexpr const char* kHistoricalSummariesGroup = "historical_summaries";

// The Losant keys of one [[losant]] table; the common keys live in TargetConfig.
struct LosantSettings : VendorSettings {
  Secret token;                           // instance API token (or user token for discovery)
  std::vector<std::string> instance_ids;  // 24-hex ObjectIds
  bool discover_instances = false;        // GET /instances; needs a user-level token
  std::string losantdomain;               // optional `losantdomain` header
  Duration device_counts_window{7LL * 24 * 3600 * 1000};  // range asked of deviceCounts
  std::string payload_resolution = "day";                 // "day" or "hour"
  bool include_non_billable = false;
  bool payload_as_bytes = false;
  int historical_summaries_per_page = 100;
  std::string summary_resource_type;  // "" (all), "organization", "application", "whitelabel"
  std::string summary_sort_field = "resourceId";
  std::string summary_sort_direction = "asc";

  void describe(std::vector<std::pair<std::string, std::string>>& out) const override;
  void secrets(std::vector<const Secret*>& out) const override { out.push_back(&token); }
  // The wire value of payload_resolution: bucket size in milliseconds.
  std::string resolution_ms() const {
    return payload_resolution == "hour" ? "3600000" : "86400000";
  }
};

// True for a 24-hex-digit ObjectId (^[A-Fa-f0-9]{24}$).
bool is_object_id(std::string_view id);

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node);

}  // namespace fue::losant
