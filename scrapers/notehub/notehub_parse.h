#pragma once

#include <nlohmann/json.hpp>

#include "scrapers/notehub/notehub_model.h"
#include "scrapers/notehub/notehub_settings.h"

namespace fue::notehub {

// Each usage answer holds buckets of several periods when startDate reaches back; only those of
// the latest `period` (the current one) are summed, so every figure is "this period to date".
// Items are filed under their `device` or `fleet` (per `aggregate`) and always under the project.
void fold_data_usage(const nlohmann::json& body, ProjectUsage& out);
void fold_events_usage(const nlohmann::json& body, ProjectUsage& out);
void fold_sessions_usage(const nlohmann::json& body, ProjectUsage& out);

// The three usage calls of a project, the metric group each belongs to and how it is folded:
// the live scrape and the backfill make the same calls.
struct UsageCall {
  const char* group;
  const char* endpoint;  // GET /v1/projects/<uid>/usage/<endpoint>
  void (*fold)(const nlohmann::json& body, ProjectUsage& out);
};
inline constexpr UsageCall kUsageCalls[] = {{kDataGroup, "data", fold_data_usage},
                                            {kEventsGroup, "events", fold_events_usage},
                                            {kSessionsGroup, "sessions", fold_sessions_usage}};

}  // namespace fue::notehub
