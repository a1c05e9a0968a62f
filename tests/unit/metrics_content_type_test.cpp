// Every path that serves metrics names its format in Content-Type, whatever the encoding: the
// Prometheus text format on /metrics and /probe, plain and gzip, and OpenMetrics when asked for.
// Prometheus 3 refuses a scrape with a wrong type, while 2.x (our e2e tests) accepts any.
#include <gtest/gtest.h>
#include <httplib.h>

#include "exporter/metrics/serializer.h"
#include "exporter/server/config_reloader.h"
#include "exporter/server/web_server.h"
#include "tests/support/harness.h"

namespace fue {
namespace {

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kOpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

class OneValue : public Scraper {
 public:
  void collect(ScrapeContext& ctx) override {
    ctx.out.gauge("testvendor_value", "A test value.").add({}, 42);
  }
};

class ContentTypeTest : public ::testing::Test {
 protected:
  ContentTypeTest() {
    VendorDescriptor d;
    d.key = "testvendor";
    d.create = [](const TargetConfig&, http::Client&) -> std::unique_ptr<Scraper> {
      return std::make_unique<OneValue>();
    };
    registry.add(std::move(d));
    engine = std::make_unique<Engine>(registry, std::make_shared<SelfMetrics>());
    reloader = std::make_unique<ConfigReloader>(
        "test.toml",
        [](const std::string&) {
          ExporterConfig c;
          c.file = "test.toml";
          TargetConfig t;
          t.vendor = "testvendor";
          t.name = "a";
          t.base_url = "http://127.0.0.1:1";
          t.timeout = Duration(10000);
          c.targets.push_back(t);
          return c;
        },
        *engine);
    EXPECT_FALSE(reloader->reload().has_value());
    server = std::make_unique<WebServer>(*engine, *reloader);
    server->bind("127.0.0.1", 0);
    server->start();
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_read_timeout(10, 0);
  }
  ~ContentTypeTest() override { server->stop(); }

  // GETs `path`, checks status, type and (decompressed) body; `gzip` asks for a gzipped answer
  // and checks that it came gzipped.
  void expect_prometheus_text(const std::string& path, bool gzip) {
    SCOPED_TRACE(path + (gzip ? " (gzip)" : " (plain)"));
    httplib::Headers headers;
    if (gzip) headers.emplace("Accept-Encoding", "gzip");
    client->set_decompress(true);
    auto res = client->Get(path, headers);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), kPrometheusText);
    EXPECT_EQ(res->get_header_value("Content-Encoding"), gzip ? "gzip" : "");
    EXPECT_NE(res->body.find("testvendor_value{target=\"a\"} 42\n"), std::string::npos)
        << res->body;
  }

  // OpenMetrics, asked for by ?format= or by Accept, names its own type and ends in # EOF.
  void expect_openmetrics(const std::string& path, const httplib::Headers& headers) {
    SCOPED_TRACE(path);
    client->set_decompress(true);
    auto res = client->Get(path, headers);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), kOpenMetrics);
    EXPECT_NE(res->body.find("testvendor_value{target=\"a\"} 42"), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("# EOF\n"), std::string::npos);
  }

  VendorRegistry registry;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<ConfigReloader> reloader;
  std::unique_ptr<WebServer> server;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(ContentTypeTest, MetricsPlain) { expect_prometheus_text("/metrics", false); }
TEST_F(ContentTypeTest, MetricsGzip) { expect_prometheus_text("/metrics", true); }
TEST_F(ContentTypeTest, ProbePlain) {
  expect_prometheus_text("/probe?vendor=testvendor&target=a", false);
}
TEST_F(ContentTypeTest, ProbeGzip) {
  expect_prometheus_text("/probe?vendor=testvendor&target=a", true);
}

TEST_F(ContentTypeTest, OpenMetricsByFormatParameter) {
  expect_openmetrics("/metrics?format=openmetrics", {});
}
TEST_F(ContentTypeTest, OpenMetricsByAcceptHeader) {
  expect_openmetrics("/metrics", {{"Accept",
                                   "application/openmetrics-text;version=1.0.0,"
                                   "text/plain;version=0.0.4;q=0.5"}});
}
TEST_F(ContentTypeTest, OpenMetricsWithGzipAccepted) {
  expect_openmetrics("/metrics?format=openmetrics", {{"Accept-Encoding", "gzip"}});
}

TEST(ContentTypeConstant, AreThePrometheusFormats) {
  EXPECT_STREQ(kTextContentType, kPrometheusText);
  EXPECT_STREQ(kOpenMetricsContentType, kOpenMetrics);
}

}  // namespace
}  // namespace fue
