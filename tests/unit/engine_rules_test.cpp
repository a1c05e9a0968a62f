// Engine rules at their edges. min_interval both ways: inside the interval the cached result is
// served, and once it has passed the target is collected again (a cache that never expires
// serves stale usage forever while every test of the hit alone still passes). And a single
// duplicate series is dropped and counted.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "exporter/engine/engine.h"
#include "tests/support/exposition.h"

namespace fue {
namespace {

using namespace std::chrono_literals;

class CountingScraper : public Scraper {
 public:
  explicit CountingScraper(std::atomic<int>& calls) : calls_(calls) {}
  // Exports how many collections ran so far, so a served value shows which collection made it,
  // and one series twice (a vendor listing the same resource on two pages).
  void collect(ScrapeContext& ctx) override {
    ctx.out.gauge("testvendor_collection", "Number of this collection.").add({}, ++calls_);
    auto& twice = ctx.out.gauge("testvendor_twice", "Listed twice.", {"id"});
    twice.add({"x"}, 1);
    twice.add({"x"}, 2);
  }

 private:
  std::atomic<int>& calls_;
};

class EngineRules : public ::testing::Test {
 protected:
  EngineRules() {
    self = std::make_shared<SelfMetrics>();
    VendorDescriptor d;
    d.key = "testvendor";
    d.display_name = "Test vendor";
    d.create = [this](const TargetConfig&, http::Client&) {
      return std::make_unique<CountingScraper>(calls);
    };
    registry.add(std::move(d));
    engine = std::make_unique<Engine>(registry, self);
  }

  void apply(Duration min_interval) {
    TargetConfig t;
    t.vendor = "testvendor";
    t.name = "a";
    t.base_url = "http://127.0.0.1:1";
    t.timeout = Duration(5000);
    t.min_interval = min_interval;
    auto config = std::make_shared<ExporterConfig>();
    config->targets.push_back(t);
    engine->apply(config);
  }

  // The served value of testvendor_collection, and whether this scrape was a cache hit.
  std::pair<double, bool> scrape() {
    const double hits_before = cache_hits();
    std::string text;
    serialize_text(engine->collect_all(std::nullopt).metrics, text);
    const auto value = test::sample_value(text, R"(testvendor_collection{target="a"})");
    EXPECT_TRUE(value) << text;
    return {value.value_or(-1), cache_hits() > hits_before};
  }

  double cache_hits() {
    return test::sample_value(
               test::text_of(self->collect()),
               R"(fleet_usage_exporter_target_cache_hits_total{vendor="testvendor",target="a"})")
        .value_or(0);
  }

  std::atomic<int> calls{0};
  std::shared_ptr<SelfMetrics> self;
  VendorRegistry registry;
  std::unique_ptr<Engine> engine;
};

TEST_F(EngineRules, MinIntervalCacheIsRefreshedOnceTheIntervalHasPassed) {
  apply(Duration(1000));
  EXPECT_EQ(scrape(), std::make_pair(1.0, false));
  EXPECT_EQ(scrape(), std::make_pair(1.0, true)) << "inside the interval: served from the cache";
  std::this_thread::sleep_for(1300ms);
  EXPECT_EQ(scrape(), std::make_pair(2.0, false)) << "past the interval: collected again";
  EXPECT_EQ(calls, 2);
  // The refresh starts a new interval: the next scrape is served from the new result.
  EXPECT_EQ(scrape(), std::make_pair(2.0, true));
  EXPECT_EQ(calls, 2);
}

TEST_F(EngineRules, MinIntervalZeroMeansEveryScrapeCollects) {
  apply(Duration::zero());
  EXPECT_EQ(scrape(), std::make_pair(1.0, false));
  EXPECT_EQ(scrape(), std::make_pair(2.0, false));
  EXPECT_EQ(calls, 2);
}

TEST_F(EngineRules, ASingleDuplicateSeriesIsDroppedAndCounted) {
  apply(Duration::zero());
  std::string text;
  serialize_text(engine->collect_all(std::nullopt).metrics, text);
  EXPECT_EQ(test::sample_value(text, R"(testvendor_twice{target="a",id="x"})"), 1) << text;
  EXPECT_EQ(text.find(R"(testvendor_twice{target="a",id="x"} 2)"), std::string::npos) << text;
  const std::string own = test::text_of(self->collect());
  EXPECT_EQ(test::sample_value(own, "fleet_usage_exporter_duplicate_series_dropped_total"), 1)
      << own;
}

}  // namespace
}  // namespace fue
