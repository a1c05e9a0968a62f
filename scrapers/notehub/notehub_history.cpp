#include "scrapers/notehub/notehub_history.h"

#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"
#include "scrapers/notehub/notehub_metrics.h"
#include "scrapers/notehub/notehub_parse.h"
#include "scrapers/notehub/notehub_scraper_query.h"
#include "scrapers/notehub/notehub_settings.h"

namespace fue::notehub {
namespace {

constexpr int64_t kDay = 86400;

// The live query with the window of one day: the start of its period to the day's last second.
http::Query day_query(const Settings& s, const std::string& endpoint, int64_t day) {
  http::Query q;
  for (auto& [k, v] : usage_query(s, endpoint, day))
    if (k != "startDate" && k != "endDate") q.emplace_back(k, v);
  q.emplace_back("startDate", std::to_string(period_start(s.period, day)));
  q.emplace_back("endDate", std::to_string(day + kDay - 1));
  return q;
}

}  // namespace

void fetch_history(HistoryContext& ctx) {
  const auto& s = *ctx.target.settings_as<Settings>();
  if (ctx.target.group_enabled(kDevicesGroup))
    ctx.note("the devices group (inventory) has no history and is not backfilled");
  const bool per_device = s.aggregate == "device" && ctx.target.per_resource_series;
  for (const auto& project : s.projects) {
    try {
      for (int64_t day = ctx.first_day; day <= ctx.last_day; day += kDay) {
        ProjectUsage usage;
        bool any = false;
        for (const auto& call : kUsageCalls) {
          if (!ctx.target.group_enabled(call.group)) continue;
          http::Request r;
          r.path = project_path(project) + "/usage/" + call.endpoint;
          r.query = day_query(s, call.endpoint, day);
          r.endpoint = std::string("usage_") + call.endpoint;
          r.headers.emplace("Accept", "application/json");
          call.fold(ctx.http.get_json(std::move(r), ctx.deadline), usage);
          any = true;
        }
        if (!any) continue;
        SeriesCap cap(per_device, ctx.target.max_resources);
        emit_usage(project, usage, per_device, cap, ctx.day(day));
      }
    } catch (const ScrapeError& e) {
      // As live: a project that does not exist spoils only itself.
      if (e.reason() != reason::http_status(404)) throw;
      ctx.note("project " + project + " skipped: " + e.what());
    }
  }
}

HistorySupport history_support() {
  HistorySupport h;
  h.fetch = fetch_history;
  h.max_days = 7;  // one call per day and group anyway; a week is the unit of resume
  h.within_month = true;
  h.description = "data, events and sessions usage by day, period to date (usage/*)";
  return h;
}

}  // namespace fue::notehub
