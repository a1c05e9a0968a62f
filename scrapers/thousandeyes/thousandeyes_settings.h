#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/secret.h"

namespace fue::thousandeyes {

// The metric groups the descriptor declares; scrapers ask for them by these names only.
inline constexpr const char* kUsageGroup = "usage";
inline constexpr const char* kTestUnitsGroup = "test_units";
inline constexpr const char* kAgentUnitsGroup = "enterprise_agent_units";

// The documented values of the `expand` query parameter of GET /v7/usage (ExpandUsageOptions).
const std::vector<std::string>& known_expand_values();

// The ThousandEyes keys of one [[thousandeyes]] table.
struct Settings : VendorSettings {
  Secret token;  // OAuth bearer token (token / token_file / token_env)
  std::vector<std::string> account_group_ids;  // `aid`s scraped in turn; empty: the token's default
  std::vector<std::string> expand;             // sent comma-separated to GET /v7/usage
  std::optional<std::string> units_start;      // RFC 3339 startDate of the units endpoints
  std::optional<std::string> units_end;        // RFC 3339 endDate; absent means "now"
  int rate_limit_reserve = 40;                 // requests left for the organisation's other clients

  void describe(std::vector<std::pair<std::string, std::string>>& out) const override;
  void secrets(std::vector<const Secret*>& out) const override { out.push_back(&token); }
};

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node);

}  // namespace fue::thousandeyes
