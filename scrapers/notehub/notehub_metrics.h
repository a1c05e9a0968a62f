#pragma once

#include <string>

#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"
#include "scrapers/notehub/notehub_model.h"

namespace fue::notehub {

// Project totals always; fleet series as returned (aggregate=fleet); device series only when
// `per_device` is on, each device admitted through `cap` with the number of series it adds.
void emit_usage(const std::string& project, const ProjectUsage& usage, bool per_device,
                SeriesCap& cap, MetricSet& out);

}  // namespace fue::notehub
