#include <stdexcept>

#include "exporter/engine/scraper.h"
#include "exporter/http/keystone.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_scraper.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_settings.h"

namespace fue {

// KakaoCloud Beyond Compute Service virtual machines, bare metal and GPU instances.
VendorDescriptor kakaocloud_bcs_vendor() {
  VendorDescriptor d;
  d.key = "kakaocloud_bcs";
  d.display_name = "KakaoCloud BCS";
  d.default_base_url = "https://bcs.kr-central-2.kakaocloud.com";
  d.groups = {
      {kakaocloud_bcs::kFleetGroup, true,
       "Instance counts by vm_state, status, flavor, instance type and availability zone"},
  };
  // No rate-limit headers are documented; 429 falls back to Retry-After and backoff.
  d.parse_settings = kakaocloud_bcs::parse_settings;
  d.authenticator = [](const TargetConfig& target) {
    auto s = target.settings_as<kakaocloud_bcs::Settings>();
    return http::keystone_auth(*s, kakaocloud_bcs::keystone_method(),
                               [s] { return kakaocloud_bcs::iam_credential_body(*s); });
  };
  d.create = [](const TargetConfig& target, http::Client& client) -> std::unique_ptr<Scraper> {
    return std::make_unique<kakaocloud_bcs::BcsScraper>(target, client);
  };
  // What [[price]] tables may price: VM-hours by flavor, from the VM counts over time.
  d.price_dimensions = {
      {"vm_hours",
       "instance_hours",
       {{"hours", 1}},
       "flavor",
       "kakaocloud_bcs_instances_by_flavor",
       DimensionKind::kGaugeHours},
  };
  return d;
}

}  // namespace fue
