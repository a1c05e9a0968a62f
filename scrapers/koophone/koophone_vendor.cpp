#include <stdexcept>

#include "exporter/engine/scraper.h"
#include "exporter/http/keystone.h"
#include "scrapers/koophone/koophone_scraper.h"
#include "scrapers/koophone/koophone_settings.h"

namespace fue {

// Huawei Cloud KooPhone (CloudDevice) cloud phones.
VendorDescriptor koophone_vendor() {
  VendorDescriptor d;
  d.key = "koophone";
  d.display_name = "Huawei Cloud KooPhone";
  d.default_base_url = "https://koophone.myhuaweicloud.com";
  d.groups = {
      {koophone::kFleetGroup, true, "Cloud phone counts by region, SKU and each state dimension"},
      {koophone::kBackupGroup, true, "Backup and restore status counts and times"},
  };
  // No rate-limit headers are documented; 429 falls back to Retry-After and backoff.
  d.parse_settings = koophone::parse_settings;
  d.authenticator = [](const TargetConfig& target) {
    auto s = target.settings_as<koophone::Settings>();
    return http::keystone_auth(*s, koophone::keystone_method(),
                               [s] { return koophone::iam_password_body(*s); });
  };
  d.create = [](const TargetConfig& target, http::Client& client) -> std::unique_ptr<Scraper> {
    return std::make_unique<koophone::KoophoneScraper>(target, client);
  };
  // What [[price]] tables may price: phone-hours by SKU, from the phone counts over time.
  d.price_dimensions = {
      {"phone_hours",
       "instance_hours",
       {{"hours", 1}},
       "sku",
       "koophone_instances_by_sku",
       DimensionKind::kGaugeHours},
  };
  return d;
}

}  // namespace fue
