#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"

namespace fue::thousandeyes {

// Turns one GET /v7/usage body into metrics. `query_aid` is the account group the request was
// made for ("default" without one); it tells organisations apart when several are scraped.
// Per-test and per-agent series go through `cap`; per-account-group counts are not capped.
void add_usage_metrics(const nlohmann::json& body, const std::string& query_aid, MetricSet& out,
                       SeriesCap& cap);

}  // namespace fue::thousandeyes
