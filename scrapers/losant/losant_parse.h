#pragma once

#include <nlohmann/json.hpp>

#include "scrapers/losant/losant_model.h"

// Losant JSON to the model. Every field is optional in Losant's schemas, so absent or null
// fields are skipped; a value of the wrong kind throws SchemaError naming the field.
namespace fue::losant {

InstanceInfo parse_instance(const nlohmann::json& body);
std::optional<LatestDeviceDay> parse_device_counts(const nlohmann::json& body);
NotebookUsage parse_notebook_minutes(const nlohmann::json& body);
// Sum and newest bucket of a payloadCountsBreakdown body.
std::pair<double, std::optional<double>> parse_payload_breakdown(const nlohmann::json& body);
std::vector<SourceCount> parse_payload_stats(const nlohmann::json& body);
ResourceSummary parse_summary(const nlohmann::json& item);

}  // namespace fue::losant
