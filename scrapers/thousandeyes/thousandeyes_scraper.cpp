#include "scrapers/thousandeyes/thousandeyes_scraper.h"

#include <chrono>

#include "exporter/core/clock.h"
#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/core/reasons.h"
#include "exporter/engine/listing.h"
#include "exporter/http/json_util.h"
#include "scrapers/thousandeyes/thousandeyes_metrics.h"
#include "scrapers/thousandeyes/thousandeyes_metrics_units.h"
#include "scrapers/thousandeyes/thousandeyes_parse.h"

namespace fue::thousandeyes {
namespace {

// The docs promise no page size; at 240 requests a minute more pages than this cannot be fetched
// in one scrape anyway, so more means a cursor that loops.
constexpr int kMaxPages = 200;
// A group the organisation does not offer (no usage-based pricing) is asked about again hourly.
constexpr auto kClosedFor = std::chrono::hours(1);

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

}  // namespace

ThousandEyesScraper::ThousandEyesScraper(http::Client& client,
                                         std::shared_ptr<const Settings> settings)
    : client_(client), settings_(std::move(settings)), budget_(settings_->rate_limit_reserve) {}

http::Request ThousandEyesScraper::request(const std::string& path,
                                           const std::string& endpoint) const {
  http::Request req;
  req.path = path;
  req.endpoint = endpoint;
  req.headers.emplace("Accept", "application/hal+json, application/problem+json");
  return req;
}

void ThousandEyesScraper::add_window(http::Request& req) const {
  if (!settings_->units_start) return;
  req.query.emplace_back("startDate", *settings_->units_start);
  if (settings_->units_end) req.query.emplace_back("endDate", *settings_->units_end);
}

void ThousandEyesScraper::collect(ScrapeContext& ctx) {
  std::vector<Scope> scopes;
  for (const auto& aid : settings_->account_group_ids) scopes.push_back({aid, aid});
  if (scopes.empty()) scopes.push_back({std::nullopt, "default"});

  int failed = 0;
  std::optional<ScrapeError> first_error;
  for (const auto& scope : scopes) {
    try {
      if (ctx.target.group_enabled(kUsageGroup)) collect_usage(ctx, scope);
      if (ctx.target.group_enabled(kTestUnitsGroup)) collect_units(ctx, scope, kTestUnitsGroup);
    } catch (const ScrapeError& e) {
      // One account group the token cannot read must not hide the others.
      if (scopes.size() == 1) throw;
      ++failed;
      if (!first_error) first_error = e;
      ctx.partial_error(e.reason(), "account group " + scope.label + ": " + e.what());
    }
  }
  if (failed == static_cast<int>(scopes.size())) throw *first_error;
  // This endpoint takes no aid: it covers the token's organisation once.
  if (ctx.target.group_enabled(kAgentUnitsGroup))
    collect_units(ctx, scopes.front(), kAgentUnitsGroup);
  emit_rate_limits(ctx, scopes);
}

void ThousandEyesScraper::collect_usage(ScrapeContext& ctx, const Scope& scope) {
  auto req = request("/v7/usage", "usage");
  if (scope.aid) req.query.emplace_back("aid", *scope.aid);
  if (!settings_->expand.empty()) req.query.emplace_back("expand", join(settings_->expand, ","));
  try {
    const auto body = client_.get_json(req, ctx.deadline);
    budget_.update(scope.label, client_.rate_limit());
    add_usage_metrics(body, scope.label, ctx.out, ctx.cap);
  } catch (...) {
    budget_.update(scope.label, client_.rate_limit());
    throw;
  }
}

namespace {
// A breakdowns[] row with the key it is told apart by.
struct Row {
  std::string key;
  nlohmann::json row;
};
struct BudgetStop {};  // the rate budget ended the walk early

}  // namespace

bool ThousandEyesScraper::walk_pages(ScrapeContext& ctx, const Scope& scope,
                                     const http::Request& first, const char* id_field,
                                     std::vector<nlohmann::json>& rows) {
  // The vendor reports neither a total nor a page size: repeats are dropped, a gap cannot show.
  const listing::Spec spec{first.endpoint, 0, kMaxPages};
  try {
    auto result = listing::by_cursor<Row>(
        ctx, spec, [](const Row& r) -> std::string_view { return r.key; },
        [&](const std::optional<std::string>& cursor) {
          if (!budget_.allows(scope.label, 1, unix_now())) throw BudgetStop{};
          auto req = first;
          if (cursor) req.query.emplace_back("cursor", *cursor);
          nlohmann::json page;
          try {
            page = client_.get_json(req, ctx.deadline);
          } catch (...) {
            budget_.update(scope.label, client_.rate_limit());
            throw;
          }
          budget_.update(scope.label, client_.rate_limit());
          const std::string what = "GET " + first.path + " breakdowns[]";
          listing::Page<Row> out;
          for (const auto& row :
               json::array_or_empty(json::require_object(page, what.c_str()), "breakdowns")) {
            json::require_object(row, what.c_str());
            const std::string id = json::text_or_empty(row, id_field);
            out.rows.push_back({id.empty() ? "" : json::text_or_empty(row, "aid") + "/" + id, row});
          }
          out.next = next_cursor(page);
          return out;
        });
    rows.reserve(result.rows.size());
    for (auto& r : result.rows) rows.push_back(std::move(r.row));
  } catch (const BudgetStop&) {
    return false;
  }
  return true;
}

void ThousandEyesScraper::collect_units(ScrapeContext& ctx, const Scope& scope,
                                        const std::string& group) {
  const bool tests = group == kTestUnitsGroup;
  const std::string key = group + "/" + scope.label;
  auto available = [&](double v) {
    ctx.out
        .gauge(
            "thousandeyes_metric_group_available",
            "1 if an optional endpoint group answers, 0 after a 403 or 404 (asked again hourly).",
            {"query_aid", "group"})
        .add({scope.label, group}, v);
  };
  if (!group_open(key)) return available(0);

  auto req = tests ? request("/v7/usage/units/tests", "units_tests")
                   : request("/v7/usage/units/enterprise-agents", "units_enterprise_agents");
  if (tests && scope.aid) req.query.emplace_back("aid", *scope.aid);
  add_window(req);

  TestBreakdowns test_rows;
  AgentBreakdowns agent_rows;
  try {
    std::vector<nlohmann::json> rows;
    const bool complete = walk_pages(ctx, scope, req, tests ? "testId" : "agentId", rows);
    const nlohmann::json unique = {{"breakdowns", std::move(rows)}};
    tests ? test_rows.add_page(unique) : agent_rows.add_page(unique);
    if (!complete) {
      const auto last = budget_.last(scope.label);
      ctx.partial_error(reason::kRateBudgetLow,
                        group + " skipped for account group " + scope.label + ": " +
                            std::to_string(static_cast<long long>(
                                last && last->remaining ? *last->remaining : 0)) +
                            " requests left this minute, " + std::to_string(budget_.reserve()) +
                            " kept in reserve");
      return available(1);
    }
  } catch (const ScrapeError& e) {
    if (e.reason() == reason::http_status(403) || e.reason() == reason::http_status(404)) {
      close_group(ctx, key, group, scope, e.what());
      return available(0);
    }
    // The organisation totals are still good; only this optional group is lost this time.
    ctx.partial_error(e.reason(), group + " for account group " + scope.label + ": " + e.what());
    return available(1);
  }
  available(1);
  tests ? test_rows.emit(ctx.out, ctx.cap) : agent_rows.emit(ctx.out, ctx.cap);
}

bool ThousandEyesScraper::group_open(const std::string& key) {
  std::lock_guard lock(gate_mutex_);
  auto it = closed_until_.find(key);
  return it == closed_until_.end() || Clock::now() >= it->second;
}

void ThousandEyesScraper::close_group(ScrapeContext& ctx, const std::string& key,
                                      const std::string& group, const Scope& scope,
                                      const std::string& why) {
  bool first_time;
  {
    std::lock_guard lock(gate_mutex_);
    first_time = closed_until_.find(key) == closed_until_.end();
    closed_until_[key] = Clock::now() + kClosedFor;
  }
  if (first_time)
    log::warn(
        "thousandeyes metric group unavailable; usage-based pricing only, asking again hourly",
        {{"target", ctx.target.name},
         {"group", group},
         {"account_group", scope.label},
         {"reason", why}});
  ctx.partial_error(reason::kGroupUnavailable,
                    group + " for account group " + scope.label + ": " + why);
}

void ThousandEyesScraper::emit_rate_limits(ScrapeContext& ctx,
                                           const std::vector<Scope>& scopes) const {
  for (const auto& scope : scopes) {
    const auto state = budget_.last(scope.label);
    if (!state) continue;
    if (state->remaining)
      ctx.out
          .gauge("thousandeyes_rate_limit_remaining",
                 "Requests left in the organisation's current minute (rate-limit header).",
                 {"query_aid"})
          .add({scope.label}, *state->remaining);
    if (state->limit)
      ctx.out
          .gauge("thousandeyes_rate_limit_requests",
                 "Requests the organisation may make per minute (X-Organization-Rate-Limit-Limit).",
                 {"query_aid"})
          .add({scope.label}, *state->limit);
  }
  ctx.out
      .gauge("thousandeyes_rate_limit_reserve",
             "Requests per minute left to other API clients (rate_limit_reserve).")
      .add({}, budget_.reserve());
}

}  // namespace fue::thousandeyes
