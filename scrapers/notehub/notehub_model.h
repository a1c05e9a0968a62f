#pragma once

#include <map>
#include <optional>
#include <string>

namespace fue::notehub {

// A sum over the buckets of the current period; stays empty while no bucket carried the field,
// so that an optional or null field gives no series rather than a made-up zero.
struct Sum {
  std::optional<double> value;
  void add(std::optional<double> v) {
    if (v) value = value.value_or(0) + *v;
  }
  void add(double v) { value = value.value_or(0) + v; }
};

// usage/data figures of one connectivity type (the series' `type`).
struct DataSums {
  Sum total_bytes, uplink_bytes, downlink_bytes, billable_bytes, uplink_packets, downlink_packets;
  Sum devices;  // the series' device_count
};

struct EventSums {
  Sum total, platform, watchdog, billable, reboots, fw_updates, devices;
  std::map<std::string, double> notefiles;  // only with includeNotefiles=true
};

struct SessionSums {
  Sum sessions, first_sync, tls, bytes, devices;
  std::map<std::string, double> by_transport;  // sessions_by_transport
};

// The current-period usage of one scope: the whole project, one fleet or one device.
struct ScopeUsage {
  std::map<std::string, DataSums> data;  // by transport
  std::optional<EventSums> events;
  std::optional<SessionSums> sessions;
};

// Everything one project's usage calls returned, folded to the current period.
struct ProjectUsage {
  ScopeUsage project;
  std::map<std::string, ScopeUsage> fleets;   // with aggregate=fleet
  std::map<std::string, ScopeUsage> devices;  // with aggregate=device
  std::map<std::string, bool> truncated;      // by endpoint: data, events, sessions
};

}  // namespace fue::notehub
