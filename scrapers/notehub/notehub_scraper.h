#pragma once

#include <memory>

#include "exporter/engine/scraper.h"
#include "scrapers/notehub/notehub_settings.h"

namespace fue::notehub {

// Per project: usage/data, usage/events and usage/sessions (one call each, groups permitting),
// then the device inventory (/fleets plus the /devices pages) when the devices group is on.
class NotehubScraper : public Scraper {
 public:
  NotehubScraper(const TargetConfig& target, http::Client& client);
  void collect(ScrapeContext& ctx) override;

 private:
  void collect_project(ScrapeContext& ctx, const std::string& project, int64_t now);
  void collect_inventory(ScrapeContext& ctx, const std::string& project, int64_t now);

  std::shared_ptr<const Settings> settings_;
};

std::unique_ptr<Scraper> create_scraper(const TargetConfig& target, http::Client& client);

}  // namespace fue::notehub
