#include "scrapers/kakaocloud_bcs/bcs_scraper.h"

#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/http/page_merge.h"
#include "exporter/http/pagination.h"
#include "exporter/http/token_provider.h"
#include "scrapers/kakaocloud_bcs/bcs_errors.h"
#include "scrapers/kakaocloud_bcs/bcs_metrics.h"

namespace fue::kakaocloud_bcs {

nlohmann::json iam_credential_body(const Settings& s) {
  return {{"auth",
           {{"identity",
             {{"methods", {"application_credential"}},
              {"application_credential",
               {{"id", s.credential_id.reveal()}, {"secret", s.credential_secret.reveal()}}}}}}}};
}

BcsScraper::BcsScraper(const TargetConfig& target, http::Client& client)
    : settings_(std::dynamic_pointer_cast<const Settings>(target.settings)) {
  if (!settings_) throw std::logic_error("kakaocloud_bcs target without its settings");
  client.set_error_decoder(decode_error);
  if (settings_->uses_token_file()) {
    client.set_authenticator(http::static_header_auth("X-Auth-Token", settings_->token));
    return;
  }
  auto settings = settings_;
  auto tokens =
      std::make_shared<http::TokenProvider>([settings](http::Client& c, const Deadline& d) {
        return http::keystone_token_exchange(c, settings->iam_url + "/identity/v3/auth/tokens",
                                             iam_credential_body(*settings), d);
      });
  client.set_authenticator(http::token_auth("X-Auth-Token", tokens));
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
  return parse_page(ctx.http.get_json(std::move(req), ctx.deadline));
}

namespace {
ScrapeError runaway(int max_pages) {
  return ScrapeError("runaway_paging", "no pagination.total and still full pages after max_pages " +
                                           std::to_string(max_pages) + " pages; stopped");
}
}  // namespace

std::vector<std::vector<Vm>> BcsScraper::list(ScrapeContext& ctx) {
  const int64_t limit = settings_->page_size;
  Page first = fetch_page(ctx, 0, limit);
  std::vector<std::vector<Vm>> out;
  const bool full_first = static_cast<int64_t>(first.rows) >= limit;
  const bool has_total = first.total && (*first.total > 0 || first.rows == 0);
  out.push_back(std::move(first.vms));
  if (!full_first && (!has_total || *first.total <= static_cast<int64_t>(first.rows))) return out;

  if (has_total) {
    const int pages = http::page_count(*first.total, limit);
    if (pages > settings_->max_pages)
      throw ScrapeError("runaway_paging", "pagination.total " + std::to_string(*first.total) +
                                              " needs " + std::to_string(pages) +
                                              " pages, more than max_pages " +
                                              std::to_string(settings_->max_pages));
    auto rest = http::fetch_pages<std::vector<Vm>>(
        1, pages - 1, ctx.target.http.concurrency,
        [&](int page) { return fetch_page(ctx, page * limit, limit).vms; });
    for (auto& p : rest) out.push_back(std::move(p));
    return out;
  }

  // No total: one page after another until a short page, with a hard stop.
  if (settings_->max_pages <= 1) throw runaway(settings_->max_pages);
  try {
    follow_pages(ctx, limit, out);
  } catch (const ScrapeError& e) {
    if (e.reason() == "runaway_paging") throw runaway(settings_->max_pages);
    throw;
  }
  return out;
}

void BcsScraper::follow_pages(ScrapeContext& ctx, int64_t limit,
                              std::vector<std::vector<Vm>>& out) {
  http::follow_cursor(
      [&](const std::optional<std::string>& cursor) -> std::optional<std::string> {
        const int64_t offset = cursor ? std::stoll(*cursor) : limit;
        Page page = fetch_page(ctx, offset, limit);
        const bool more = static_cast<int64_t>(page.rows) >= limit;
        out.push_back(std::move(page.vms));
        if (!more) return std::nullopt;
        return std::to_string(offset + limit);
      },
      settings_->max_pages - 1);
}

void BcsScraper::collect(ScrapeContext& ctx) {
  size_t duplicates = 0;
  auto vms = http::merge_unique(
      list(ctx), [](const Vm& v) -> std::string_view { return v.id; }, &duplicates);
  if (duplicates > 0)
    log::debug("kakaocloud_bcs listing shifted while paging; duplicates dropped",
               {{"target", ctx.target.name}, {"duplicates", std::to_string(duplicates)}});
  if (ctx.target.group_enabled("fleet")) emit_fleet(vms, ctx.out);
  if (ctx.target.per_resource_series) emit_per_vm(vms, ctx.out, ctx.cap);
}

}  // namespace fue::kakaocloud_bcs
