// The scrape engine against a test vendor whose scraper calls a local loopback HTTP server (or
// sleeps / throws), so these tests depend on neither the real vendors nor the simulator.
#include "exporter/engine/engine.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <future>
#include <map>
#include <thread>

#include "exporter/core/errors.h"

namespace fue {
namespace {

using namespace std::chrono_literals;
using Behaviour = std::function<void(ScrapeContext&)>;

// A loopback upstream: /value answers {"value": 42} after an optional delay and counts hits.
class Upstream {
 public:
  Upstream() {
    server_.Get("/value", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms.load()));
      res.set_content(R"({"value": 42})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~Upstream() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::atomic<int> hits{0};
  std::atomic<int> latency_ms{0};

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// Fetches /value from the target's upstream and exports it as testvendor_value.
void fetch_value(ScrapeContext& ctx) {
  http::Request req;
  req.path = "/value";
  req.endpoint = "value";
  auto body = ctx.http.get_json(req, ctx.deadline);
  ctx.out.gauge("testvendor_value", "The upstream's value.")
      .add({}, body.at("value").get<double>());
}

class TestScraper : public Scraper {
 public:
  explicit TestScraper(Behaviour b) : behaviour_(std::move(b)) {}
  void collect(ScrapeContext& ctx) override { behaviour_(ctx); }

 private:
  Behaviour behaviour_;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    VendorDescriptor d;
    d.key = "testvendor";
    d.display_name = "Test vendor";
    d.create = [this](const TargetConfig& t, http::Client&) {
      ++scrapers_created;
      auto it = behaviours.find(t.name);
      return std::make_unique<TestScraper>(it != behaviours.end() ? it->second : fetch_value);
    };
    registry.add(std::move(d));
    engine = std::make_unique<Engine>(registry, self);
  }

  TargetConfig target(const std::string& name, Duration timeout = 5000ms) {
    TargetConfig t;
    t.vendor = "testvendor";
    t.name = name;
    t.base_url = upstream.url();
    t.timeout = timeout;
    return t;
  }

  void apply(std::vector<TargetConfig> targets, int workers = 8) {
    auto config = std::make_shared<ExporterConfig>();
    config->global.max_concurrent_targets = workers;
    config->targets = std::move(targets);
    engine->apply(config);
  }

  // The value of one self-metric sample, NaN when absent.
  double self_value(const std::string& name, const std::vector<std::string>& labels) {
    return sample(self->collect(), name, labels);
  }

  static double sample(const MetricSet& set, const std::string& name,
                       const std::vector<std::string>& labels) {
    const MetricFamily* f = set.find(name);
    if (!f) return NAN;
    for (const auto& s : f->samples()) {
      if (s.kind != SampleKind::kPlain && s.kind != SampleKind::kCount) continue;
      auto values = f->values_of(s);
      if (std::vector<std::string>(values.begin(), values.end()) == labels) return s.value;
    }
    return NAN;
  }

  Upstream upstream;
  VendorRegistry registry;
  std::map<std::string, Behaviour> behaviours;
  std::atomic<int> scrapers_created{0};
  std::shared_ptr<SelfMetrics> self = std::make_shared<SelfMetrics>();
  std::unique_ptr<Engine> engine;  // destroyed first: joins background collections
};

double elapsed_ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

TEST_F(EngineTest, CollectsOverHttpWithTargetLabelAndRequestMetrics) {
  apply({target("a")});
  auto result = engine->collect_all(std::nullopt);
  EXPECT_TRUE(result.all_up);
  EXPECT_EQ(sample(result.metrics.merged(), "testvendor_value", {"a"}), 42);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_up", {"testvendor", "a"}), 1);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_collections_total", {"testvendor", "a"}), 1);
  EXPECT_EQ(
      self_value("fleet_usage_exporter_api_requests_total", {"testvendor", "a", "value", "200"}),
      1);
  EXPECT_EQ(
      self_value("fleet_usage_exporter_api_request_duration_seconds", {"testvendor", "a", "value"}),
      1);  // the histogram's _count
  EXPECT_GT(
      self_value("fleet_usage_exporter_target_last_success_timestamp_seconds", {"testvendor", "a"}),
      1.6e9);
}

TEST_F(EngineTest, SelfMetricsArePreInitialisedBeforeTheFirstCollection) {
  apply({target("a")});
  EXPECT_EQ(self_value("fleet_usage_exporter_target_up", {"testvendor", "a"}), 0);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_collections_total", {"testvendor", "a"}), 0);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_scrape_errors_total",
                       {"testvendor", "a", "deadline_exceeded"}),
            0);
  EXPECT_EQ(self_value("fleet_usage_exporter_dropped_series_total", {"testvendor", "a"}), 0);
  EXPECT_EQ(self_value("fleet_usage_exporter_api_rate_limited_total", {"testvendor", "a"}), 0);
}

