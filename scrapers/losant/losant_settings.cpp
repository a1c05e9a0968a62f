#include "scrapers/losant/losant_settings.h"

#include <cctype>
#include <set>

namespace fue::losant {

bool is_object_id(std::string_view id) {
  if (id.size() != 24) return false;
  for (char c : id) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void LosantSettings::describe(std::vector<std::pair<std::string, std::string>>& out) const {
  std::string ids;
  for (const auto& id : instance_ids) ids += (ids.empty() ? "" : ",") + id;
  out.emplace_back("token", token.redacted());
  out.emplace_back("instance_ids", ids.empty() ? "<none>" : ids);
  out.emplace_back("discover_instances", discover_instances ? "true" : "false");
  out.emplace_back("losantdomain", losantdomain.empty() ? "<unset>" : losantdomain);
  out.emplace_back("device_counts_window", config::format_duration(device_counts_window));
  out.emplace_back("payload_resolution", payload_resolution);
  out.emplace_back("include_non_billable", include_non_billable ? "true" : "false");
  out.emplace_back("payload_as_bytes", payload_as_bytes ? "true" : "false");
  out.emplace_back("historical_summaries_per_page", std::to_string(historical_summaries_per_page));
  out.emplace_back("summary_resource_type",
                   summary_resource_type.empty() ? "<all>" : summary_resource_type);
  out.emplace_back("summary_sort", summary_sort_field + " " + summary_sort_direction);
}

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node) {
  auto s = std::make_shared<LosantSettings>();
  s->token = node.secret("token", true);

  std::set<std::string> seen;
  for (auto& id : node.string_list("instance_ids")) {
    if (!is_object_id(id)) {
      node.fail("instance_ids", "\"" + id +
                                    "\" is not a Losant instance id (24 hexadecimal digits, e.g. "
                                    "575ec8687ae143cd83dc4a97)");
    }
    // Losant ids are case-insensitive hex; one spelling keeps labels from splitting.
    for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!seen.insert(id).second) node.fail("instance_ids", "\"" + id + "\" is listed twice");
    s->instance_ids.push_back(id);
  }
  s->discover_instances = node.bool_or("discover_instances", false);
  if (s->instance_ids.empty() && !s->discover_instances) {
    node.fail("instance_ids",
              "set instance_ids, or discover_instances = true with a user-level token (an instance "
              "API token cannot list instances)");
  }

  s->losantdomain = node.string_or("losantdomain", "");
  s->device_counts_window = node.duration_or("device_counts_window", s->device_counts_window);
  if (s->device_counts_window < Duration(3600 * 1000) ||
      s->device_counts_window > Duration(366LL * 24 * 3600 * 1000)) {
    node.fail("device_counts_window", "must be between 1h and 8784h (366 days)");
  }
  s->payload_resolution = node.enum_or("payload_resolution", {"day", "hour"}, "day");
  s->include_non_billable = node.bool_or("include_non_billable", false);
  s->payload_as_bytes = node.bool_or("payload_as_bytes", false);
  s->historical_summaries_per_page =
      static_cast<int>(node.int_or("historical_summaries_per_page", 100, 1, 1000));
  s->summary_resource_type =
      node.enum_or("summary_resource_type", {"", "organization", "application", "whitelabel"}, "");
  s->summary_sort_field =
      node.enum_or("summary_sort_field", {"resourceId", "currentPeriodStart"}, "resourceId");
  s->summary_sort_direction = node.enum_or("summary_sort_direction", {"asc", "desc"}, "asc");
  return s;
}

}  // namespace fue::losant
