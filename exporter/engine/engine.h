#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/engine/scraper.h"
#include "exporter/engine/self_metrics.h"
#include "exporter/metrics/metric_set.h"
#include "exporter/metrics/metric_view.h"

namespace fue {

// The last known state of one target, for the landing page and --once.
struct TargetStatus {
  std::string vendor;
  std::string name;
  bool up = false;
  bool ever_succeeded = false;
  std::string last_error;        // reason: message
  double last_success_unix = 0;  // 0 when never
  double last_duration_seconds = 0;
};

// Runs the scrapers. Each target has a long-lived client and scraper, a single-flight gate (two
// concurrent /metrics requests share one upstream collection) and a min_interval cache.
class Engine {
 public:
  Engine(const VendorRegistry& vendors, std::shared_ptr<SelfMetrics> self);
  ~Engine();

  // Swaps in a new config. Targets whose settings did not change keep their client and tokens.
  void apply(std::shared_ptr<const ExporterConfig> config);
  std::shared_ptr<const ExporterConfig> config() const;

  struct Result {
    MetricView metrics;  // every good target's vendor families (each de-duplicated), shared
    bool all_up = true;
  };
  // Collects every enabled target concurrently on a bounded pool. Each target's deadline is the
  // smaller of its timeout and `scrape_timeout` (already reduced by the offset), when given.
  Result collect_all(std::optional<Duration> scrape_timeout);
  // Collects one target by vendor and name (for /probe); nullopt when it does not exist.
  std::optional<Result> collect_one(const std::string& vendor, const std::string& name,
                                    std::optional<Duration> scrape_timeout);

  // Bounds of the runners kept for targets built on the fly (the accounts of one /probe module).
  struct AdhocPolicy {
    size_t max_entries = 1000;       // per group; the least recently used is dropped first
    Duration idle_ttl{3600 * 1000};  // a runner unused for this long is dropped
  };
  // Collects a target built on the fly, e.g. a module account of /probe. Its runner (client,
  // tokens, single flight, min_interval cache) is kept under (group, target id) and reused while
  // the target's settings, secrets included, stay the same; a changed one is rebuilt.
  Result collect_adhoc(const std::string& group, const TargetConfig& target,
                       const AdhocPolicy& policy, std::optional<Duration> scrape_timeout);
  // Runners kept for built-on-the-fly targets (all groups).
  size_t adhoc_runners() const;
  const VendorRegistry& vendors() const;

  std::vector<TargetStatus> status() const;
  SelfMetrics& self() { return *self_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::shared_ptr<SelfMetrics> self_;
};

}  // namespace fue