TEST_F(EngineTest, TargetsAreCollectedConcurrently) {
  upstream.latency_ms = 300;
  constexpr int kTargets = 5;
  std::vector<TargetConfig> targets;
  for (int i = 0; i < kTargets; ++i) targets.push_back(target("t" + std::to_string(i)));
  apply(targets, kTargets);
  const auto start = Clock::now();
  auto result = engine->collect_all(std::nullopt);
  const double ms = elapsed_ms(start);
  EXPECT_TRUE(result.all_up);
  EXPECT_EQ(upstream.hits, kTargets);
  EXPECT_GE(ms, 300);
  EXPECT_LT(ms, kTargets * 300 * 0.6) << "targets were collected one after another";
}

TEST_F(EngineTest, PoolSizeBoundsConcurrency) {
  upstream.latency_ms = 200;
  apply({target("a"), target("b"), target("c"), target("d")}, 1);
  const auto start = Clock::now();
  EXPECT_TRUE(engine->collect_all(std::nullopt).all_up);
  EXPECT_GE(elapsed_ms(start), 4 * 200) << "one worker must collect one target at a time";
}

TEST_F(EngineTest, HangingTargetMissesItsDeadlineWhileOthersAreServed) {
  // This scraper ignores its deadline entirely; the engine must not wait for it.
  behaviours["hang"] = [](ScrapeContext&) { std::this_thread::sleep_for(1500ms); };
  apply({target("ok"), target("hang")});
  const auto start = Clock::now();
  auto result = engine->collect_all(Duration(400));
  const double ms = elapsed_ms(start);
  EXPECT_LT(ms, 400 + 200 + 300);
  EXPECT_FALSE(result.all_up);
  EXPECT_EQ(sample(result.metrics.merged(), "testvendor_value", {"ok"}), 42);
  EXPECT_TRUE(std::isnan(sample(result.metrics.merged(), "testvendor_value", {"hang"})));
  EXPECT_EQ(self_value("fleet_usage_exporter_target_up", {"testvendor", "hang"}), 0);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_up", {"testvendor", "ok"}), 1);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_scrape_errors_total",
                       {"testvendor", "hang", "deadline_exceeded"}),
            1);
  auto status = engine->status();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_NE(status[1].last_error.find("deadline_exceeded"), std::string::npos);
}

TEST_F(EngineTest, LateResultIsDiscarded) {
  behaviours["slow"] = [](ScrapeContext& ctx) {
    std::this_thread::sleep_for(700ms);
    ctx.out.gauge("testvendor_value", "late").add({}, 1);
  };
  apply({target("slow")});
  EXPECT_FALSE(engine->collect_all(Duration(200)).all_up);
  std::this_thread::sleep_for(800ms);  // the scraper has finished in the background by now
  EXPECT_EQ(self_value("fleet_usage_exporter_target_up", {"testvendor", "slow"}), 0);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_collections_total", {"testvendor", "slow"}), 1);
  // The next scrape runs a fresh collection instead of serving the late result.
  auto next = engine->collect_all(std::nullopt);
  EXPECT_TRUE(next.all_up);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_collections_total", {"testvendor", "slow"}), 2);
}

TEST_F(EngineTest, ConcurrentScrapesShareOneUpstreamCollection) {
  upstream.latency_ms = 300;
  apply({target("a")});
  auto first = std::async(std::launch::async, [&] { return engine->collect_all(std::nullopt); });
  std::this_thread::sleep_for(50ms);  // let the first scrape start its collection
  auto second = engine->collect_all(std::nullopt);
  auto first_result = first.get();
  EXPECT_TRUE(first_result.all_up);
  EXPECT_TRUE(second.all_up);
  EXPECT_EQ(sample(first_result.metrics.merged(), "testvendor_value", {"a"}), 42);
  EXPECT_EQ(sample(second.metrics.merged(), "testvendor_value", {"a"}), 42);
  EXPECT_EQ(upstream.hits, 1);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_collections_total", {"testvendor", "a"}), 1);
  // Once it is done, the next scrape collects again (no min_interval here).
  engine->collect_all(std::nullopt);
  EXPECT_EQ(upstream.hits, 2);
}

TEST_F(EngineTest, MinIntervalServesTheCachedResultAndSaysSo) {
  auto t = target("a");
  t.min_interval = Duration(60000);
  apply({t});
  auto fresh = engine->collect_all(std::nullopt);
  ASSERT_NE(fresh.metrics.find("testvendor_value"), nullptr);
  const std::string help = fresh.metrics.merged().find("testvendor_value")->help();
  // Said from the config on every scrape, so HELP never changes between a fresh and a cached one.
  EXPECT_NE(help.find("min_interval"), std::string::npos) << help;
  std::this_thread::sleep_for(20ms);
  auto cached = engine->collect_all(std::nullopt);
  EXPECT_EQ(upstream.hits, 1);
  ASSERT_NE(cached.metrics.find("testvendor_value"), nullptr);
  EXPECT_EQ(sample(cached.metrics.merged(), "testvendor_value", {"a"}), 42);
  EXPECT_EQ(cached.metrics.merged().find("testvendor_value")->help(), help);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_cache_hits_total", {"testvendor", "a"}), 1);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_collections_total", {"testvendor", "a"}), 1);
  EXPECT_GT(self_value("fleet_usage_exporter_target_data_age_seconds", {"testvendor", "a"}), 0.01);
}

