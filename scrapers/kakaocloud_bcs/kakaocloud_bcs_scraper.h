#pragma once

#include <memory>
#include <vector>

#include "exporter/engine/scraper.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_parse.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_settings.h"

namespace fue::kakaocloud_bcs {

// Lists every BCS instance of one target with GET /api/v1/instances through the shared listing
// (offset/limit, paged by the echoed pagination.limit, reconciled with pagination.total), then
// the metrics.
class BcsScraper : public Scraper {
 public:
  BcsScraper(const TargetConfig& target, http::Client& client);
  void collect(ScrapeContext& ctx) override;

 private:
  std::vector<Vm> list(ScrapeContext& ctx);
  Page fetch_page(ScrapeContext& ctx, int64_t offset, int64_t limit);

  std::shared_ptr<const Settings> settings_;
};

}  // namespace fue::kakaocloud_bcs
