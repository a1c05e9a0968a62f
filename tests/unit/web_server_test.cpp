// The exporter's own endpoints over real loopback HTTP, with a test vendor behind the engine.
#include "exporter/server/web_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <thread>

#include "exporter/core/errors.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/landing_page.h"
#include "tests/support/harness.h"

namespace fue {
namespace {

using namespace std::chrono_literals;

class ScriptedScraper : public Scraper {
 public:
  explicit ScriptedScraper(std::function<void(ScrapeContext&)> f) : f_(std::move(f)) {}
  void collect(ScrapeContext& ctx) override { f_(ctx); }

 private:
  std::function<void(ScrapeContext&)> f_;
};

class WebServerTest : public ::testing::Test {
 protected:
  WebServerTest() {
    VendorDescriptor d;
    d.key = "testvendor";
    d.create = [](const TargetConfig& t, http::Client&) -> std::unique_ptr<Scraper> {
      if (t.name == "slow")
        return std::make_unique<ScriptedScraper>(
            [](ScrapeContext&) { std::this_thread::sleep_for(1500ms); });
      if (t.name == "broken")
        return std::make_unique<ScriptedScraper>([](ScrapeContext&) {
          throw ScrapeError("bad_response", "<script>alert(1)</script> & more");
        });
      return std::make_unique<ScriptedScraper>([](ScrapeContext& ctx) {
        ctx.out.gauge("testvendor_value", "A test value.").add({}, 42);
      });
    };
    registry.add(std::move(d));
    engine = std::make_unique<Engine>(registry, std::make_shared<SelfMetrics>());
    reloader = std::make_unique<ConfigReloader>(
        "test.toml", [this](const std::string&) { return loader(); }, *engine);
    server = std::make_unique<WebServer>(*engine, *reloader);
    server->bind("127.0.0.1", 0);
    server->start();
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_read_timeout(10, 0);
  }
  ~WebServerTest() override { server->stop(); }

  static ExporterConfig config_with(std::vector<std::string> names) {
    ExporterConfig c;
    c.file = "test.toml";
    c.global.scrape_timeout_offset = Duration(500);
    for (auto& n : names) {
      TargetConfig t;
      t.vendor = "testvendor";
      t.name = n;
      t.base_url = "http://127.0.0.1:1";
      t.timeout = Duration(10000);
      c.targets.push_back(t);
    }
    return c;
  }

  std::function<ExporterConfig()> loader = [] { return config_with({"a"}); };
  VendorRegistry registry;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<ConfigReloader> reloader;
  std::unique_ptr<WebServer> server;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(WebServerTest, MetricsServesVendorAndSelfFamiliesAsPrometheusText) {
  ASSERT_FALSE(reloader->reload().has_value());
  auto res = client->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res->body.find("testvendor_value{target=\"a\"} 42\n"), std::string::npos) << res->body;
  EXPECT_NE(
      res->body.find("fleet_usage_exporter_target_up{vendor=\"testvendor\",target=\"a\"} 1\n"),
      std::string::npos);
  EXPECT_NE(res->body.find("fleet_usage_exporter_build_info{"), std::string::npos);
  test::expect_promtool_ok(res->body);
}

TEST_F(WebServerTest, MetricsIsGzippedWhenTheClientAcceptsIt) {
  ASSERT_FALSE(reloader->reload().has_value());
  client->set_decompress(false);
  auto gz = client->Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 200);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  ASSERT_GE(gz->body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz->body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz->body[1]), 0x8b);
  auto plain = client->Get("/metrics");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
  EXPECT_NE(plain->body.find("testvendor_value"), std::string::npos);
  // Streamed and compressed chunk by chunk, it still decompresses to the whole exposition.
  client->set_decompress(true);
  auto inflated = client->Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(inflated);
  EXPECT_EQ(inflated->status, 200);
  EXPECT_NE(inflated->body.find("testvendor_value"), std::string::npos);
  EXPECT_NE(inflated->body.find("fleet_usage_exporter_build_info{"), std::string::npos);
  test::expect_promtool_ok(inflated->body);
}

TEST_F(WebServerTest, FailingTargetStillAnswers200) {
  loader = [] { return config_with({"a", "broken"}); };
  ASSERT_FALSE(reloader->reload().has_value());
  auto res = client->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(
      res->body.find("fleet_usage_exporter_target_up{vendor=\"testvendor\",target=\"broken\"} 0\n"),
      std::string::npos);
  EXPECT_NE(res->body.find("testvendor_value{target=\"a\"} 42\n"), std::string::npos);
}

