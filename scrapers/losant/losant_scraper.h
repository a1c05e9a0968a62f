#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exporter/engine/scraper.h"
#include "scrapers/losant/losant_model.h"
#include "scrapers/losant/losant_settings.h"

namespace fue::losant {

// One target: a token and the instances it reads. Instances are fetched concurrently and each
// one succeeds or fails on its own; the target fails only when every instance does.
class LosantScraper : public Scraper {
 public:
  LosantScraper(const TargetConfig& target, http::Client& client);
  void collect(ScrapeContext& ctx) override;

 private:
  struct Outcome {
    InstanceData data;
    std::string error_reason;  // empty on success
    std::string error_message;
  };

  std::vector<std::string> instance_ids(ScrapeContext& ctx) const;
  std::vector<std::string> discover(ScrapeContext& ctx) const;
  Outcome fetch_instance(ScrapeContext& ctx, const std::string& id, int64_t now_ms) const;
  std::vector<ResourceSummary> fetch_summaries(ScrapeContext& ctx, const std::string& id,
                                               int64_t now_ms) const;
  http::Request request(std::string path, std::string endpoint, http::Query query) const;

  const LosantSettings& settings_;
};

std::unique_ptr<Scraper> create_scraper(const TargetConfig& target, http::Client& client);

}  // namespace fue::losant
