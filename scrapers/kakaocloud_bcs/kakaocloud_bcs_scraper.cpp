#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_scraper.h"

#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/engine/listing.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_errors.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_metrics.h"

namespace fue::kakaocloud_bcs {

BcsScraper::BcsScraper(const TargetConfig& target, http::Client& client)
    : settings_(target.settings_as<Settings>()) {
  client.set_error_decoder(decode_error);  // the authenticator: kakaocloud_bcs_vendor.cpp
}

Page BcsScraper::fetch_page(ScrapeContext& ctx, int64_t offset, int64_t limit) {
  http::Request req;
  req.path = "/api/v1/instances";
  req.endpoint = "list_instances";
  // Oldest first, so instances created during the scrape land at the end, not across pages.
  req.query = {{"sort_keys", "created_at"},
               {"sort_dirs", "asc"},
               {"limit", std::to_string(limit)},
               {"offset", std::to_string(offset)}};
  for (auto& f : settings_->filters()) req.query.push_back(std::move(f));
  req.headers.emplace("Accept", "application/json");
  return ctx.http.get_parsed(std::move(req), ctx.deadline, parse_page);
}

std::vector<Vm> BcsScraper::list(ScrapeContext& ctx) {
  listing::Spec spec{"list_instances", settings_->page_size, settings_->max_pages};
  auto result = listing::by_offset<Vm>(
      ctx, spec, [](const Vm& v) -> std::string_view { return v.id; },
      [&](int64_t offset, int64_t limit) {
        Page p = fetch_page(ctx, offset, limit);
        // pagination.total defaults to 0 in the vendor's model: 0 beside rows means "not sent".
        if (p.total && *p.total == 0 && p.rows > 0) p.total.reset();
        // The server's pagination.limit, not our limit, is the page size: it may cap ours.
        return listing::Page<Vm>{std::move(p.vms), p.rows, p.total, p.limit, {}, {}};
      });
  return std::move(result.rows);
}

void BcsScraper::collect(ScrapeContext& ctx) {
  const auto vms = list(ctx);
  if (ctx.target.group_enabled(kFleetGroup)) emit_fleet(vms, ctx.out);
  if (ctx.target.per_resource_series) emit_per_vm(vms, ctx.out, ctx.cap);
}

}  // namespace fue::kakaocloud_bcs