TEST_F(WebServerTest, HealthyAlwaysReadyOnlyWithAConfig) {
  auto healthy = client->Get("/-/healthy");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  EXPECT_EQ(healthy->body, "Healthy\n");
  auto not_ready = client->Get("/-/ready");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  ASSERT_FALSE(reloader->reload().has_value());
  auto ready = client->Get("/-/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "Ready\n");
}

TEST_F(WebServerTest, ReloadNeedsPostAndKeepsTheOldConfigOnFailure) {
  ASSERT_FALSE(reloader->reload().has_value());
  auto get = client->Get("/-/reload");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);

  loader = [] { return config_with({"a", "b"}); };
  auto ok = client->Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(engine->config()->targets.size(), 2u);

  const auto before = engine->config();
  loader = []() -> ExporterConfig {
    throw config::ConfigError("test.toml", 3, "losant[1].token", "unknown key");
  };
  auto bad = client->Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 500);
  EXPECT_NE(bad->body.find("test.toml:3"), std::string::npos) << bad->body;
  EXPECT_EQ(engine->config(), before);
  auto metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("fleet_usage_exporter_config_last_reload_successful 0\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("fleet_usage_exporter_config_reloads_total{result=\"success\"} 2\n"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("fleet_usage_exporter_config_reloads_total{result=\"failure\"} 1\n"),
            std::string::npos);
}

TEST_F(WebServerTest, LandingPageListsTargetsAndEscapesEverything) {
  loader = [] { return config_with({"a", "broken", "<b>&'x'"}); };
  ASSERT_FALSE(reloader->reload().has_value());
  ASSERT_TRUE(client->Get("/metrics"));
  auto res = client->Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const auto& page = res->body;
  EXPECT_NE(page.find("href=\"./metrics\""), std::string::npos);
  EXPECT_NE(page.find("href=\"./-/healthy\""), std::string::npos);
  EXPECT_NE(page.find("href=\"./-/ready\""), std::string::npos);
  // Relative links only, so the page works behind a route prefix; each target links its probe.
  EXPECT_EQ(page.find("href=\"/"), std::string::npos) << page;
  EXPECT_NE(page.find("href=\"./probe?target="), std::string::npos) << page;
  EXPECT_NE(page.find("&lt;b&gt;&amp;&#39;x&#39;"), std::string::npos);
  EXPECT_EQ(page.find("<b>&"), std::string::npos);
  EXPECT_NE(page.find("bad_response: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"),
            std::string::npos)
      << page;
  EXPECT_EQ(page.find("<script>"), std::string::npos);
}

TEST_F(WebServerTest, ScrapeTimeoutHeaderBoundsTheCollection) {
  loader = [] { return config_with({"a", "slow"}); };
  ASSERT_FALSE(reloader->reload().has_value());
  const auto start = Clock::now();
  // 1.1 s minus the 500 ms offset: the slow target (1.5 s, timeout 10 s) must be cut at 600 ms.
  auto res = client->Get("/metrics", {{"X-Prometheus-Scrape-Timeout-Seconds", "1.1"}});
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(ms.count(), 1400);
  EXPECT_NE(
      res->body.find("fleet_usage_exporter_target_up{vendor=\"testvendor\",target=\"slow\"} 0\n"),
      std::string::npos);
  EXPECT_NE(res->body.find("fleet_usage_exporter_target_scrape_errors_total{vendor=\"testvendor\","
                           "target=\"slow\",reason=\"deadline_exceeded\"} 1\n"),
            std::string::npos);
  EXPECT_NE(res->body.find("testvendor_value{target=\"a\"} 42\n"), std::string::npos);
}

TEST(ScrapeTimeoutHeaderTest, SubtractsTheOffsetAndIgnoresBadValues) {
  EXPECT_EQ(scrape_timeout_from_header("10", Duration(500)), Duration(9500));
  EXPECT_EQ(scrape_timeout_from_header("2.5", Duration(0)), Duration(2500));
  EXPECT_EQ(scrape_timeout_from_header("0.3", Duration(500)), Duration(300));  // keeps something
  EXPECT_EQ(scrape_timeout_from_header("", Duration(500)), std::nullopt);
  EXPECT_EQ(scrape_timeout_from_header("abc", Duration(500)), std::nullopt);
  EXPECT_EQ(scrape_timeout_from_header("10s", Duration(500)), std::nullopt);
  EXPECT_EQ(scrape_timeout_from_header("-1", Duration(500)), std::nullopt);
  EXPECT_EQ(scrape_timeout_from_header("nan", Duration(500)), std::nullopt);
}

TEST_F(WebServerTest, ProbeCollectsOneTarget) {
  loader = [] { return config_with({"a", "broken"}); };
  ASSERT_FALSE(reloader->reload().has_value());
  auto res = client->Get("/probe?vendor=testvendor&target=a");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("testvendor_value{target=\"a\"} 42\n"), std::string::npos);
  auto missing = client->Get("/probe?vendor=testvendor&target=zzz");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
}

TEST(LandingPageTest, EscapesHtml) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

}  // namespace
}  // namespace fue