TEST_F(EngineTest, HelpIsTheSameWhicheverTargetIsFreshCachedOrFailed) {
  auto cached = target("a");
  cached.min_interval = Duration(60000);
  apply({cached, target("b")});
  const std::string first =
      engine->collect_all(std::nullopt).metrics.merged().find("testvendor_value")->help();
  for (int i = 0; i < 3; ++i) {
    const auto again = engine->collect_all(std::nullopt);
    ASSERT_NE(again.metrics.find("testvendor_value"), nullptr);
    EXPECT_EQ(again.metrics.merged().find("testvendor_value")->help(), first);
  }
  // Without any min_interval, no note at all.
  apply({target("c")});
  EXPECT_EQ(engine->collect_all(std::nullopt)
                .metrics.merged()
                .find("testvendor_value")
                ->help()
                .find("min_interval"),
            std::string::npos);
}

TEST_F(EngineTest, FailuresCountTheirReasonAndContributeNoSeries) {
  behaviours["http"] = [](ScrapeContext&) { throw ScrapeError("http_503", "upstream down"); };
  behaviours["bug"] = [](ScrapeContext&) { throw std::runtime_error("oops"); };
  apply({target("http"), target("bug"), target("ok")});
  auto result = engine->collect_all(std::nullopt);
  EXPECT_FALSE(result.all_up);
  EXPECT_EQ(result.metrics.find("testvendor_value")->size(), 1u);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_scrape_errors_total",
                       {"testvendor", "http", "http_503"}),
            1);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_scrape_errors_total",
                       {"testvendor", "bug", "internal"}),
            1);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_up", {"testvendor", "bug"}), 0);
}

TEST_F(EngineTest, PartialErrorsAreCountedWithoutFailingTheTarget) {
  behaviours["a"] = [](ScrapeContext& ctx) {
    ctx.partial_error("instance_not_found", "instance x: 404");
    fetch_value(ctx);
  };
  apply({target("a")});
  EXPECT_TRUE(engine->collect_all(std::nullopt).all_up);
  EXPECT_EQ(self_value("fleet_usage_exporter_target_partial_errors_total",
                       {"testvendor", "a", "instance_not_found"}),
            1);
}

TEST_F(EngineTest, DuplicateSeriesAreRemovedAndCounted) {
  behaviours["a"] = [](ScrapeContext& ctx) {
    auto& f = ctx.out.gauge("testvendor_dup", "Twice the same series.", {"k"});
    f.add({"x"}, 1);
    f.add({"x"}, 2);
    f.add({"y"}, 3);
  };
  apply({target("a")});
  auto result = engine->collect_all(std::nullopt);
  EXPECT_EQ(result.metrics.find("testvendor_dup")->size(), 2u);
  EXPECT_EQ(self_value("fleet_usage_exporter_duplicate_series_dropped_total", {}), 1);
}

TEST_F(EngineTest, DroppedSeriesComeFromTheCap) {
  behaviours["a"] = [](ScrapeContext& ctx) {
    auto& f = ctx.out.gauge("testvendor_device_value", "Per device.", {"device"});
    for (int i = 0; i < 5; ++i)
      if (ctx.cap.admit(1)) f.add({std::to_string(i)}, i);
  };
  auto t = target("a");
  t.max_resources = 2;
  apply({t});
  auto result = engine->collect_all(std::nullopt);
  EXPECT_EQ(result.metrics.find("testvendor_device_value")->size(), 2u);
  EXPECT_EQ(self_value("fleet_usage_exporter_dropped_series_total", {"testvendor", "a"}), 3);
}

TEST_F(EngineTest, ReloadKeepsUnchangedRunnersAndForgetsRemovedTargets) {
  apply({target("a"), target("b"), target("c")});
  EXPECT_EQ(scrapers_created, 3);
  engine->collect_all(std::nullopt);
  apply({target("a"), target("b", 6000ms)});  // a unchanged, b changed, c removed
  EXPECT_EQ(scrapers_created, 4);
  // a kept its collection history; c's self-metrics are gone.
  EXPECT_EQ(self_value("fleet_usage_exporter_target_collections_total", {"testvendor", "a"}), 1);
  EXPECT_TRUE(std::isnan(self_value("fleet_usage_exporter_target_up", {"testvendor", "c"})));
  auto status = engine->status();
  ASSERT_EQ(status.size(), 2u);
  EXPECT_TRUE(status[0].up);  // the kept runner remembers its last status
  auto disabled = target("a");
  disabled.enabled = false;
  apply({disabled, target("b", 6000ms)});
  EXPECT_EQ(engine->status().size(), 1u);
  EXPECT_EQ(scrapers_created, 4);
}

TEST_F(EngineTest, CollectOneRunsOnlyThatTarget) {
  apply({target("a"), target("b")});
  auto result = engine->collect_one("testvendor", "b", std::nullopt);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(sample(result->metrics.merged(), "testvendor_value", {"b"}), 42);
  EXPECT_EQ(upstream.hits, 1);
  EXPECT_FALSE(engine->collect_one("testvendor", "missing", std::nullopt).has_value());
}

}  // namespace
}  // namespace fue
