#include "scrapers/notehub/notehub_metrics_inventory.h"

#include "exporter/http/json_util.h"

namespace fue::notehub {
namespace {

struct Window {
  const char* name;
  int64_t seconds;
};
constexpr Window kWindows[4] = {
    {"1h", 3600}, {"24h", 86400}, {"7d", 7 * 86400}, {"30d", 30 * 86400}};

}  // namespace

void Inventory::add_fleet(const nlohmann::json& fleet) {
  json::require_object(fleet, "fleet");
  const auto uid = json::opt_string(fleet, "uid");
  if (!uid || uid->empty()) return;
  ++fleets_listed_;
  fleets_[*uid];
  fleet_labels_[*uid] = json::opt_string(fleet, "label").value_or("");
}

void Inventory::count(const nlohmann::json& device, Counts& c) const {
  (json::opt_bool(device, "disabled").value_or(false) ? c.disabled : c.enabled) += 1;
  const auto last = json::opt_string(device, "last_activity");  // nullable: never seen
  const auto at = last ? timeutil::parse_rfc3339(*last) : std::nullopt;
  if (!at) {
    c.never_seen += 1;
    return;
  }
  for (int i = 0; i < 4; ++i)
    if (now_ - *at <= kWindows[i].seconds) c.seen[i] += 1;
}

void Inventory::add_device(const nlohmann::json& device) {
  json::require_object(device, "device");
  count(device, project_);
  for (const auto& fleet : json::array_or_empty(device, "fleet_uids"))
    if (fleet.is_string()) count(device, fleets_[fleet.get<std::string>()]);
}

void Inventory::emit(const std::string& p, MetricSet& out) const {
  auto& devices = out.gauge("notehub_devices",
                            "Devices provisioned in the project by state (disabled flag), counted "
                            "from /devices.",
                            {"project", "state"});
  devices.add({p, "enabled"}, project_.enabled);
  devices.add({p, "disabled"}, project_.disabled);
  auto& seen = out.gauge("notehub_devices_seen",
                         "Devices whose last_activity lies within the window before the scrape.",
                         {"project", "window"});
  for (int i = 0; i < 4; ++i) seen.add({p, kWindows[i].name}, project_.seen[i]);
  out.gauge("notehub_devices_never_seen", "Devices with no last_activity yet.", {"project"})
      .add({p}, project_.never_seen);
  out.gauge("notehub_fleets", "Fleets of the project (/fleets).", {"project"})
      .add({p}, fleets_listed_);
  auto& info =
      out.gauge("notehub_fleet_info", "Fleet label; value 1.", {"project", "fleet", "label"});
  auto& fleet_devices =
      out.gauge("notehub_fleet_devices",
                "Devices in the fleet by state (a device in several fleets counts in each).",
                {"project", "fleet", "state"});
  auto& fleet_seen = out.gauge("notehub_fleet_devices_seen",
                               "Devices of the fleet whose last_activity lies within the window.",
                               {"project", "fleet", "window"});
  for (const auto& [fleet, c] : fleets_) {
    if (auto it = fleet_labels_.find(fleet); it != fleet_labels_.end())
      info.add({p, fleet, it->second}, 1);
    fleet_devices.add({p, fleet, "enabled"}, c.enabled);
    fleet_devices.add({p, fleet, "disabled"}, c.disabled);
    for (int i = 0; i < 4; ++i) fleet_seen.add({p, fleet, kWindows[i].name}, c.seen[i]);
  }
}

}  // namespace fue::notehub
