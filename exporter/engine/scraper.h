#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/core/deadline.h"
#include "exporter/http/http_client.h"
#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"
#include "exporter/spend/price_dimension.h"

namespace fue {

class WorkerPool;

// What one collection of one target works with. The engine makes a fresh one per collection.
struct ScrapeContext {
  const TargetConfig& target;
  http::Client& http;  // the target's long-lived client
  Deadline deadline;   // the smaller of the target timeout and the Prometheus scrape timeout
  MetricSet& out;      // families get target="<name>" prepended automatically
  SeriesCap& cap;      // per-resource series budget
  // A problem that does not fail the whole target (one instance 404, an optional group 403):
  // logged with the target and counted in fleet_usage_exporter_target_partial_errors_total.
  std::function<void(std::string_view reason, std::string_view message)> partial_error;
  // Where listings report the unique resources they collected and the total the server
  // reported (fleet_usage_exporter_listing_resources); may be empty.
  std::function<void(std::string_view endpoint, size_t listed, std::optional<int64_t> reported)>
      listing{};
  WorkerPool* pool = nullptr;  // the engine's page pool, for concurrent pages; may be null
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

// One fetch of usage history (the `backfill` subcommand): a run of whole UTC days of one target.
struct HistoryContext {
  const TargetConfig& target;
  http::Client& http;  // the target's client, with the vendor's authenticator installed
  Deadline deadline;
  int64_t first_day = 0;  // Unix seconds of a UTC midnight, inclusive
  int64_t last_day = 0;   // Unix seconds of a UTC midnight, inclusive
  // The families of one day (target="<name>" prepended), filled as a live scrape at the end of
  // that day (23:59:59 UTC) would have shown them: the same names and labels.
  std::function<MetricSet&(int64_t day)> day;
  // A problem worth a line on stderr that does not fail the fetch (e.g. a family left out).
  std::function<void(std::string_view message)> note;
};

// What a vendor can backfill. `fetch` empty: the vendor has no history API.
struct HistorySupport {
  std::function<void(HistoryContext& ctx)> fetch;
  int max_days = 31;         // most days one fetch covers (the API's range limit)
  bool within_month = true;  // fetches never span two UTC months (period-to-date counters)
  std::string description;   // the families it fills, for progress and docs
};

// Everything the shared layer needs to know about a vendor. scrapers/registry.cpp lists them.
struct VendorDescriptor {
  std::string key;               // config table, vendor label, folder and metric prefix
  std::string display_name;      // e.g. "Blues Notehub"
  std::string default_base_url;  // used when a target sets no base_url
  std::vector<MetricGroup> groups;
  // max_resources of a target that sets none: bounds the default config's series per resource.
  size_t default_max_resources = 5000;
  http::RateLimitHeaders rate_limit_headers;
  // Reads the vendor's own keys of one target table. Common keys are already read.
  std::function<std::shared_ptr<const VendorSettings>(config::ConfigNode& node)> parse_settings;
  // Builds the long-lived scraper; it may install an error decoder on `client`.
  std::function<std::unique_ptr<Scraper>(const TargetConfig& target, http::Client& client)> create;
  // The credentials of a target's requests, installed on its client by make_scraper() before
  // create(): the one place every vendor's authenticator is installed.
  std::function<std::shared_ptr<http::Authenticator>(const TargetConfig& target)> authenticator;
  // Optional usage history for `fleet-usage-exporter backfill`. The backfill calls make_scraper()
  // first so that the vendor's authenticator and error decoder are on the client.
  HistorySupport history;
  // The usage dimensions [[price]] tables may price, declared next to the families they price;
  // the config checks prices against them (docs/configuration.md).
  std::vector<PriceDimension> price_dimensions;
  // Why a target's usage cannot be priced per billing period (its counters restart daily, say),
  // or "" when it can: [[price]] rates for such a target are a config error. Optional.
  std::function<std::string(const TargetConfig& target)> price_problem;
};

// Installs the vendor's authenticator on `client`, then calls create(): the one way the engine and
// the backfill build a scraper.
std::unique_ptr<Scraper> make_scraper(const VendorDescriptor& vendor, const TargetConfig& target,
                                      http::Client& client);

// The User-Agent of every vendor request: [global] user_agent, or "fleet-usage-exporter/<version>".
std::string user_agent_of(const GlobalConfig& global);
// The HTTP client settings of one target, the same for scrapes, probes and backfill.
http::ClientOptions client_options_for(const TargetConfig& target, const VendorDescriptor& vendor,
                                       std::string user_agent);

class VendorRegistry {
 public:
  void add(VendorDescriptor d);
  const VendorDescriptor* find(std::string_view key) const;
  const std::vector<VendorDescriptor>& all() const { return vendors_; }

 private:
  std::vector<VendorDescriptor> vendors_;
};

}  // namespace fue
