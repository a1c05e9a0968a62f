#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <vector>

#include "exporter/metrics/metric_set.h"

namespace fue {

// Converts the lean layout into prometheus-cpp's MetricFamily values.
std::vector<prometheus::MetricFamily> to_prometheus(const MetricSet& set);

// A prometheus-cpp Collectable whose Collect() runs a fresh collection each time, so the exporter's
// collectors can be registered in any prometheus-cpp Registry or Exposer and never go stale.
// The exporter's own /metrics path skips this conversion and serialises the lean layout directly.
class MetricSetCollectable : public prometheus::Collectable {
 public:
  explicit MetricSetCollectable(std::function<MetricSet()> collect)
      : collect_(std::move(collect)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    return to_prometheus(collect_());
  }

 private:
  std::function<MetricSet()> collect_;
};

}  // namespace fue
