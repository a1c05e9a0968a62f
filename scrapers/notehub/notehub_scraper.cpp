#include "scrapers/notehub/notehub_scraper.h"

#include <chrono>

#include "exporter/core/clock.h"
#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/core/reasons.h"
#include "exporter/engine/listing.h"
#include "exporter/http/json_util.h"
#include "scrapers/notehub/notehub_errors.h"
#include "scrapers/notehub/notehub_metrics.h"
#include "scrapers/notehub/notehub_metrics_inventory.h"
#include "scrapers/notehub/notehub_parse.h"
#include "scrapers/notehub/notehub_scraper_query.h"

namespace fue::notehub {
namespace {

constexpr int kMaxDevicePages = 10000;

http::Request get(std::string path, http::Query query, std::string endpoint) {
  http::Request r;
  r.path = std::move(path);
  r.query = std::move(query);
  r.endpoint = std::move(endpoint);
  r.headers.emplace("Accept", "application/json");
  return r;
}

bool is_status(const ScrapeError& e, std::string_view reason) { return e.reason() == reason; }

std::string_view device_uid(const nlohmann::json& device) {
  auto it = device.find("uid");
  return it != device.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>())
                                               : std::string_view();
}

}  // namespace

NotehubScraper::NotehubScraper(const TargetConfig& target, http::Client& client)
    : settings_(target.settings_as<Settings>()) {
  client.set_error_decoder(decode_error);  // the authenticator: notehub_vendor.cpp
}

void NotehubScraper::collect(ScrapeContext& ctx) {
  const int64_t now = unix_now_seconds();
  size_t missing = 0;
  std::string last_missing;
  for (const auto& project : settings_->projects) {
    try {
      collect_project(ctx, project, now);
    } catch (const ScrapeError& e) {
      // A project that does not exist (or is not visible to the token) spoils only itself.
      if (!is_status(e, "http_404")) throw;
      ++missing;
      last_missing = e.what();
      ctx.partial_error(reason::kProjectNotFound, project + ": " + e.what());
    }
  }
  if (missing == settings_->projects.size())
    throw ScrapeError(reason::http_status(404), "no configured project answered: " + last_missing);
}

void NotehubScraper::collect_project(ScrapeContext& ctx, const std::string& project, int64_t now) {
  const Settings& s = *settings_;
  const std::string base = project_path(project);
  ProjectUsage usage;
  for (const auto& call : kUsageCalls) {
    if (!ctx.target.group_enabled(call.group)) continue;
    const auto body =
        ctx.http.get_json(get(base + "/usage/" + call.endpoint, usage_query(s, call.endpoint, now),
                              std::string("usage_") + call.endpoint),
                          ctx.deadline);
    call.fold(body, usage);
    if (usage.truncated[call.endpoint])
      log::warn("notehub usage answer truncated at its limit; figures are too low",
                {{"target", ctx.target.name}, {"project", project}, {"endpoint", call.endpoint}});
  }
  const bool per_device = s.aggregate == "device" && ctx.target.per_resource_series;
  emit_usage(project, usage, per_device, ctx.cap, ctx.out);
  if (ctx.target.group_enabled(kDevicesGroup)) collect_inventory(ctx, project, now);
}

void NotehubScraper::collect_inventory(ScrapeContext& ctx, const std::string& project,
                                       int64_t now) {
  const Settings& s = *settings_;
  const std::string base = project_path(project);
  Inventory inventory(now);
  try {
    const auto fleets = ctx.http.get_json(get(base + "/fleets", {}, "fleets"), ctx.deadline);
    for (const auto& fleet : json::array_or_empty(json::require_object(fleets, "fleets"), "fleets"))
      inventory.add_fleet(fleet);
    // Notehub reports no device total, so the listing can drop repeats but not count a gap.
    const listing::Spec spec{"devices", s.device_page_size, kMaxDevicePages, 1};
    const auto devices = listing::by_page<nlohmann::json>(
        ctx, spec, [](const nlohmann::json& d) { return device_uid(d); },
        [&](int page_no, int64_t page_size) {
          http::Query q = {{"pageSize", std::to_string(page_size)},
                           {"pageNum", std::to_string(page_no)}};
          for (const auto& uid : s.device_uids) q.emplace_back("deviceUID", uid);
          for (const auto& uid : s.fleet_uids) q.emplace_back("fleetUID", uid);
          const auto body = ctx.http.get_json(get(base + "/devices", q, "devices"), ctx.deadline);
          const auto& rows = json::array_or_empty(json::require_object(body, "devices"), "devices");
          listing::Page<nlohmann::json> page;
          page.rows.assign(rows.begin(), rows.end());
          page.has_more = json::opt_bool(body, "has_more").value_or(false);
          return page;
        });
    for (const auto& device : devices.rows) inventory.add_device(device);
  } catch (const ScrapeError& e) {
    // The inventory needs the devices and fleets permissions on top of events: its absence
    // must not hide the usage figures already collected.
    if (!is_status(e, "http_403")) throw;
    ctx.partial_error(reason::kDevicesForbidden, project + ": " + e.what());
    return;
  }
  inventory.emit(project, ctx.out);
}

std::unique_ptr<Scraper> create_scraper(const TargetConfig& target, http::Client& client) {
  return std::make_unique<NotehubScraper>(target, client);
}

}  // namespace fue::notehub
