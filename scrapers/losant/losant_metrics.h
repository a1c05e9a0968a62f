#pragma once

#include <string>

#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"
#include "scrapers/losant/losant_metrics_limits.h"
#include "scrapers/losant/losant_model.h"

namespace fue::losant {

// Turns the parsed model into losant_* families. Nothing here throws on vendor data: parsing
// already happened, so an instance either appears whole or not at all.
class MetricEmitter {
 public:
  MetricEmitter(MetricSet& out, SeriesCap& cap, bool per_resource_series)
      : out_(out), cap_(cap), per_resource_(per_resource_series) {}

  void instance_success(const std::string& instance_id, bool ok);
  // `resolution` is "day" or "hour"; `include_non_billable` selects the payload_scope label.
  void instance(const InstanceData& d, const std::string& resolution, bool include_non_billable);

 private:
  void info(const std::string& id, const InstanceInfo& info);
  void devices(const std::string& id, const LatestDeviceDay& day);
  void notebook(const std::string& id, const NotebookUsage& n);
  void payloads(const std::string& id, const PayloadUsage& p, const std::string& resolution,
                bool include_non_billable);
  // `org_defaults`: the instance's orgDefaultLimitConfig, or null when it was not read.
  void summaries(const std::string& id, const std::vector<ResourceSummary>& resources,
                 const NumberMap* org_defaults);
  void resource(const std::string& id, const ResourceSummary& r, const NumberMap* org_defaults);
  void resource_usage(const std::vector<std::string>& row, const ResourceSummary& r);

  MetricSet& out_;
  SeriesCap& cap_;
  bool per_resource_;
};

}  // namespace fue::losant
