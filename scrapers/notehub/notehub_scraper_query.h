#pragma once

#include <cstdint>
#include <string>

#include "exporter/http/http_client.h"
#include "scrapers/notehub/notehub_settings.h"

namespace fue::notehub {

// Unix seconds of the start of the UTC day, ISO week (Monday) or month containing `now`.
int64_t period_start(const std::string& period, int64_t now);

// "/v1/projects/<uid>" with the UID percent-encoded.
std::string project_path(const std::string& project);

// The query of one usage call. `endpoint` is "data", "events" or "sessions": skipRecentData and
// includeNotefiles exist only on some of them. Lists go out as repeated keys (form, explode).
http::Query usage_query(const Settings& s, const std::string& endpoint, int64_t now);

}  // namespace fue::notehub
