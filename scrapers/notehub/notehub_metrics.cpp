#include "scrapers/notehub/notehub_metrics.h"

#include <vector>

namespace fue::notehub {
namespace {

// Every usage HELP says the counter is not a lifetime total (docs/metrics.md says how it resets).
constexpr const char* kPeriod = ", usage period to date.";

std::string help(const std::string& what) { return what + kPeriod; }

MetricFamily& usage_devices(MetricSet& out) {
  return out.gauge("notehub_usage_devices",
                   "Devices with activity this usage period, per usage endpoint.",
                   {"project", "endpoint"});
}

void put(MetricFamily& f, std::initializer_list<std::string_view> labels, const Sum& s) {
  if (s.value) f.add(labels, *s.value);
}

// The usage/data counters by transport, in exposition order. Totals are 0 when absent (the
// series exists for every transport listed); the other figures only when the vendor sent them.
struct DataCounter {
  const char* name;
  const char* what;
  Sum DataSums::*field;
  bool zero_when_absent;
};
constexpr DataCounter kDataCounters[] = {
    {"notehub_data_bytes_total", "Bytes moved by the project's devices, by transport",
     &DataSums::total_bytes, true},
    {"notehub_data_uplink_bytes_total", "Bytes sent from devices to Notehub (uplink_bytes)",
     &DataSums::uplink_bytes, false},
    {"notehub_data_downlink_bytes_total", "Bytes sent from Notehub to devices (downlink_bytes)",
     &DataSums::downlink_bytes, false},
    {"notehub_data_billable_bytes_total", "Billable bytes of packet transports",
     &DataSums::billable_bytes, false},
    {"notehub_data_uplink_packets_total", "Uplink packets of packet transports",
     &DataSums::uplink_packets, false},
    {"notehub_data_downlink_packets_total", "Downlink packets of packet transports",
     &DataSums::downlink_packets, false},
};

void emit_project(const std::string& p, const ScopeUsage& u, MetricSet& out) {
  for (const auto& [transport, d] : u.data) {
    const std::initializer_list<std::string_view> l = {p, transport};
    const std::vector<std::string> names = {"project", "transport"};
    for (const auto& c : kDataCounters) {
      auto& family = out.counter(c.name, help(c.what), names);
      const Sum& sum = d.*c.field;
      if (c.zero_when_absent)
        family.add(l, sum.value.value_or(0));
      else
        put(family, l, sum);
    }
    out.gauge("notehub_data_devices",
              "Devices with data usage this usage period, by transport (device_count).", names)
        .add(l, d.devices.value.value_or(0));
  }
  if (const auto& e = u.events) {
    const std::initializer_list<std::string_view> l = {p};
    const std::vector<std::string> names = {"project"};
    out.counter("notehub_events_total", help("Events routed to Notehub, platform events included"),
                names)
        .add(l, e->total.value.value_or(0));
    put(out.counter("notehub_billable_events_total",
                    help("Billable events (all but platform events)"), names),
        l, e->billable);
    out.counter("notehub_platform_events_total",
                help("Unbilled platform events (_log, _session, _health, _geolocate)"), names)
        .add(l, e->platform.value.value_or(0));
    out.counter("notehub_watchdog_events_total",
                help("Billed events Notehub made for lapsed device watchdogs"), names)
        .add(l, e->watchdog.value.value_or(0));
    put(out.counter("notehub_reboots_total", help("Device reboots (from _health.qo)"), names), l,
        e->reboots);
    put(out.counter("notehub_firmware_updates_total", help("Firmware updates (from _health.qo)"),
                    names),
        l, e->fw_updates);
    if (!e->notefiles.empty()) {
      auto& notefiles = out.counter("notehub_notefile_events_total", help("Events per notefile"),
                                    {"project", "notefile"});
      for (const auto& [notefile, n] : e->notefiles) notefiles.add({p, notefile}, n);
    }
    usage_devices(out).add({p, "events"}, e->devices.value.value_or(0));
  }
  if (const auto& s = u.sessions) {
    const std::initializer_list<std::string_view> l = {p};
    const std::vector<std::string> names = {"project"};
    out.counter("notehub_sessions_total", help("Device sessions with Notehub"), names)
        .add(l, s->sessions.value.value_or(0));
    out.counter("notehub_first_sync_sessions_total",
                help("Sessions that were a device's first sync"), names)
        .add(l, s->first_sync.value.value_or(0));
    put(out.counter("notehub_tls_sessions_total", help("Sessions that used TLS"), names), l,
        s->tls);
    out.counter("notehub_session_bytes_total", help("Bytes moved over the sessions"), names)
        .add(l, s->bytes.value.value_or(0));
    if (!s->by_transport.empty()) {
      auto& by_transport =
          out.counter("notehub_transport_sessions_total",
                      help("Sessions by transport prefix (cell, wifi, ntn, lorawan, ...)"),
                      {"project", "transport"});
      for (const auto& [transport, n] : s->by_transport) by_transport.add({p, transport}, n);
    }
    usage_devices(out).add({p, "sessions"}, s->devices.value.value_or(0));
  }
}

// The few headline series of one fleet or device; `kind` is "fleet" or "device".
void emit_scope(const std::string& kind, const std::string& p, const std::string& id,
                const ScopeUsage& u, MetricSet& out) {
  const std::string prefix = "notehub_" + kind + "_";
  const std::vector<std::string> names = {"project", kind};
  for (const auto& [transport, d] : u.data)
    out.counter(prefix + "data_bytes_total", help("Bytes moved by one " + kind + ", by transport"),
                {"project", kind, "transport"})
        .add({p, id, transport}, d.total_bytes.value.value_or(0));
  if (const auto& e = u.events) {
    out.counter(prefix + "events_total", help("Events of one " + kind), names)
        .add({p, id}, e->total.value.value_or(0));
    put(out.counter(prefix + "billable_events_total", help("Billable events of one " + kind),
                    names),
        {p, id}, e->billable);
  }
  if (const auto& s = u.sessions)
    out.counter(prefix + "sessions_total", help("Sessions of one " + kind), names)
        .add({p, id}, s->sessions.value.value_or(0));
}

size_t scope_series(const ScopeUsage& u) {
  size_t n = u.data.size();
  if (u.events) n += u.events->billable.value ? 2 : 1;
  if (u.sessions) n += 1;
  return n;
}

}  // namespace

void emit_usage(const std::string& project, const ProjectUsage& usage, bool per_device,
                SeriesCap& cap, MetricSet& out) {
  emit_project(project, usage.project, out);
  if (!usage.project.data.empty()) {
    // The project's data totals also count devices per transport for the endpoint gauge.
    double devices = 0;
    for (const auto& [transport, d] : usage.project.data) devices += d.devices.value.value_or(0);
    usage_devices(out).add({project, "data"}, devices);
  }
  auto& truncated =
      out.gauge("notehub_usage_truncated",
                "1 when the usage endpoint cut its answer at `limit` (truncated): figures too low.",
                {"project", "endpoint"});
  for (const auto& [endpoint, cut] : usage.truncated)
    truncated.add({project, endpoint}, cut ? 1 : 0);
  for (const auto& [fleet, u] : usage.fleets) emit_scope("fleet", project, fleet, u, out);
  if (!per_device) return;
  for (const auto& [device, u] : usage.devices)
    if (cap.admit(scope_series(u))) emit_scope("device", project, device, u, out);
}

}  // namespace fue::notehub
