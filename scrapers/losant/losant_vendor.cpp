// The Losant vendor: its descriptor, metric groups and defaults.
#include <stdexcept>

#include "exporter/engine/scraper.h"
#include "scrapers/losant/losant_history.h"
#include "scrapers/losant/losant_scraper.h"
#include "scrapers/losant/losant_settings.h"

namespace fue {

VendorDescriptor losant_vendor() {
  VendorDescriptor d;
  d.key = "losant";
  d.display_name = "Losant";
  d.default_base_url = "https://api.losant.com";
  d.groups = {
      {losant::kInstanceGroup, true,
       "GET /instances/{id}: info, limits, MFA mode, members by role"},
      {losant::kDeviceCountsGroup, true,
       "GET /instances/{id}/deviceCounts: latest day's devices, created, deleted"},
      {losant::kNotebookGroup, true,
       "GET /instances/{id}/notebookMinuteCounts: notebook seconds and runs, period to date"},
      {losant::kPayloadsGroup, true,
       "GET /instances/{id}/payloadCountsBreakdown and /payloadCounts: payloads, period to date"},
      {losant::kHistoricalSummariesGroup, true,
       "GET /instances/{id}/historicalSummaries: per-organization/application usage (paged)"},
  };
  // About 40 series an organization or application (one per object kind): 200 of them by default.
  d.default_max_resources = 200;
  // Losant documents no rate-limit headers; 429 is handled by the shared client's Retry-After
  // logic.
  d.parse_settings = losant::parse_settings;
  d.authenticator = [](const TargetConfig& target) {
    auto settings = target.settings_as<losant::LosantSettings>();
    return http::bearer_auth(settings->token);
  };
  d.create = losant::create_scraper;
  d.history = losant::history_support();
  // What [[price]] tables may price: devices at the period's peak, payloads of the period.
  d.price_dimensions = {
      {"devices",
       "devices",
       {{"devices", 1}},
       "",
       "losant_instance_devices",
       DimensionKind::kGaugePeak},
      {"payloads",
       "payloads",
       {{"payloads", 1}, {"million_payloads", 1e6}},
       "",
       "losant_instance_payloads_total",
       DimensionKind::kPeriodCounter},
  };
  return d;
}

}  // namespace fue
