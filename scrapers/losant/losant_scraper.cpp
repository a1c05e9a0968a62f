#include "scrapers/losant/losant_scraper.h"

#include <chrono>
#include <exception>

#include "exporter/core/clock.h"
#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"
#include "exporter/engine/listing.h"
#include "exporter/http/json_util.h"
#include "scrapers/losant/losant_errors.h"
#include "scrapers/losant/losant_metrics.h"
#include "scrapers/losant/losant_parse.h"

namespace fue::losant {

namespace {

using nlohmann::json;

constexpr int kMaxPages = 1000;  // more means a server that ignores page; stop rather than loop
constexpr const char* kApiVersion = "^1.30.0";

std::string ms(int64_t v) { return std::to_string(v); }

// Start of the UTC calendar month: Losant's billing period, so usage sums are period to date.
int64_t period_start_ms(int64_t now_ms) {
  return timeutil::start_of_utc_month(now_ms / 1000) * 1000;
}

std::string_view string_key(const json& item, const char* key) {
  auto it = item.find(key);
  if (it == item.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

}  // namespace

LosantScraper::LosantScraper(const TargetConfig& target, http::Client& client)
    : settings_(*target.settings_as<LosantSettings>()) {
  client.set_error_decoder(decode_error);  // the authenticator: losant_vendor.cpp
}

http::Request LosantScraper::request(std::string path, std::string endpoint,
                                     http::Query query) const {
  http::Request r;
  r.path = std::move(path);
  r.endpoint = std::move(endpoint);
  r.query = std::move(query);
  r.headers.emplace("Accept", "application/json");
  r.headers.emplace("Accept-Version", kApiVersion);
  if (!settings_.losantdomain.empty()) r.headers.emplace("losantdomain", settings_.losantdomain);
  return r;
}

// Losant collections page with a zero-based `page` and `perPage`, through the shared listing:
// the first page's echoed perPage and totalCount plan the rest, fetched concurrently.
static std::vector<json> fetch_all_pages(
    ScrapeContext& ctx, const std::string& endpoint,
    const std::function<json(int page, int64_t per_page)>& get_page, int per_page,
    const char* id_key) {
  const listing::Spec spec{endpoint, per_page, kMaxPages, 0};
  auto result = listing::by_page<json>(
      ctx, spec, [id_key](const json& item) { return string_key(item, id_key); },
      [&](int page, int64_t size) {
        const json body = get_page(page, size);
        const json& items =
            fue::json::array_or_empty(fue::json::require_object(body, "page"), "items");
        listing::Page<json> p;
        p.rows.assign(items.begin(), items.end());
        p.total = fue::json::opt_int(body, "totalCount");
        p.page_size = fue::json::opt_int(body, "perPage");
        return p;
      });
  return std::move(result.rows);
}

std::vector<std::string> LosantScraper::discover(ScrapeContext& ctx) const {
  const int per_page = 100;
  auto get_page = [&](int page, int64_t size) {
    return ctx.http.get_json(request("/instances", "instances",
                                     {{"sortField", "id"},
                                      {"sortDirection", "asc"},
                                      {"page", std::to_string(page)},
                                      {"perPage", std::to_string(size)}}),
                             ctx.deadline);
  };
  std::vector<std::string> ids;
  for (const auto& item : fetch_all_pages(ctx, "instances", get_page, per_page, "id")) {
    auto id = fue::json::opt_string(item, "id");
    if (!id) id = fue::json::opt_string(item, "instanceId");
    if (id && is_object_id(*id)) ids.push_back(*id);
  }
  return ids;
}

std::vector<std::string> LosantScraper::instance_ids(ScrapeContext& ctx) const {
  std::vector<std::string> ids = settings_.instance_ids;
  if (!settings_.discover_instances) return ids;
  try {
    for (auto& id : discover(ctx)) {
      for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
    }
  } catch (const ScrapeError& e) {
    // Listed ids can still be read with this token; without any, the target has nothing to show.
    if (settings_.instance_ids.empty()) throw;
    ctx.partial_error(reason::kDiscoveryPrefix + e.reason(), e.what());
  }
  return ids;
}

std::vector<ResourceSummary> LosantScraper::fetch_summaries(ScrapeContext& ctx,
                                                            const std::string& id,
                                                            int64_t now_ms) const {
  const int per_page = settings_.historical_summaries_per_page;
  auto get_page = [&](int page, int64_t size) {
    http::Query q{{"month", ms(now_ms)},
                  {"sortField", settings_.summary_sort_field},
                  {"sortDirection", settings_.summary_sort_direction},
                  {"page", std::to_string(page)},
                  {"perPage", std::to_string(size)}};
    if (!settings_.summary_resource_type.empty()) {
      q.emplace_back("filterField", "resourceType");
      q.emplace_back("filter", settings_.summary_resource_type);
    }
    return ctx.http.get_json(
        request("/instances/" + id + "/historicalSummaries", "historical_summaries", std::move(q)),
        ctx.deadline);
  };
  std::vector<ResourceSummary> out;
  for (const auto& item :
       fetch_all_pages(ctx, "historical_summaries", get_page, per_page, "resourceId")) {
    out.push_back(parse_summary(item));
  }
  return out;
}

LosantScraper::Outcome LosantScraper::fetch_instance(ScrapeContext& ctx, const std::string& id,
                                                     int64_t now_ms) const {
  Outcome o;
  o.data.id = id;
  const std::string base = "/instances/" + id;
  const auto& t = ctx.target;
  const std::string period_start = ms(period_start_ms(now_ms));
  const std::string now = ms(now_ms);
  try {
    if (t.group_enabled(kInstanceGroup)) {
      o.data.info = parse_instance(ctx.http.get_json(request(base, "instance", {}), ctx.deadline));
    }
    if (t.group_enabled(kDeviceCountsGroup)) {
      const std::string start = ms(now_ms - settings_.device_counts_window.count());
      o.data.devices = parse_device_counts(ctx.http.get_json(
          request(base + "/deviceCounts", "device_counts", {{"start", start}, {"end", now}}),
          ctx.deadline));
      o.data.device_counts_fetched = true;
    }
    if (t.group_enabled(kNotebookGroup)) {
      o.data.notebook = parse_notebook_minutes(
          ctx.http.get_json(request(base + "/notebookMinuteCounts", "notebook_minute_counts",
                                    {{"start", period_start}, {"end", now}}),
                            ctx.deadline));
    }
    if (t.group_enabled(kPayloadsGroup)) {
      const std::string non_billable = settings_.include_non_billable ? "true" : "false";
      auto breakdown = [&](bool as_bytes) {
        return parse_payload_breakdown(
            ctx.http.get_json(request(base + "/payloadCountsBreakdown", "payload_counts_breakdown",
                                      {{"start", period_start},
                                       {"end", now},
                                       {"resolution", settings_.resolution_ms()},
                                       {"asBytes", as_bytes ? "true" : "false"},
                                       {"includeNonBillable", non_billable}}),
                              ctx.deadline));
      };
      PayloadUsage p;
      std::tie(p.count, p.latest_bucket) = breakdown(false);
      if (settings_.payload_as_bytes) p.bytes = breakdown(true).first;
      p.by_source = parse_payload_stats(
          ctx.http.get_json(request(base + "/payloadCounts", "payload_counts",
                                    {{"start", period_start}, {"end", now}, {"asBytes", "false"}}),
                            ctx.deadline));
      o.data.payloads = std::move(p);
    }
    if (t.group_enabled(kHistoricalSummariesGroup))
      o.data.summaries = fetch_summaries(ctx, id, now_ms);
  } catch (const ScrapeError& e) {
    o.error_reason = e.reason();
    o.error_message = "instance " + id + ": " + e.what();
  } catch (const std::exception& e) {
    o.error_reason = "internal_error";
    o.error_message = "instance " + id + ": " + e.what();
  }
  return o;
}

void LosantScraper::collect(ScrapeContext& ctx) {
  const int64_t now_ms = unix_now_ms();
  const std::vector<std::string> ids = instance_ids(ctx);
  // On the engine's bounded pool, like the pages of a listing.
  auto outcomes = listing::map_bounded<Outcome>(ctx, static_cast<int>(ids.size()), [&](int i) {
    return fetch_instance(ctx, ids[i], now_ms);
  });

  const Outcome* first_failure = nullptr;
  size_t failures = 0;
  for (const auto& o : outcomes) {
    if (o.error_reason.empty()) continue;
    ++failures;
    if (!first_failure) first_failure = &o;
  }
  if (!outcomes.empty() && failures == outcomes.size()) {
    throw ScrapeError(first_failure->error_reason,
                      failures == 1
                          ? first_failure->error_message
                          : "all " + std::to_string(failures) +
                                " instances failed; first: " + first_failure->error_message);
  }

  MetricEmitter emit(ctx.out, ctx.cap, ctx.target.per_resource_series);
  for (const auto& o : outcomes) {
    const bool ok = o.error_reason.empty();
    if (!ok) ctx.partial_error(reason::kInstancePrefix + o.error_reason, o.error_message);
    emit.instance_success(o.data.id, ok);
    if (ok) emit.instance(o.data, settings_.payload_resolution, settings_.include_non_billable);
  }
}

std::unique_ptr<Scraper> create_scraper(const TargetConfig& target, http::Client& client) {
  return std::make_unique<LosantScraper>(target, client);
}

}  // namespace fue::losant
