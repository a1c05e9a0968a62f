// One rendering per collection (issue 20): the gzip body built from a cached prefix and a
// per-scrape tail, the cache's single flight, and /metrics over real loopback HTTP.
#include "exporter/server/exposition_cache.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "exporter/core/errors.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/gzip_body.h"
#include "exporter/server/web_server.h"
#include "tests/support/gunzip.h"
#include "tests/support/harness.h"
#include "tests/support/raw_http.h"

namespace fue {
namespace {

using namespace std::chrono_literals;

using test::gunzip_one_member;

std::string random_text(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(GzipBodyTest, PrefixAndTailInflateToTheirConcatenation) {
  std::string exposition;
  for (int i = 0; i < 50000; ++i)
    exposition += "vendor_value{id=\"" + std::to_string(i) + "\"} " + std::to_string(i % 7) + "\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"", "tail only\n"},
      {"prefix only\n", ""},
      {exposition, "fleet_usage_exporter_up 1\n# EOF\n"},
      // Incompressible: the output outgrows its first estimate and must grow.
      {random_text(3 << 20, 1), random_text(100000, 2)},
  };
  for (const auto& [prefix, tail] : cases) {
    const DeflatePrefix p = deflate_prefix(prefix);
    EXPECT_EQ(p.size, prefix.size());
    std::string gz;
    write_gzip(p, tail, gz);
    EXPECT_EQ(gunzip_one_member(gz), prefix + tail) << prefix.size() << " + " << tail.size();
    // The same prefix serves a second, different tail.
    write_gzip(p, "other\n", gz);
    EXPECT_EQ(gunzip_one_member(gz), prefix + "other\n");
  }
  // An exposition compresses well at the fast level (about tenfold here).
  EXPECT_LT(deflate_prefix(exposition).deflate.size(), exposition.size() / 5);
}

// Text handed over in pieces (as the serializer streams it) compresses to the same member as the
// whole text, whatever the pieces' sizes, including empty and incompressible ones.
TEST(GzipBodyTest, PiecesCompressToTheWholeText) {
  std::string text;
  for (int i = 0; i < 30000; ++i)
    text += "vendor_value{id=\"" + std::to_string(i) + "\"} " + std::to_string(i % 7) + "\n";
  text += random_text(700000, 3);
  std::mt19937 rng(4);
  PrefixDeflater deflater(1024);  // far too small a guess: the output must grow
  size_t pieces = 0;
  for (size_t at = 0; at < text.size(); ++pieces) {
    const size_t n = std::min<size_t>(text.size() - at, rng() % 300000);
    deflater.add(std::string_view(text).substr(at, n));
    at += n;
  }
  EXPECT_GT(pieces, 5u);
  const DeflatePrefix p = deflater.finish();
  EXPECT_EQ(p.size, text.size());
  EXPECT_EQ(p.crc, deflate_prefix(text).crc);
  std::string gz;
  write_gzip(p, "# EOF\n", gz);
  EXPECT_EQ(gunzip_one_member(gz), text + "# EOF\n");
}

std::shared_ptr<const MetricSet> vendor_set(double value) {
  auto set = std::make_shared<MetricSet>(
      std::vector<std::pair<std::string, std::string>>{{"target", "a"}});
  auto& f = set->gauge("testvendor_info", "Identity; always 1.", {"id"});
  for (int i = 0; i < 1000; ++i) f.add({std::to_string(i)}, 1);
  set->counter("testvendor_requests_total", "Requests.").add({}, value);
  return set;
}

TEST(ExpositionCacheTest, ConcurrentCallersShareOneRendering) {
  ExpositionCache cache;
  MetricView view;
  view.add(vendor_set(5), " (cached)");
  std::vector<std::shared_ptr<const ExpositionCache::Rendered>> got(32);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] { got[i] = cache.get(view, ExpositionFormat::kText, false); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(cache.renders(), 1u);
  for (const auto& r : got) EXPECT_EQ(r.get(), got.front().get());
  std::string expected;
  serialize_text(view, expected);
  EXPECT_EQ(got.front()->text, expected);
  EXPECT_NE(expected.find("Identity; always 1. (cached)"), std::string::npos);

  // Each format and encoding is rendered once too; gzip keeps only the compressed text.
  const auto om = cache.get(view, ExpositionFormat::kOpenMetrics, false);
  const auto gz = cache.get(view, ExpositionFormat::kOpenMetrics, true);
  EXPECT_EQ(cache.get(view, ExpositionFormat::kOpenMetrics, true).get(), gz.get());
  EXPECT_EQ(cache.renders(), 3u);
  EXPECT_EQ(om->text.find("# EOF"), std::string::npos) << "the tail closes the exposition";
  EXPECT_NE(om->text.find("# TYPE testvendor info\n"), std::string::npos) << om->text;
  EXPECT_TRUE(gz->text.empty());
  std::string body;
  write_gzip(gz->deflate, "# EOF\n", body);
  EXPECT_EQ(gunzip_one_member(body), om->text + "# EOF\n");
}

TEST(ExpositionCacheTest, ANewCollectionIsRenderedAnewAndAGoneOneIsDropped) {
  ExpositionCache cache;
  auto first = std::make_unique<MetricView>();
  first->add(vendor_set(5));
  const auto a = cache.get(*first, ExpositionFormat::kText, false);
  EXPECT_NE(a->text.find("testvendor_requests_total{target=\"a\"} 5\n"), std::string::npos);

  MetricView second;
  second.add(vendor_set(6));
  const auto b = cache.get(second, ExpositionFormat::kText, false);
  EXPECT_EQ(cache.renders(), 2u);
  EXPECT_NE(b->text.find("testvendor_requests_total{target=\"a\"} 6\n"), std::string::npos);

  // The same sets with another HELP note are another exposition.
  MetricView noted;
  noted.add(second.sources().front().set, " (cached)");
  cache.get(noted, ExpositionFormat::kText, false);
  EXPECT_EQ(cache.renders(), 3u);

  EXPECT_EQ(cache.entries(), 3u);
  first.reset();  // the first collection is freed: its rendering goes at the next prune
  cache.prune();
  EXPECT_EQ(cache.entries(), 2u);
}

// A vendor whose collections are counted, slow enough for concurrent scrapes to meet.
class CountingScraper : public Scraper {
 public:
  explicit CountingScraper(std::atomic<int>& n) : n_(n) {}
  void collect(ScrapeContext& ctx) override {
    const int n = ++n_;
    std::this_thread::sleep_for(300ms);
    auto& f = ctx.out.gauge("testvendor_info", "Identity; always 1.", {"id"});
    for (int i = 0; i < 20000; ++i) f.add({std::to_string(i)}, 1);
    ctx.out.gauge("testvendor_collection", "Which collection this is.").add({}, n);
  }

