#include "scrapers/thousandeyes/thousandeyes_history.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <set>
#include <string>

#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"
#include "exporter/http/json_util.h"
#include "exporter/http/pagination.h"
#include "scrapers/thousandeyes/thousandeyes_metrics_units.h"
#include "scrapers/thousandeyes/thousandeyes_parse.h"
#include "scrapers/thousandeyes/thousandeyes_scraper.h"
#include "scrapers/thousandeyes/thousandeyes_settings.h"

namespace fue::thousandeyes {
namespace {

constexpr int64_t kDay = 86400;
constexpr int kMaxPages = 200;  // as live

// The UTC calendar day containing `t` (floor division, so times before 1970 work too).
std::chrono::year_month_day utc_day(int64_t t) {
  using namespace std::chrono;
  return year_month_day{sys_days{floor<days>(sys_seconds{seconds{t}})}};
}

// `anchor` moved by `months` whole months, its day clamped to the month's length.
int64_t add_months(int64_t anchor, int64_t months) {
  using namespace std::chrono;
  const auto ymd = utc_day(anchor);
  const int64_t time_of_day = anchor - sys_seconds{sys_days{ymd}}.time_since_epoch().count();
  const year_month ym = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  const day last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  const year_month_day moved{ym.year(), ym.month(), std::min(ymd.day(), last)};
  return sys_seconds{sys_days{moved}}.time_since_epoch().count() + time_of_day;
}

class Fetcher {
 public:
  explicit Fetcher(HistoryContext& ctx) : ctx_(ctx), s_(*ctx.target.settings_as<Settings>()) {}

  void run() {
    if (s_.units_start || s_.units_end)
      ctx_.note(
          "units_start/units_end are not used by backfill: each day is asked from the start of "
          "its billing period to its end");
    const bool tests = ctx_.target.group_enabled(kTestUnitsGroup);
    const bool agents = ctx_.target.group_enabled(kAgentUnitsGroup);
    if (!tests && !agents) return;
    const int64_t anchor = period_anchor();
    std::vector<std::optional<std::string>> aids;
    for (const auto& aid : s_.account_group_ids) aids.emplace_back(aid);
    if (aids.empty()) aids.emplace_back(std::nullopt);
    // An account group whose organisation is not on usage-based pricing is skipped (noted once);
    // the others go on.
    std::set<std::string> closed_aids;
    bool agents_open = agents;
    for (int64_t day = ctx_.first_day; day <= ctx_.last_day; day += kDay) {
      const int64_t end = day + kDay - 1;
      const int64_t start = period_start_containing(anchor, end);
      SeriesCap cap(ctx_.target.per_resource_series, ctx_.target.max_resources);
      if (tests && closed_aids.size() < aids.size()) {
        TestBreakdowns rows;
        bool answered = false;
        for (const auto& aid : aids) {
          const std::string key = aid.value_or("");
          if (closed_aids.count(key)) continue;
          if (!walk("/v7/usage/units/tests", "units_tests", aid, start, end,
                    [&](const nlohmann::json& page) { rows.add_page(page); }))
            closed_aids.insert(key);
          else
            answered = true;
        }
        if (answered) rows.emit(ctx_.day(day), cap);
      }
      if (agents_open) {
        AgentBreakdowns rows;
        if (walk("/v7/usage/units/enterprise-agents", "units_enterprise_agents", std::nullopt,
                 start, end, [&](const nlohmann::json& page) { rows.add_page(page); }))
          rows.emit(ctx_.day(day), cap);
        else
          agents_open = false;
      }
    }
  }

 private:
  // quota.monthStart of the current period (GET /v7/usage); without it, UTC calendar months.
  int64_t period_anchor() {
    http::Request req;
    req.path = "/v7/usage";
    req.endpoint = "usage";
    req.headers.emplace("Accept", "application/hal+json, application/problem+json");
    if (!s_.account_group_ids.empty()) req.query.emplace_back("aid", s_.account_group_ids.front());
    std::string why;
    try {
      const auto body = ctx_.http.get_json(req, ctx_.deadline);
      const auto* start = body.is_object() && body.contains("usage") && body["usage"].is_object() &&
                                  body["usage"].contains("quota") &&
                                  body["usage"]["quota"].is_object()
                              ? &body["usage"]["quota"]
                              : nullptr;
      if (start && start->contains("monthStart") && (*start)["monthStart"].is_string()) {
        if (auto at = timeutil::parse_rfc3339((*start)["monthStart"].get<std::string>()))
          return static_cast<int64_t>(std::floor(*at));
      }
      why = "GET /v7/usage has no usage.quota.monthStart";
    } catch (const ScrapeError& e) {
      if (e.reason() != reason::http_status(403) && e.reason() != reason::http_status(404)) throw;
      why = std::string("GET /v7/usage: ") + e.what();
    }
    ctx_.note(why + "; billing periods are taken to be UTC calendar months");
    return 0;  // 1970-01-01T00:00:00Z: calendar months
  }

  // Walks one listing for one window; false when the endpoint is not offered (403/404: not on
  // usage-based pricing), which is noted once and ends that group for this fetch.
  bool walk(const std::string& path, const std::string& endpoint,
            const std::optional<std::string>& aid, int64_t start, int64_t end,
            const std::function<void(const nlohmann::json&)>& on_page) {
    http::Request first;
    first.path = path;
    first.endpoint = endpoint;
    first.headers.emplace("Accept", "application/hal+json, application/problem+json");
    if (aid) first.query.emplace_back("aid", *aid);
    first.query.emplace_back("startDate", timeutil::format_rfc3339(static_cast<double>(start)));
    first.query.emplace_back("endDate", timeutil::format_rfc3339(static_cast<double>(end)));
    try {
      http::follow_cursor(
          [&](const std::optional<std::string>& cursor) -> std::optional<std::string> {
            auto req = first;
            if (cursor) req.query.emplace_back("cursor", *cursor);
            const auto page = ctx_.http.get_json(req, ctx_.deadline);
            on_page(page);
            return next_cursor(page);
          },
          kMaxPages);
    } catch (const ScrapeError& e) {
      if (e.reason() != reason::http_status(403) && e.reason() != reason::http_status(404)) throw;
      ctx_.note(path + (aid ? " for account group " + *aid : std::string()) +
                " is not offered (usage-based pricing only): " + e.what() + "; not backfilled");
      return false;
    }
    return true;
  }

  HistoryContext& ctx_;
  const Settings& s_;
};

}  // namespace

int64_t period_start_containing(int64_t period_start, int64_t at) {
  // Months between the two, then step to the latest start not after `at`.
  const auto from = utc_day(period_start), to = utc_day(at);
  int64_t months = (static_cast<int>(to.year()) - static_cast<int>(from.year())) * 12 +
                   (static_cast<int64_t>(static_cast<unsigned>(to.month())) -
                    static_cast<int64_t>(static_cast<unsigned>(from.month())));
  int64_t start = add_months(period_start, months);
  while (start > at) start = add_months(period_start, --months);
  while (add_months(period_start, months + 1) <= at) start = add_months(period_start, ++months);
  return start;
}

void fetch_history(HistoryContext& ctx) { Fetcher(ctx).run(); }

HistorySupport history_support() {
  HistorySupport h;
  h.fetch = fetch_history;
  h.max_days = 7;  // one call per day and endpoint anyway; the week is the unit of resume
  h.within_month = true;
  h.description =
      "thousandeyes_test_breakdown_* and thousandeyes_enterprise_agent_breakdown_* per day";
  return h;
}

}  // namespace fue::thousandeyes
