// The Blues Notehub vendor: usage by project, fleet and device, plus a counted device inventory.
#include <stdexcept>

#include "exporter/engine/scraper.h"
#include "scrapers/notehub/notehub_history.h"
#include "scrapers/notehub/notehub_scraper.h"
#include "scrapers/notehub/notehub_settings.h"

namespace fue {

VendorDescriptor notehub_vendor() {
  VendorDescriptor d;
  d.key = "notehub";
  d.display_name = "Blues Notehub";
  d.default_base_url = "https://api.notefile.net";
  d.groups = {
      {notehub::kDataGroup, true, "usage/data: bytes by connectivity type (1 call per project)"},
      {notehub::kEventsGroup, true,
       "usage/events: events, billable, platform and watchdog (1 call per project)"},
      {notehub::kSessionsGroup, true,
       "usage/sessions: sessions, TLS, bytes and transports (1 call per project)"},
      {notehub::kDevicesGroup, true,
       "device and fleet counts and devices seen recently, from /fleets and the /devices pages "
       "(1 + ceil(devices / device_page_size) calls per project)"},
  };
  // Notehub documents no rate-limit headers; a 429 with Retry-After is still honoured.
  d.rate_limit_headers = {};
  d.parse_settings = notehub::parse_settings;
  d.authenticator = [](const TargetConfig& target) {
    auto settings = target.settings_as<notehub::Settings>();
    return http::bearer_auth(settings->token);
  };
  d.create = notehub::create_scraper;
  d.history = notehub::history_support();
  // What [[price]] tables may price: the period-to-date usage counters, in decimal units.
  // Usage is summed over the latest `period` bucket: only a monthly one is the period to date.
  d.price_problem = [](const TargetConfig& target) -> std::string {
    const auto settings = target.settings_as<notehub::Settings>();
    if (settings->period == "month") return "";
    return "period = \"" + settings->period + "\" restarts its usage counters every " +
           settings->period + ", so they are no billing period to date; set period = \"month\"";
  };
  d.price_dimensions = {
      {"data",
       "bytes",
       {{"bytes", 1}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}},
       "",
       "notehub_data_bytes_total",
       DimensionKind::kPeriodCounter},
      {"events",
       "events",
       {{"events", 1}, {"thousand_events", 1e3}},
       "",
       "notehub_billable_events_total",
       DimensionKind::kPeriodCounter},
      {"sessions",
       "sessions",
       {{"sessions", 1}, {"thousand_sessions", 1e3}},
       "",
       "notehub_sessions_total",
       DimensionKind::kPeriodCounter},
  };
  return d;
}

}  // namespace fue