 private:
  std::atomic<int>& n_;
};

class MetricsRenderingTest : public ::testing::Test {
 protected:
  void start(Duration min_interval) {
    VendorDescriptor d;
    d.key = "testvendor";
    // Never called here (the config is built below), but the registry wants whole descriptors.
    d.parse_settings = [](config::ConfigNode&) { return std::shared_ptr<const VendorSettings>(); };
    d.authenticator = [](const TargetConfig&) { return std::shared_ptr<http::Authenticator>(); };
    d.create = [this](const TargetConfig&, http::Client&) -> std::unique_ptr<Scraper> {
      return std::make_unique<CountingScraper>(collections);
    };
    registry.add(std::move(d));
    engine = std::make_unique<Engine>(registry, std::make_shared<SelfMetrics>());
    reloader = std::make_unique<ConfigReloader>(
        "test.toml",
        [min_interval](const std::string&) {
          ExporterConfig c;
          c.file = "test.toml";
          TargetConfig t;
          t.vendor = "testvendor";
          t.name = "a";
          t.base_url = "http://127.0.0.1:1";
          t.timeout = Duration(10000);
          t.min_interval = min_interval;
          c.targets.push_back(t);
          return c;
        },
        *engine);
    ASSERT_FALSE(reloader->reload().has_value());
    server = std::make_unique<WebServer>(*engine, *reloader);
    server->bind("127.0.0.1", 0);
    server->start();
  }
  ~MetricsRenderingTest() override {
    if (server) server->stop();
  }
  httplib::Result get(const httplib::Headers& headers = {}) {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(10, 0);
    c.set_decompress(false);
    return c.Get("/metrics", headers);
  }
  bool released_at_least(size_t n) {
    for (int i = 0; i < 500 && server->memory_releases() < n; ++i)
      std::this_thread::sleep_for(10ms);
    return server->memory_releases() >= n;
  }
  // The vendor part: everything before the first self-metric family.
  static std::string vendor_part(const std::string& body) {
    return body.substr(0, body.find("# HELP fleet_usage_exporter_"));
  }

