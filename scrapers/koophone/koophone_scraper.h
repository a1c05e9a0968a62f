#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exporter/engine/scraper.h"
#include "scrapers/koophone/koophone_parse.h"
#include "scrapers/koophone/koophone_settings.h"

namespace fue::koophone {

// Lists every cloud phone of one target with GET /v1/instances/batch-query through the shared
// listing (page number/page size, paged by the echoed page_size, reconciled with total_count),
// then the metrics.
class KoophoneScraper : public Scraper {
 public:
  KoophoneScraper(const TargetConfig& target, http::Client& client);
  void collect(ScrapeContext& ctx) override;

 private:
  // All phones matching one filter (none, one instance id, or one instance name).
  std::vector<Phone> list(ScrapeContext& ctx, const http::Query& filter);
  Page fetch_page(ScrapeContext& ctx, const http::Query& filter, int page_no, int page_size);

  std::shared_ptr<const Settings> settings_;
};

// A random UUID version 4, for x-request-id.
std::string random_uuid_v4();
// Sets a fresh x-request-id (query parameter and header) on a request about to be sent.
void set_request_id(http::Request& req);

}  // namespace fue::koophone
