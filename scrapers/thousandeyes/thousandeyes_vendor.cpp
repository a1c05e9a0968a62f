// The ThousandEyes vendor descriptor: what the shared layer needs to run its targets.
#include "exporter/engine/scraper.h"
#include "scrapers/thousandeyes/thousandeyes_errors.h"
#include "scrapers/thousandeyes/thousandeyes_history.h"
#include "scrapers/thousandeyes/thousandeyes_scraper.h"
#include "scrapers/thousandeyes/thousandeyes_settings.h"

namespace fue {

VendorDescriptor thousandeyes_vendor() {
  VendorDescriptor d;
  d.key = "thousandeyes";
  d.display_name = "Cisco ThousandEyes";
  d.default_base_url = "https://api.thousandeyes.com";
  d.groups = {
      {thousandeyes::kUsageGroup, true,
       "GET /v7/usage: quotas, units used and projected, billing period, per-test and per-agent "
       "units with expand"},
      {thousandeyes::kTestUnitsGroup, true,
       "GET /v7/usage/units/tests: cloud and enterprise units per test (usage-based pricing only)"},
      {thousandeyes::kAgentUnitsGroup, true,
       "GET /v7/usage/units/enterprise-agents: units per enterprise agent and account group "
       "(usage-based pricing only)"},
  };
  d.rate_limit_headers = {"X-Organization-Rate-Limit-Limit", "X-Organization-Rate-Limit-Remaining",
                          "X-Organization-Rate-Limit-Reset", /*reset_is_epoch=*/true};
  d.parse_settings = thousandeyes::parse_settings;
  d.history = thousandeyes::history_support();
  d.authenticator = [](const TargetConfig& target) {
    auto settings = target.settings_as<thousandeyes::Settings>();
    return http::bearer_auth(settings->token);
  };
  d.create = [](const TargetConfig& target, http::Client& client) -> std::unique_ptr<Scraper> {
    auto settings = target.settings_as<thousandeyes::Settings>();
    client.set_error_decoder(thousandeyes::decode_error);
    return std::make_unique<thousandeyes::ThousandEyesScraper>(client, settings);
  };
  // What [[price]] tables may price: cloud units of the billing period to date.
  d.price_dimensions = {
      {"units",
       "units",
       {{"units", 1}},
       "",
       "thousandeyes_cloud_units_used_total",
       DimensionKind::kPeriodCounter},
  };
  return d;
}

}  // namespace fue
