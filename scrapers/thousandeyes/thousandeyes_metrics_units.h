#pragma once

#include <nlohmann/json.hpp>

#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"

namespace fue::thousandeyes {

// The rows of the two cursor-paginated units endpoints, gathered over all pages first so that a
// walk cut short (rate budget, error) exports nothing half-counted.
class TestBreakdowns {
 public:
  // Appends one page's `breakdowns[]` of GET /v7/usage/units/tests.
  void add_page(const nlohmann::json& page);
  size_t size() const { return rows_.size(); }
  void emit(MetricSet& out, SeriesCap& cap) const;

 private:
  std::vector<nlohmann::json> rows_;
};

class AgentBreakdowns {
 public:
  // Appends one page's `breakdowns[]` of GET /v7/usage/units/enterprise-agents.
  void add_page(const nlohmann::json& page);
  size_t size() const { return rows_.size(); }
  void emit(MetricSet& out, SeriesCap& cap) const;

 private:
  std::vector<nlohmann::json> rows_;
};

}  // namespace fue::thousandeyes
