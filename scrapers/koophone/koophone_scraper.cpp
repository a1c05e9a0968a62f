#include "scrapers/koophone/koophone_scraper.h"

#include <algorithm>
#include <random>

#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/engine/listing.h"
#include "exporter/http/page_merge.h"
#include "scrapers/koophone/koophone_errors.h"
#include "scrapers/koophone/koophone_metrics.h"

namespace fue::koophone {

std::string random_uuid_v4() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ull) | 0x4000ull;                          // version 4
  lo = (lo & ~0xC000000000000000ull) | 0x8000000000000000ull;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return buf;
}

void set_request_id(http::Request& req) {
  // The vendor's doc and SDK put x-request-id in the query; the header copy is harmless.
  const std::string id = random_uuid_v4();
  auto it = std::find_if(req.query.begin(), req.query.end(),
                         [](const auto& kv) { return kv.first == "x-request-id"; });
  if (it == req.query.end())
    req.query.insert(req.query.begin(), {"x-request-id", id});
  else
    it->second = id;
  req.headers.erase("x-request-id");
  req.headers.emplace("x-request-id", id);
}

KoophoneScraper::KoophoneScraper(const TargetConfig& target, http::Client& client)
    : settings_(target.settings_as<Settings>()) {
  client.set_error_decoder(decode_error);  // the authenticator: koophone_vendor.cpp
}

Page KoophoneScraper::fetch_page(ScrapeContext& ctx, const http::Query& filter, int page_no,
                                 int page_size) {
  http::Request req;
  req.path = "/v1/instances/batch-query";
  req.endpoint = "batch_query";
  req.query = {{"page_no", std::to_string(page_no)}, {"page_size", std::to_string(page_size)}};
  req.query.insert(req.query.end(), filter.begin(), filter.end());
  req.each_attempt = set_request_id;  // a fresh id on every attempt, retries included
  const int offset = settings_->utc_offset_seconds;
  Page page = ctx.http.get_parsed(std::move(req), ctx.deadline, [offset](const std::string& body) {
    return parse_page(body, offset);
  });
  for (const auto& field : page.conflicts)
    log::warn(
        "koophone response disagrees between data and top level; using data",
        {{"target", ctx.target.name}, {"field", field}, {"page_no", std::to_string(page_no)}});
  return page;
}

std::vector<Phone> KoophoneScraper::list(ScrapeContext& ctx, const http::Query& filter) {
  listing::Spec spec{"batch_query", settings_->page_size, settings_->max_pages};
  auto result = listing::by_page<Phone>(
      ctx, spec, [](const Phone& p) -> std::string_view { return p.instance_id; },
      [&](int page_no, int64_t page_size) {
        Page p = fetch_page(ctx, filter, page_no, static_cast<int>(page_size));
        // The echoed page_size, not ours, is the page size: the server may cap what we asked.
        const size_t rows = p.phones.size();
        return listing::Page<Phone>{std::move(p.phones), rows, p.total_count, p.page_size, {}, {}};
      });
  return std::move(result.rows);
}

void KoophoneScraper::collect(ScrapeContext& ctx) {
  http::Query base;
  if (!settings_->pool_scene_tag.empty())
    base.emplace_back("pool_scene_tag", settings_->pool_scene_tag);
  // The API filters by one id or one name per call: one listing per configured value.
  std::vector<http::Query> filters;
  for (const auto& id : settings_->instance_ids) {
    filters.push_back(base);
    filters.back().emplace_back("instance_id", id);
  }
  for (const auto& name : settings_->instance_names) {
    filters.push_back(base);
    filters.back().emplace_back("instance_name", name);
  }
  if (filters.empty()) filters.push_back(base);

  std::vector<std::vector<Phone>> lists;
  for (const auto& f : filters) lists.push_back(list(ctx, f));
  // A phone may match both an id and a name filter: counted once.
  auto phones = http::merge_unique(
      std::move(lists), [](const Phone& p) -> std::string_view { return p.instance_id; });

  if (ctx.target.group_enabled(kFleetGroup)) emit_fleet(phones, ctx.out);
  const bool backup = ctx.target.group_enabled(kBackupGroup);
  if (backup) emit_backup(phones, ctx.out);
  if (ctx.target.per_resource_series) emit_per_phone(phones, backup, ctx.out, ctx.cap);
}

}  // namespace fue::koophone
