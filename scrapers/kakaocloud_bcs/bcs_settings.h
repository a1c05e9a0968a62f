#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/secret.h"

namespace fue::kakaocloud_bcs {

inline constexpr const char* kDefaultIamUrl = "https://iam.kakaocloud.com";
// The maximum limit is UNCONFIRMED; the vendor's own Terraform provider lists with 1000.
inline constexpr int kDefaultPageSize = 1000;

// The vendor keys of one [[kakaocloud_bcs]] table.
struct Settings : VendorSettings {
  std::string iam_url = kDefaultIamUrl;
  // IAM access key (application credential) exchanged for a token...
  Secret credential_id;
  Secret credential_secret;
  // ...or a pre-issued token from a file or the environment.
  Secret token;

  // Documented list filters, sent as query parameters when set.
  std::string availability_zone;
  std::string instance_type;
  std::string vm_state;
  std::string flavor_name;
  std::string name;
  int page_size = kDefaultPageSize;
  int max_pages = 1000;  // runaway guard when no total is returned

  bool uses_token_file() const { return !token.empty(); }
  // The filters as query parameters.
  std::vector<std::pair<std::string, std::string>> filters() const;
  void describe(std::vector<std::pair<std::string, std::string>>& out) const override;
};

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node);

}  // namespace fue::kakaocloud_bcs
