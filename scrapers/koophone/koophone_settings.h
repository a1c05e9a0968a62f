#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/secret.h"
#include "exporter/http/keystone.h"

namespace fue::koophone {

// The metric groups the descriptor declares; scrapers ask for them by these names only.
inline constexpr const char* kFleetGroup = "fleet";
inline constexpr const char* kBackupGroup = "backup";

inline constexpr const char* kDefaultIamUrl = "https://iam.cn-south-1.myhuaweicloud.com";
// The vendor does not document the maximum; its example answers 100 to a request for 200.
inline constexpr int kDefaultPageSize = 100;

// Huawei IAM: the password method, or a pre-issued IAM token (iam_url and token are shared keys).
const http::KeystoneMethod& keystone_method();

// The vendor keys of one [[koophone]] table.
struct Settings : VendorSettings, http::KeystoneSettings {
  // Password method: IAM user, its password and the account (domain) it belongs to.
  std::string username;
  Secret password;
  std::string domain;
  std::string project = "cn-south-1";  // the token's project scope

  std::string pool_scene_tag;  // CLOUD_APP or CLOUD_PHONE; empty for all
  std::vector<std::string> instance_ids;
  std::vector<std::string> instance_names;
  int page_size = kDefaultPageSize;
  int max_pages = 2000;  // runaway guard: total_count needing more pages fails the target
  std::string time_zone_offset = "+00:00";  // zone of backup_time / restore_time
  int utc_offset_seconds = 0;

  void describe(std::vector<std::pair<std::string, std::string>>& out) const override;
  void secrets(std::vector<const Secret*>& out) const override;
};

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node);

// The IAM password-method body, scoped to the configured project.
nlohmann::json iam_password_body(const Settings& s);

// "+08:00", "-0530", "+8", "UTC" or "Z" to seconds east of UTC; false when unreadable.
bool parse_utc_offset(const std::string& text, int& seconds);

}  // namespace fue::koophone
