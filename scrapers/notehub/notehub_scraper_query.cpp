#include "scrapers/notehub/notehub_scraper_query.h"

#include "exporter/http/json_util.h"
#include "exporter/http/url.h"

namespace fue::notehub {

int64_t period_start(const std::string& period, int64_t now) {
  if (period == "day") return timeutil::start_of_utc_day(now);
  if (period == "week") {
    const int64_t day = timeutil::start_of_utc_day(now);
    const int64_t weekday = ((day / 86400) + 3) % 7;  // 1970-01-01 was a Thursday; Monday is 0
    return day - weekday * 86400;
  }
  return timeutil::start_of_utc_month(now);
}

std::string project_path(const std::string& project) {
  return "/v1/projects/" + http::percent_encode(project);
}

http::Query usage_query(const Settings& s, const std::string& endpoint, int64_t now) {
  http::Query q;
  q.emplace_back("period", s.period);
  q.emplace_back("aggregate", s.aggregate);
  // Starting at the current period keeps the answer to one bucket per series.
  q.emplace_back("startDate", std::to_string(s.start_date.value_or(period_start(s.period, now))));
  if (s.end_date) q.emplace_back("endDate", std::to_string(*s.end_date));
  for (const auto& uid : s.device_uids) q.emplace_back("deviceUID", uid);
  for (const auto& uid : s.fleet_uids) q.emplace_back("fleetUID", uid);
  if (s.limit) q.emplace_back("limit", std::to_string(*s.limit));
  if (endpoint != "data" && s.skip_recent_data) q.emplace_back("skipRecentData", "true");
  if (endpoint == "events" && s.include_notefiles) q.emplace_back("includeNotefiles", "true");
  return q;
}

}  // namespace fue::notehub
