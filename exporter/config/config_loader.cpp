#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>

#include "exporter/config/config.h"
#include "exporter/config/config_text.h"
#include "exporter/engine/scraper.h"

namespace fue {

using config::ConfigError;
using config::ConfigNode;
using config::format_duration;

namespace {

constexpr Duration kMaxTimeout{5 * 60 * 1000};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

Duration timeout_in_range(ConfigNode& node, std::string_view key, Duration fallback) {
  Duration d = node.duration_or(key, fallback);
  if (d <= Duration::zero() || d > kMaxTimeout) {
    node.fail(key, "must be greater than 0 and at most 5m, got " + format_duration(d));
  }
  return d;
}

// An http(s) URL with a host; trailing slashes are dropped so paths can be appended.
std::string checked_url(ConfigNode& node, std::string_view key, std::string url, bool allow_https) {
  const std::string shown = config::redact_userinfo(url);
  const bool http = starts_with(url, "http://");
  const bool https = starts_with(url, "https://");
  if (!http && !(allow_https && https)) {
    node.fail(key, std::string("must start with ") +
                       (allow_https ? "http:// or https://" : "http://") + ", got \"" + shown +
                       "\"");
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.size() <= std::string_view(http ? "http://" : "https://").size()) {
    node.fail(key, "has no host: \"" + shown + "\"");
  }
  return url;
}

GlobalConfig parse_global(ConfigNode& root) {
  GlobalConfig g;
  auto node = root.child("global");
  if (!node) return g;
  g.max_concurrent_targets =
      static_cast<int>(node->int_or("max_concurrent_targets", g.max_concurrent_targets, 1, 256));
  g.scrape_timeout_offset = node->duration_or("scrape_timeout_offset", g.scrape_timeout_offset);
  g.default_timeout = timeout_in_range(*node, "default_timeout", g.default_timeout);
  g.user_agent = node->string_or("user_agent", g.user_agent);
  node->reject_unknown_keys();
  return g;
}

std::set<std::string, std::less<>> parse_groups(ConfigNode& node, const VendorDescriptor& d) {
  std::set<std::string, std::less<>> groups;
  if (!node.has("metric_groups")) {
    node.string_list("metric_groups");  // marks the key as known for unknown-key messages
    for (const auto& g : d.groups) {
      if (g.default_enabled) groups.insert(g.name);
    }
    return groups;
  }
  std::vector<std::string> valid;
  for (const auto& g : d.groups) valid.push_back(g.name);
  for (const auto& name : node.string_list("metric_groups")) {
    if (std::find(valid.begin(), valid.end(), name) == valid.end()) {
      node.fail("metric_groups", "unknown metric group \"" + name + "\"; valid groups are: " +
                                     (valid.empty() ? "(none)" : join(valid)));
    }
    groups.insert(name);
  }
  return groups;
}

HttpSettings parse_http(ConfigNode& node) {
  HttpSettings h;
  h.ca_file = node.string_or("ca_file", "");
  if (!h.ca_file.empty() && !std::filesystem::is_regular_file(h.ca_file)) {
    node.fail("ca_file", "CA file \"" + h.ca_file + "\" does not exist or is not a file");
  }
  h.insecure_skip_verify = node.bool_or("insecure_skip_verify", h.insecure_skip_verify);
  if (auto proxy = node.optional_string("proxy_url")) {
    h.proxy_url = checked_url(node, "proxy_url", *proxy, false);
  }
  h.max_response_bytes = static_cast<size_t>(node.int_or(
      "max_response_bytes", static_cast<int64_t>(h.max_response_bytes), 1024, INT64_MAX));
  h.max_attempts = static_cast<int>(node.int_or("max_attempts", h.max_attempts, 1, 10));
  h.concurrency = static_cast<int>(node.int_or("concurrency", h.concurrency, 1, 64));
  return h;
}

}  // namespace

TargetConfig parse_target_table(ConfigNode& node, const VendorDescriptor& d,
                                const GlobalConfig& g) {
  static const std::regex kNamePattern("^[a-zA-Z0-9_.-]{1,64}$");
  TargetConfig t;
  t.vendor = d.key;
  t.line = node.line();
  t.name = node.require_string("name");
  if (!std::regex_match(t.name, kNamePattern)) {
    node.fail("name", "must be 1 to 64 characters of letters, digits, '_', '.' or '-', got \"" +
                          t.name + "\"");
  }
  t.enabled = node.bool_or("enabled", t.enabled);
  std::string base_url = node.string_or("base_url", d.default_base_url);
  if (base_url.empty()) node.fail("base_url", "missing required key (this vendor has no default)");
  t.base_url = checked_url(node, "base_url", base_url, true);
  t.timeout = timeout_in_range(node, "timeout", g.default_timeout);
  t.min_interval = node.duration_or("min_interval", t.min_interval);
  t.groups = parse_groups(node, d);
  t.per_resource_series = node.bool_or("per_resource_series", t.per_resource_series);
  t.max_resources = static_cast<size_t>(
      node.int_or("max_resources", static_cast<int64_t>(d.default_max_resources), 0, 10'000'000));
  t.http = parse_http(node);
  if (d.parse_settings) t.settings = d.parse_settings(node);
  node.reject_unknown_keys();
  return t;
}

namespace {

// Top-level typos get the list of what may appear there instead of a generic "unknown key".
void reject_unknown_sections(const toml::table& root, const std::string& file,
                             const VendorRegistry& vendors) {
  std::vector<std::string> valid{"global"};
  for (const auto& d : vendors.all()) valid.push_back(d.key);
  valid.push_back("module");
  valid.push_back("price");
  for (auto&& [key, value] : root) {
    if (std::find(valid.begin(), valid.end(), key.str()) != valid.end()) continue;
    throw ConfigError(file, static_cast<int>(value.source().begin.line), std::string(key.str()),
                      "unknown vendor or section; valid ones are: " + join(valid));
  }
}

}  // namespace

ExporterConfig parse_config(std::string_view toml_text, const std::string& display_path,
                            const VendorRegistry& vendors) {
  toml::table root;
  try {
    root = toml::parse(toml_text, display_path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(display_path, static_cast<int>(e.source().begin.line), "",
                      std::string(e.description()));
  }
  reject_unknown_sections(root, display_path, vendors);

  ExporterConfig config;
  config.file = display_path;
  ConfigNode top(root, display_path, "");
  config.global = parse_global(top);
  for (const auto& d : vendors.all()) {
    std::map<std::string, int> seen;  // name -> line of its table
    for (ConfigNode& node : top.children(d.key)) {
      TargetConfig t = parse_target_table(node, d, config.global);
      auto [it, fresh] = seen.emplace(t.name, t.line);
      if (!fresh) {
        node.fail("name", "duplicate name \"" + t.name + "\" (already used by the [[" + d.key +
                              "]] at line " + std::to_string(it->second) + ")");
      }
      config.targets.push_back(std::move(t));
    }
  }
  config.modules =
      parse_modules(top, std::make_shared<const std::string>(toml_text), display_path, vendors);
  config.prices = parse_prices(top, config.targets, vendors);
  return config;
}

ExporterConfig load_config(const std::string& path, const VendorRegistry& vendors) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    const int err = std::filesystem::is_directory(path) ? EISDIR : errno;
    throw ConfigError(path, 0, "", std::string("cannot read config file: ") + std::strerror(err));
  }
  std::string text(std::istreambuf_iterator<char>(in), {});
  return parse_config(text, path, vendors);
}

}  // namespace fue
