#pragma once

// The OpenStack Keystone-style IAM authentication shared by Huawei Cloud KooPhone (Huawei IAM)
// and KakaoCloud BCS (KakaoCloud IAM): a pre-issued token sent as X-Auth-Token, or credentials
// exchanged at the vendor's IAM service for one, cached and renewed by a TokenProvider.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exporter/config/config_node.h"
#include "exporter/core/secret.h"
#include "exporter/http/http_client.h"

namespace fue::http {

// The keys every Keystone-style vendor shares. Vendor settings derive from it.
struct KeystoneSettings {
  std::string iam_url;  // scheme://host[/prefix], without a trailing slash
  Secret token;         // a pre-issued token (inline, file or env); empty: exchange credentials
  bool uses_token_file() const { return !token.empty(); }
};

// What differs between the Keystone-style vendors.
struct KeystoneMethod {
  std::string default_iam_url;
  // The vendor's credential keys, e.g. {"username", "password", "domain"}; a secret key also
  // counts when given as <key>_file or <key>_env.
  std::vector<std::string> credential_keys;
  std::string token_path;  // appended to iam_url, e.g. "/v3/auth/tokens"
};

// Reads iam_url and token into `out` with the one set of checks: a pre-issued `token` or the
// vendor's credential keys, not both and not neither. The vendor then reads its credential keys
// when !out.uses_token_file().
void read_keystone_settings(config::ConfigNode& node, const KeystoneMethod& method,
                            KeystoneSettings& out);

// The X-Auth-Token authenticator of one target: its pre-issued token as is, or tokens exchanged
// by POSTing body() to iam_url + token_path. body() is called per exchange, so that the
// credentials live only in the settings.
std::shared_ptr<Authenticator> keystone_auth(const KeystoneSettings& settings,
                                             const KeystoneMethod& method,
                                             std::function<nlohmann::json()> body);

}  // namespace fue::http
