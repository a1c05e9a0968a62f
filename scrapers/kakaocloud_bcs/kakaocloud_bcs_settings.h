#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/secret.h"
#include "exporter/http/keystone.h"

namespace fue::kakaocloud_bcs {

// The metric groups the descriptor declares; scrapers ask for them by these names only.
inline constexpr const char* kFleetGroup = "fleet";

inline constexpr const char* kDefaultIamUrl = "https://iam.kakaocloud.com";
// The maximum limit is UNCONFIRMED; the vendor's own Terraform provider lists with 1000.
inline constexpr int kDefaultPageSize = 1000;

// KakaoCloud IAM: an access key (application credential), or a pre-issued token (iam_url and
// token are shared keys).
const http::KeystoneMethod& keystone_method();

// The vendor keys of one [[kakaocloud_bcs]] table.
struct Settings : VendorSettings, http::KeystoneSettings {
  // IAM access key (application credential) exchanged for a token.
  Secret credential_id;
  Secret credential_secret;

  // Documented list filters, sent as query parameters when set.
  std::string availability_zone;
  std::string instance_type;
  std::string vm_state;
  std::string flavor_name;
  std::string name;
  int page_size = kDefaultPageSize;
  int max_pages = 1000;  // runaway guard when no total is returned

  // The filters as query parameters.
  std::vector<std::pair<std::string, std::string>> filters() const;
  void describe(std::vector<std::pair<std::string, std::string>>& out) const override;
  void secrets(std::vector<const Secret*>& out) const override;
};

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node);

// The IAM application-credential body.
nlohmann::json iam_credential_body(const Settings& s);

}  // namespace fue::kakaocloud_bcs
