#include "scrapers/notehub/notehub_parse.h"

#include <optional>
#include <string>

#include "exporter/core/errors.h"
#include "exporter/http/json_util.h"

namespace fue::notehub {
namespace {

using Json = nlohmann::json;

// Bucket start as Unix seconds; `period` is the one field every bucket must carry.
double bucket_start(const Json& bucket, const char* endpoint) {
  json::require_object(bucket, endpoint);
  const auto text = json::opt_string(bucket, "period");
  if (!text) throw SchemaError(std::string(endpoint) + ": a bucket has no \"period\"");
  const auto at = timeutil::parse_rfc3339(*text);
  if (!at)
    throw SchemaError(std::string(endpoint) + ": bucket period \"" + *text + "\" is not a time");
  return *at;
}

std::optional<double> number(const Json& object, std::string_view key) {
  auto v = json::opt_number(object, key);
  return v;
}

// The scopes an item counts in besides the project: its device or its fleet, if it names one.
ScopeUsage* item_scope(const Json& item, ProjectUsage& out) {
  if (auto device = json::opt_string(item, "device"); device && !device->empty())
    return &out.devices[*device];
  if (auto fleet = json::opt_string(item, "fleet"); fleet && !fleet->empty())
    return &out.fleets[*fleet];
  return nullptr;
}

void note_truncated(const Json& body, const char* endpoint, ProjectUsage& out) {
  out.truncated[endpoint] = json::opt_bool(body, "truncated").value_or(false);
}

void add_data_bucket(const Json& b, DataSums& s) {
  s.total_bytes.add(number(b, "total_bytes").value_or(0));
  // Before 2026-02-05 the directions were named bytes_sent (uplink) and bytes_received (downlink).
  auto up = number(b, "uplink_bytes");
  s.uplink_bytes.add(up ? up : number(b, "bytes_sent"));
  auto down = number(b, "downlink_bytes");
  s.downlink_bytes.add(down ? down : number(b, "bytes_received"));
  s.billable_bytes.add(number(b, "billable_bytes_total"));
  s.uplink_packets.add(number(b, "uplink_packets"));
  s.downlink_packets.add(number(b, "downlink_packets"));
}

void add_events_item(const Json& item, EventSums& s) {
  s.total.add(number(item, "total_events").value_or(0));
  s.platform.add(number(item, "platform_events").value_or(0));
  s.watchdog.add(number(item, "watchdog_events").value_or(0));
  s.billable.add(number(item, "billable_events"));
  s.reboots.add(number(item, "total_reboots"));        // nullable
  s.fw_updates.add(number(item, "total_fw_updates"));  // nullable
  s.devices.add(number(item, "total_devices").value_or(0));
  for (const auto& [notefile, count] : json::object_or_empty(item, "notefiles").items())
    if (count.is_number()) s.notefiles[notefile] += count.get<double>();
}

void add_sessions_item(const Json& item, SessionSums& s) {
  s.sessions.add(number(item, "sessions").value_or(0));
  s.first_sync.add(number(item, "first_sync_sessions").value_or(0));
  s.tls.add(number(item, "tls_sessions"));  // nullable
  s.bytes.add(number(item, "total_bytes").value_or(0));
  s.devices.add(number(item, "total_devices").value_or(0));
  for (const auto& [transport, count] :
       json::object_or_empty(item, "sessions_by_transport").items())
    if (count.is_number()) s.by_transport[transport] += count.get<double>();
}

// The latest bucket start over every item of a flat list (events, sessions).
std::optional<double> latest_of(const Json& items, const char* endpoint) {
  std::optional<double> latest;
  for (const auto& item : items) {
    const double at = bucket_start(item, endpoint);
    if (!latest || at > *latest) latest = at;
  }
  return latest;
}

}  // namespace

void fold_data_usage(const Json& body, ProjectUsage& out) {
  json::require_object(body, "usage/data");
  note_truncated(body, "data", out);
  const Json& series = json::array_or_empty(body, "data");
  // Known transports appear at zero so that an idle project still shows its counters.
  for (const char* known : {"cellular", "satellite"}) out.project.data[known];
  std::optional<double> latest;
  for (const auto& s : series) {
    json::require_object(s, "usage/data series");
    for (const auto& bucket : json::array_or_empty(s, "data")) {
      const double at = bucket_start(bucket, "usage/data");
      if (!latest || at > *latest) latest = at;
    }
  }
  for (const auto& s : series) {
    // An unknown or missing connectivity type is kept as its own transport, never dropped.
    std::string transport = json::opt_string(s, "type").value_or("unknown");
    if (transport.empty()) transport = "unknown";
    ScopeUsage* scope = item_scope(s, out);
    DataSums& project = out.project.data[transport];
    DataSums* own = scope ? &scope->data[transport] : nullptr;
    bool current = false;
    for (const auto& bucket : json::array_or_empty(s, "data")) {
      if (bucket_start(bucket, "usage/data") != *latest) continue;
      current = true;
      add_data_bucket(bucket, project);
      if (own) add_data_bucket(bucket, *own);
    }
    if (!current) continue;
    const auto count = number(s, "device_count");
    project.devices.add(count);
    if (own) own->devices.add(count);
  }
}

void fold_events_usage(const Json& body, ProjectUsage& out) {
  json::require_object(body, "usage/events");
  note_truncated(body, "events", out);
  const Json& items = json::array_or_empty(body, "data");
  const auto latest = latest_of(items, "usage/events");
  EventSums& project = out.project.events.emplace();
  for (const auto& item : items) {
    ScopeUsage* scope = item_scope(item, out);
    if (scope && !scope->events) scope->events.emplace();  // an older bucket only: zero this period
    if (bucket_start(item, "usage/events") != *latest) continue;
    add_events_item(item, project);
    if (scope) add_events_item(item, *scope->events);
  }
}

void fold_sessions_usage(const Json& body, ProjectUsage& out) {
  json::require_object(body, "usage/sessions");
  note_truncated(body, "sessions", out);
  // The documented top-level key is `sessions`; `data` is accepted in case the shapes align later.
  const Json& items = json::find(body, "sessions") ? json::array_or_empty(body, "sessions")
                                                   : json::array_or_empty(body, "data");
  const auto latest = latest_of(items, "usage/sessions");
  SessionSums& project = out.project.sessions.emplace();
  for (const auto& item : items) {
    ScopeUsage* scope = item_scope(item, out);
    if (scope && !scope->sessions) scope->sessions.emplace();
    if (bucket_start(item, "usage/sessions") != *latest) continue;
    add_sessions_item(item, project);
    if (scope) add_sessions_item(item, *scope->sessions);
  }
}

}  // namespace fue::notehub
