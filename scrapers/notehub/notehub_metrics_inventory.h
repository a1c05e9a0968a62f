#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "exporter/metrics/metric_set.h"

namespace fue::notehub {

// Device counts of a project built from /devices and /fleets: Notehub has no count endpoint, so
// the exporter pages through the devices (pageSize up to 10000) and counts them itself.
class Inventory {
 public:
  explicit Inventory(int64_t now) : now_(now) {}
  // One entry of {fleets: [Fleet]}: makes the fleet show up even with no devices.
  void add_fleet(const nlohmann::json& fleet);
  // One entry of {devices: [Device]}.
  void add_device(const nlohmann::json& device);
  void emit(const std::string& project, MetricSet& out) const;

 private:
  struct Counts {
    double enabled = 0, disabled = 0, never_seen = 0;
    double seen[4] = {0, 0, 0, 0};  // per kWindows
  };
  void count(const nlohmann::json& device, Counts& c) const;

  int64_t now_;
  Counts project_;
  double fleets_listed_ = 0;
  std::map<std::string, Counts> fleets_;
  std::map<std::string, std::string> fleet_labels_;
};

}  // namespace fue::notehub