  std::atomic<int> collections{0};
  VendorRegistry registry;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<ConfigReloader> reloader;
  std::unique_ptr<WebServer> server;
};

TEST_F(MetricsRenderingTest, ConcurrentScrapesGetOneRenderingOfOneCollection) {
  start(Duration(0));
  const httplib::Headers prometheus = {
      {"Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"},
      {"Accept-Encoding", "gzip"}};
  std::vector<std::string> bodies(16);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < bodies.size(); ++i)
    threads.emplace_back([&, i] {
      auto res = get(prometheus);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200);
      EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
      bodies[i] = gunzip_one_member(res->body);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(collections.load(), 1);
  EXPECT_EQ(server->exposition_renders(), 1u);
  // Memory is handed back once the last of them is answered, not once per response (a client
  // may read its whole response before the server's thread gets to it).
  EXPECT_TRUE(released_at_least(1));
  EXPECT_LE(server->memory_releases(), 4u);
  for (const auto& b : bodies) {
    EXPECT_EQ(vendor_part(b), vendor_part(bodies.front()));
    EXPECT_TRUE(b.ends_with("# EOF\n"));
    EXPECT_EQ(b.find("# EOF"), b.size() - 6);
  }
  EXPECT_NE(bodies.front().find("testvendor_info{target=\"a\",id=\"19999\"} 1\n"),
            std::string::npos);

  // The next scrape is a new collection (no min_interval): rendered anew, with its own values.
  auto next = get(prometheus);
  ASSERT_TRUE(next);
  EXPECT_EQ(collections.load(), 2);
  EXPECT_EQ(server->exposition_renders(), 2u);
  const size_t releases = server->memory_releases();
  get(prometheus);  // alone: it is the last in flight, so it releases
  EXPECT_TRUE(released_at_least(releases + 1));
  EXPECT_NE(gunzip_one_member(next->body).find("testvendor_collection{target=\"a\"} 2\n"),
            std::string::npos);
  auto text = get({{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(text);
  test::expect_promtool_ok(gunzip_one_member(text->body));
}

TEST_F(MetricsRenderingTest, ScrapesOfACachedCollectionReuseItsRenderingWithFreshSelfMetrics) {
  start(Duration(3600 * 1000));
  auto first = get();
  auto second = get();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(collections.load(), 1);
  EXPECT_EQ(server->exposition_renders(), 1u);
  EXPECT_EQ(vendor_part(first->body), vendor_part(second->body));
  EXPECT_NE(vendor_part(first->body).find("min_interval"), std::string::npos);  // HELP note
  // What changes per scrape is rendered per scrape: the cache hit of the second one shows.
  const std::string hit =
      "fleet_usage_exporter_target_cache_hits_total{vendor=\"testvendor\",target=\"a\"} 1\n";
  EXPECT_EQ(first->body.find(hit), std::string::npos);
  EXPECT_NE(second->body.find(hit), std::string::npos) << second->body;
  test::expect_promtool_ok(second->body);
  // Plain text, then gzip: each is rendered once, and they say the same.
  auto gz = get({{"Accept-Encoding", "gzip"}});
  auto gz2 = get({{"Accept-Encoding", "x-gzip;q=0.5, br;q=0"}});
  ASSERT_TRUE(gz);
  ASSERT_TRUE(gz2);
  EXPECT_EQ(gz2->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(server->exposition_renders(), 2u);
  EXPECT_EQ(vendor_part(gunzip_one_member(gz->body)), vendor_part(first->body));
  EXPECT_EQ(vendor_part(gunzip_one_member(gz2->body)), vendor_part(first->body));
  EXPECT_EQ(get({{"Accept-Encoding", "gzip;q=0"}})->get_header_value("Content-Encoding"), "");
}

// The cached rendering is sent after cpp-httplib writes the head, not copied into the response:
// pipelined on one connection, every response's body follows its own head, exactly as long as
// its Content-Length, and a HEAD gets the head alone.
TEST_F(MetricsRenderingTest, PipelinedScrapesEachGetTheirHeadThenTheirWholeBody) {
  start(Duration(3600 * 1000));
  const int fd = test::connect_raw(server->port());
  ASSERT_GE(fd, 0);
  const std::string om = "Accept: application/openmetrics-text;version=1.0.0\r\n";
  ASSERT_TRUE(test::send_all(
      fd, "GET /metrics HTTP/1.1\r\nHost: t\r\n" + om + "Accept-Encoding: gzip\r\n\r\n" +
              "HEAD /metrics HTTP/1.1\r\nHost: t\r\n\r\n" +
              "GET /metrics HTTP/1.1\r\nHost: t\r\nRange: bytes=0-9\r\n\r\n" +
              "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  const std::string stream = test::read_until_closed(fd, 20s, &closed);
  ::close(fd);
  ASSERT_TRUE(closed);
  // Splits the stream into responses by their Content-Length (none for the HEAD's body).
  std::vector<std::pair<std::string, std::string>> responses;
  size_t at = 0;
  for (bool head_only : {false, true, false, false}) {
    const size_t end = stream.find("\r\n\r\n", at);
    ASSERT_NE(end, std::string::npos) << "response " << responses.size() << " has no head";
    std::string head = stream.substr(at, end + 4 - at);
    const size_t cl = head.find("Content-Length: ");
    ASSERT_NE(cl, std::string::npos) << head;
    const size_t length = std::stoul(head.substr(cl + 16));
    EXPECT_GT(length, 10000u) << head;  // 20,000 series, more than one write
    at = end + 4;
    const size_t body_length = head_only ? 0 : length;
    ASSERT_LE(at + body_length, stream.size()) << "body cut short: " << head;
    responses.emplace_back(std::move(head), stream.substr(at, body_length));
    at += body_length;
  }
  EXPECT_EQ(at, stream.size()) << "bytes after the last response";
  for (const auto& [head, body] : responses) EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n"));
  const std::string gz = gunzip_one_member(responses[0].second);
  EXPECT_NE(gz.find("testvendor_info{target=\"a\",id=\"19999\"} 1\n"), std::string::npos);
  EXPECT_TRUE(gz.ends_with("# EOF\n"));
  EXPECT_NE(responses[0].first.find("Content-Encoding: gzip\r\n"), std::string::npos);
  EXPECT_TRUE(responses[1].second.empty());
  // A Range header gets the whole body with 200: only the whole exposition is served.
  EXPECT_EQ(vendor_part(responses[2].second), vendor_part(responses[3].second));
  test::expect_promtool_ok(responses[2].second);
  test::expect_promtool_ok(responses[3].second);
  EXPECT_EQ(server->exposition_renders(), 2u);  // OpenMetrics with gzip, and plain text
}

TEST(AcceptsGzipTest, ReadsTheCodingsAndTheirWeights) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip, br, zstd"));  // curl --compressed
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzipx, xgzip"));
}

}  // namespace
}  // namespace fue
