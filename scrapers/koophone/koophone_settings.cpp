#include "scrapers/koophone/koophone_settings.h"

#include <cctype>

namespace fue::koophone {

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}
}  // namespace

bool parse_utc_offset(const std::string& text, int& seconds) {
  if (text.empty() || text == "Z" || text == "UTC" || text == "utc") {
    seconds = 0;
    return true;
  }
  if (text[0] != '+' && text[0] != '-') return false;
  std::string digits;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == ':' && i == 3) continue;
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    digits += text[i];
  }
  int hours = 0, minutes = 0;
  if (digits.size() == 1 || digits.size() == 2) {
    hours = std::stoi(digits);
  } else if (digits.size() == 4) {
    hours = std::stoi(digits.substr(0, 2));
    minutes = std::stoi(digits.substr(2));
  } else {
    return false;
  }
  if (hours > 14 || minutes > 59) return false;
  seconds = (text[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

const http::KeystoneMethod& keystone_method() {
  // nocatalog keeps the large service catalogue out of the answer.
  static const http::KeystoneMethod m{
      kDefaultIamUrl, {"username", "password", "domain"}, "/v3/auth/tokens?nocatalog=true"};
  return m;
}

void Settings::secrets(std::vector<const Secret*>& out) const {
  out.push_back(&password);
  out.push_back(&token);
}

void Settings::describe(std::vector<std::pair<std::string, std::string>>& out) const {
  out.emplace_back("iam_url", iam_url);
  if (uses_token_file()) {
    out.emplace_back("token", token.redacted());
  } else {
    out.emplace_back("username", username);
    out.emplace_back("password", password.redacted());
    out.emplace_back("domain", domain);
    out.emplace_back("project", project);
  }
  if (!pool_scene_tag.empty()) out.emplace_back("pool_scene_tag", pool_scene_tag);
  if (!instance_ids.empty()) out.emplace_back("instance_ids", join(instance_ids));
  if (!instance_names.empty()) out.emplace_back("instance_names", join(instance_names));
  out.emplace_back("page_size", std::to_string(page_size));
  out.emplace_back("max_pages", std::to_string(max_pages));
  out.emplace_back("time_zone_offset", time_zone_offset);
}

nlohmann::json iam_password_body(const Settings& s) {
  nlohmann::json user = {
      {"name", s.username}, {"password", s.password.reveal()}, {"domain", {{"name", s.domain}}}};
  return {{"auth",
           {{"identity", {{"methods", {"password"}}, {"password", {{"user", user}}}}},
            {"scope", {{"project", {{"name", s.project}}}}}}}};
}

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node) {
  auto s = std::make_shared<Settings>();
  http::read_keystone_settings(node, keystone_method(), *s);
  if (!s->uses_token_file()) {
    s->username = node.require_string("username");
    s->password = node.secret("password", true);
    s->domain = node.require_string("domain");
  }
  s->project = node.string_or("project", "cn-south-1");
  s->pool_scene_tag = node.enum_or("pool_scene_tag", {"", "CLOUD_APP", "CLOUD_PHONE"}, "");
  s->instance_ids = node.string_list("instance_ids");
  s->instance_names = node.string_list("instance_names");
  s->page_size = static_cast<int>(node.int_or("page_size", kDefaultPageSize, 1, 1000));
  s->max_pages = static_cast<int>(node.int_or("max_pages", 2000, 1, 1000000));
  s->time_zone_offset = node.string_or("time_zone_offset", "+00:00");
  if (!parse_utc_offset(s->time_zone_offset, s->utc_offset_seconds))
    node.fail("time_zone_offset", "expected an offset such as \"+08:00\", \"-05:30\" or \"UTC\"");
  return s;
}

}  // namespace fue::koophone
