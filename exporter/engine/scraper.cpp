#include "exporter/engine/scraper.h"

#include <set>
#include <stdexcept>

#include "build_info.h"

namespace fue {

std::string user_agent_of(const GlobalConfig& global) {
  return global.user_agent.empty() ? std::string("fleet-usage-exporter/") + build::kVersion
                                   : global.user_agent;
}

http::ClientOptions client_options_for(const TargetConfig& target, const VendorDescriptor& vendor,
                                       std::string user_agent) {
  http::ClientOptions options;
  options.base_url = target.base_url.empty() ? vendor.default_base_url : target.base_url;
  options.settings = target.http;
  options.user_agent = std::move(user_agent);
  options.rate_limit_headers = vendor.rate_limit_headers;
  options.vendor = target.vendor;
  options.target = target.name;
  return options;
}

std::unique_ptr<Scraper> make_scraper(const VendorDescriptor& vendor, const TargetConfig& target,
                                      http::Client& client) {
  if (!vendor.create) throw std::runtime_error("vendor " + vendor.key + " has no scraper");
  if (vendor.authenticator) client.set_authenticator(vendor.authenticator(target));
  return vendor.create(target, client);
}

void VendorRegistry::add(VendorDescriptor d) {
  if (find(d.key)) throw std::logic_error("vendor registered twice: " + d.key);
  // Groups are what `metric_groups` and group_enabled() name: a duplicate would make one of
  // them unreachable.
  std::set<std::string, std::less<>> groups;
  for (const auto& g : d.groups)
    if (g.name.empty() || !groups.insert(g.name).second)
      throw std::logic_error(d.key + ": metric group \"" + g.name + "\" empty or declared twice");
  vendors_.push_back(std::move(d));
}

const VendorDescriptor* VendorRegistry::find(std::string_view key) const {
  for (const auto& v : vendors_)
    if (v.key == key) return &v;
  return nullptr;
}

}  // namespace fue
