#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_settings.h"

namespace fue::kakaocloud_bcs {

std::vector<std::pair<std::string, std::string>> Settings::filters() const {
  std::vector<std::pair<std::string, std::string>> q;
  auto add = [&](const char* key, const std::string& v) {
    if (!v.empty()) q.emplace_back(key, v);
  };
  add("availability_zone", availability_zone);
  add("instance_type", instance_type);
  add("vm_state", vm_state);
  add("flavor_name", flavor_name);
  add("name", name);
  return q;
}

const http::KeystoneMethod& keystone_method() {
  static const http::KeystoneMethod m{
      kDefaultIamUrl,
      {"application_credential_id", "application_credential_secret"},
      "/identity/v3/auth/tokens"};
  return m;
}

void Settings::secrets(std::vector<const Secret*>& out) const {
  out.push_back(&credential_id);
  out.push_back(&credential_secret);
  out.push_back(&token);
}

void Settings::describe(std::vector<std::pair<std::string, std::string>>& out) const {
  out.emplace_back("iam_url", iam_url);
  if (uses_token_file()) {
    out.emplace_back("token", token.redacted());
  } else {
    out.emplace_back("application_credential_id", credential_id.redacted());
    out.emplace_back("application_credential_secret", credential_secret.redacted());
  }
  for (const auto& [k, v] : filters()) out.emplace_back(k, v);
  out.emplace_back("page_size", std::to_string(page_size));
  out.emplace_back("max_pages", std::to_string(max_pages));
}

nlohmann::json iam_credential_body(const Settings& s) {
  return {{"auth",
           {{"identity",
             {{"methods", {"application_credential"}},
              {"application_credential",
               {{"id", s.credential_id.reveal()}, {"secret", s.credential_secret.reveal()}}}}}}}};
}

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node) {
  auto s = std::make_shared<Settings>();
  http::read_keystone_settings(node, keystone_method(), *s);
  if (!s->uses_token_file()) {
    s->credential_id = node.secret("application_credential_id", true);
    s->credential_secret = node.secret("application_credential_secret", true);
  }
  s->availability_zone = node.string_or("availability_zone", "");
  s->instance_type = node.enum_or("instance_type", {"", "vm", "bm", "gpu"}, "");
  s->vm_state = node.string_or("vm_state", "");
  s->flavor_name = node.string_or("flavor_name", "");
  // "name" is already the target's own name, so the name filter is read from instance_name.
  s->name = node.string_or("instance_name", "");
  s->page_size = static_cast<int>(node.int_or("page_size", kDefaultPageSize, 1, 10000));
  s->max_pages = static_cast<int>(node.int_or("max_pages", 1000, 1, 1000000));
  return s;
}

}  // namespace fue::kakaocloud_bcs
