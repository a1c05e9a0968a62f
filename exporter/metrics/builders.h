#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/metrics/metric_set.h"

namespace fue {

// How a StateSet treats a current value outside the known states.
enum class UnknownState {
  kMapToUnknown,  // report it as the state "unknown" (which is always part of the set)
  kKeepAsIs,      // add a sample for the raw value, set to 1, besides the known states at 0
};

// A StateSet family: a gauge whose last label, the state, is named as the family itself, as
// OpenMetrics requires; the OpenMetrics serialiser types it stateset, the text format gauge.
MetricFamily& state_set_family(MetricSet& set, std::string_view name, std::string_view help,
                               std::vector<std::string> label_names);

// OpenMetrics StateSet shape: one sample per known state, 1 for `current`, 0 for the others.
// The family's last label is the state label; `labels` holds the values before it.
void add_state_set(MetricFamily& family, std::span<const std::string_view> labels,
                   std::span<const std::string_view> known_states, std::string_view current,
                   UnknownState policy = UnknownState::kMapToUnknown);

// Counts resources by a tuple of label values, e.g. (region, sku, state), and emits one gauge
// sample per tuple. seed() makes known tuples appear at 0 so that alerts see a zero, not absence.
class LabelCounter {
 public:
  void seed(std::vector<std::string> values);
  void add(std::vector<std::string> values, double amount = 1);
  void emit(MetricFamily& family) const;
  size_t size() const { return counts_.size(); }

 private:
  std::map<std::vector<std::string>, double> counts_;
};

// Bounds per-resource series (per device, VM, phone or test) for one target and one collection.
class SeriesCap {
 public:
  SeriesCap(bool enabled, size_t max_resources) : enabled_(enabled), max_(max_resources) {}
  // Whether the next resource may have its series; `series` is how many it would add. A refused
  // resource adds `series` to dropped_series().
  bool admit(size_t series = 1);
  uint64_t dropped_series() const { return dropped_; }
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  size_t max_;
  size_t admitted_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace fue
