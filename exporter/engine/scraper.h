#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/core/deadline.h"
#include "exporter/http/http_client.h"
#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"

namespace fue {

// What one collection of one target works with. The engine makes a fresh one per collection.
struct ScrapeContext {
  const TargetConfig& target;
  http::Client& http;        // the target's long-lived client
  Deadline deadline;         // the smaller of the target timeout and the Prometheus scrape timeout
  MetricSet& out;            // families get target="<name>" prepended automatically
  SeriesCap& cap;            // per-resource series budget
  // A problem that does not fail the whole target (one instance 404, an optional group 403):
  // logged with the target and counted in fleet_usage_exporter_target_partial_errors_total.
  std::function<void(std::string_view reason, std::string_view message)> partial_error;
};

// One vendor's scraper for one target. Long-lived: it may keep state across collections (a token
// provider, a rate budget). collect() throws ScrapeError (or any exception) when the target fails.
class Scraper {
 public:
  virtual ~Scraper() = default;
  virtual void collect(ScrapeContext& ctx) = 0;
};

struct MetricGroup {
  std::string name;
  bool default_enabled = true;
  std::string description;
};

// Everything the shared layer needs to know about a vendor. scrapers/registry.cpp lists them.
struct VendorDescriptor {
  std::string key;               // config table, vendor label, folder and metric prefix
  std::string display_name;      // e.g. "Blues Notehub"
  std::string default_base_url;  // used when a target sets no base_url
  std::vector<MetricGroup> groups;
  http::RateLimitHeaders rate_limit_headers;
  // Reads the vendor's own keys of one target table. Common keys are already read.
  std::function<std::shared_ptr<const VendorSettings>(config::ConfigNode& node)> parse_settings;
  // Builds the long-lived scraper; it may install an authenticator and error decoder on `client`.
  std::function<std::unique_ptr<Scraper>(const TargetConfig& target, http::Client& client)> create;
};

class VendorRegistry {
 public:
  void add(VendorDescriptor d);
  const VendorDescriptor* find(std::string_view key) const;
  const std::vector<VendorDescriptor>& all() const { return vendors_; }

 private:
  std::vector<VendorDescriptor> vendors_;
};

}  // namespace fue
