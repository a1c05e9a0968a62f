#pragma once

#include <nlohmann/json.hpp>

#include "scrapers/notehub/notehub_model.h"

namespace fue::notehub {

// Each usage answer holds buckets of several periods when startDate reaches back; only those of
// the latest `period` (the current one) are summed, so every figure is "this period to date".
// Items are filed under their `device` or `fleet` (per `aggregate`) and always under the project.
void fold_data_usage(const nlohmann::json& body, ProjectUsage& out);
void fold_events_usage(const nlohmann::json& body, ProjectUsage& out);
void fold_sessions_usage(const nlohmann::json& body, ProjectUsage& out);

}  // namespace fue::notehub
