#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "exporter/engine/scraper.h"
#include "scrapers/thousandeyes/thousandeyes_scraper_rate_budget.h"
#include "scrapers/thousandeyes/thousandeyes_settings.h"

namespace fue::thousandeyes {

// One ThousandEyes target: GET /v7/usage per account group, then the two optional, paginated
// units endpoints, within what the organisation's rate budget leaves over.
class ThousandEyesScraper : public Scraper {
 public:
  ThousandEyesScraper(http::Client& client, std::shared_ptr<const Settings> settings);
  void collect(ScrapeContext& ctx) override;

 private:
  // An account group the requests are made for; label "default" when the token's own is used.
  struct Scope {
    std::optional<std::string> aid;
    std::string label;
  };

  void collect_usage(ScrapeContext& ctx, const Scope& scope);
  // The two units endpoints; a 403/404 closes the group for a while, other errors are partial.
  void collect_units(ScrapeContext& ctx, const Scope& scope, const std::string& group);
  // Walks `_links.next` cursors from `first` through the shared listing and gathers the unique
  // breakdowns[] rows (by account group and `id_field`) into `rows`; false when the rate budget
  // stopped the walk.
  bool walk_pages(ScrapeContext& ctx, const Scope& scope, const http::Request& first,
                  const char* id_field, std::vector<nlohmann::json>& rows);
  http::Request request(const std::string& path, const std::string& endpoint) const;
  void add_window(http::Request& req) const;
  bool group_open(const std::string& key);
  void close_group(ScrapeContext& ctx, const std::string& key, const std::string& group,
                   const Scope& scope, const std::string& why);
  void emit_rate_limits(ScrapeContext& ctx, const std::vector<Scope>& scopes) const;

  http::Client& client_;
  std::shared_ptr<const Settings> settings_;
  RateBudget budget_;
  std::mutex gate_mutex_;
  // "<group>/<scope>" of groups the organisation does not offer, and when to ask again.
  std::map<std::string, Clock::time_point> closed_until_;
};

}  // namespace fue::thousandeyes
