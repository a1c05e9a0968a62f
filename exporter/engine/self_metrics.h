#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "exporter/http/http_client.h"
#include "exporter/metrics/metric_set.h"

namespace fue {

// The exporter's own process-lifetime counters and gauges (prefix fleet_usage_exporter_). They are
// kept in plain maps and emitted as fresh families on every collect, pre-initialised to 0.
class SelfMetrics {
 public:
  SelfMetrics();
  ~SelfMetrics();

  // Makes the target's series exist at 0 before its first collection.
  void register_target(const std::string& vendor, const std::string& target);
  void forget_target(const std::string& vendor, const std::string& target);
  std::shared_ptr<http::RequestObserver> observer(const std::string& vendor,
                                                  const std::string& target);

  void record_collection(const std::string& vendor, const std::string& target, bool success,
                         double duration_seconds, const std::string& error_reason);
  void record_cache_hit(const std::string& vendor, const std::string& target,
                        double data_age_seconds);
  void record_partial_error(const std::string& vendor, const std::string& target,
                            const std::string& reason);
  void record_dropped_series(const std::string& vendor, const std::string& target, uint64_t series);
  // What one collection's listings found, per endpoint: the unique resources listed and the
  // total the vendor reported (none when any listing of the endpoint reported no total).
  struct ListingFigures {
    double listed = 0;
    std::optional<double> reported;
  };
  // Replaces the target's listing figures with those of its latest collection.
  void record_listings(const std::string& vendor, const std::string& target,
                       std::map<std::string, ListingFigures> listings);
  void record_duplicates_removed(uint64_t samples);
  void record_reload(bool success);
  // How long the last whole collection (every target, one /metrics request or --once) took.
  void record_scrape_duration(double seconds);

  // All self-metric families as of now.
  MetricSet collect() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fue
