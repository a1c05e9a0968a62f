#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "exporter/config/config.h"
#include "exporter/metrics/metric_set.h"

namespace fue {

// The spend families of a config as of `now_unix`: prices and allowances per base unit, budgets,
// the current billing period and the dimensions behind them (the joins of the spend rules).
// Built fresh from the config, so a reload changes them on the next scrape.
MetricSet spend_metrics(const ExporterConfig& config, int64_t now_unix);
// The same as of the system clock, for /metrics and --once.
MetricSet spend_metrics(const ExporterConfig& config);

// spend_metrics() of the running config on every collect; the clock is injectable for tests.
class SpendCollector {
 public:
  using ConfigSource = std::function<std::shared_ptr<const ExporterConfig>()>;
  using Clock = std::function<int64_t()>;
  explicit SpendCollector(ConfigSource config, Clock clock = system_clock());

  // Empty while no config is loaded.
  MetricSet collect() const;
  static Clock system_clock();

 private:
  ConfigSource config_;
  Clock clock_;
};

}  // namespace fue
