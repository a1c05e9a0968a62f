#include "exporter/http/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "exporter/core/errors.h"
#include "exporter/http/url.h"
#include "tests/unit/loopback_server.h"

namespace fue::http {
namespace {

using namespace std::chrono_literals;
using test::Loopback;

class RecordingObserver : public RequestObserver {
 public:
  void on_request(const std::string& endpoint, const std::string& code, double) override {
    std::lock_guard lock(mutex);
    codes.push_back(endpoint + ":" + code);
  }
  void on_rate_limited() override { ++rate_limited; }
  void on_retry() override { ++retries; }

  std::mutex mutex;
  std::vector<std::string> codes;
  std::atomic<int> rate_limited{0};
  std::atomic<int> retries{0};
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs `fn`, expecting a ScrapeError; returns it so the test can look at reason and text.
template <class Fn>
ScrapeError expect_scrape_error(Fn&& fn) {
  try {
    fn();
  } catch (const ScrapeError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ScrapeError";
  return ScrapeError("none", "");
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {}

  Client& client(ClientOptions options = {}) {
    if (options.base_url.empty()) options.base_url = server.url();
    options.backoff_base = 10ms;
    options.backoff_max = 50ms;
    client_ = std::make_unique<Client>(std::move(options), observer);
    return *client_;
  }
  Request get(std::string path, std::string endpoint = "") {
    Request req;
    req.path = std::move(path);
    req.endpoint = std::move(endpoint);
    return req;
  }

  Loopback<> server;
  std::shared_ptr<RecordingObserver> observer = std::make_shared<RecordingObserver>();
  std::atomic<int> hits{0};
  std::unique_ptr<Client> client_;
};

TEST_F(HttpClientTest, RetriesA5xxThenSucceeds) {
  server.server().Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (hits++ == 0) {
      res.status = 500;
      res.set_content("boom", "text/plain");
    } else {
      res.set_content(R"({"ok":true})", "application/json");
    }
  });
  server.start();
  auto body = client().get_json(get("/flaky", "flaky"), Deadline::after(5s));
  EXPECT_EQ(body["ok"], true);
  EXPECT_EQ(hits, 2);
  EXPECT_EQ(observer->retries, 1);
  EXPECT_EQ(observer->codes, (std::vector<std::string>{"flaky:500", "flaky:200"}));
}

// The hook behind KooPhone's fresh x-request-id per attempt (issue 17, defect 4).
TEST_F(HttpClientTest, EachAttemptHookRunsBeforeEveryAttemptRetriesIncluded) {
  std::vector<std::string> seen;
  server.server().Get("/flaky", [&](const httplib::Request& req, httplib::Response& res) {
    seen.push_back(req.get_param_value("attempt") + "/" + req.get_header_value("X-Attempt"));
    res.status = hits++ < 2 ? 503 : 200;
    res.set_content(R"({"ok":true})", "application/json");
  });
  server.start();
  int n = 0;
  Request req = get("/flaky");
  req.query = {{"attempt", "none"}};
  req.each_attempt = [&n](Request& r) {
    r.query.at(0).second = std::to_string(++n);
    r.headers.erase("X-Attempt");
    r.headers.emplace("X-Attempt", std::to_string(n));
  };
  ClientOptions options;
  options.settings.max_attempts = 3;
  EXPECT_EQ(client(options).get_json(req, Deadline::after(5s))["ok"], true);
  EXPECT_EQ(seen, (std::vector<std::string>{"1/1", "2/2", "3/3"}));
}

TEST_F(HttpClientTest, GivesUpAfterMaxAttemptsOnPersistent5xx) {
  server.server().Get("/down", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 503;
    res.set_content(R"({"message":"maintenance\nwindow"})", "application/json");
  });
  server.start();
  ClientOptions options;
  options.settings.max_attempts = 3;
  auto error =
      expect_scrape_error([&] { client(options).get_json(get("/down"), Deadline::after(5s)); });
  EXPECT_EQ(error.reason(), "http_503");
  EXPECT_STREQ(error.what(), "GET /down: HTTP 503: maintenance window");
  EXPECT_EQ(hits, 3);
  EXPECT_EQ(observer->retries, 2);
}

TEST_F(HttpClientTest, WaitsOutRetryAfterThenSucceeds) {
  server.server().Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    if (hits++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "1");
    } else {
      res.set_content("{}", "application/json");
    }
  });
  server.start();
  auto start = Clock::now();
  client().get_json(get("/limited"), Deadline::after(5s));
  EXPECT_GE(seconds_since(start), 0.9);
  EXPECT_EQ(hits, 2);
  EXPECT_EQ(observer->rate_limited, 1);
  EXPECT_EQ(observer->retries, 1);
}

TEST_F(HttpClientTest, UsesTheVendorResetHeaderAndRecordsLimits) {
  server.server().Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    const auto now = std::chrono::system_clock::now().time_since_epoch() / 1s;
    res.set_header("X-RateLimit-Limit", "100");
    res.set_header("X-RateLimit-Reset", std::to_string(now + 1));
    if (hits++ == 0) {
      res.status = 429;
      res.set_header("X-RateLimit-Remaining", "0");
    } else {
      res.set_header("X-RateLimit-Remaining", "99");
      res.set_content("{}", "application/json");
    }
  });
  server.start();
  ClientOptions options;
  options.rate_limit_headers = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                                true};
  auto& c = client(options);
  auto start = Clock::now();
  c.get_json(get("/limited"), Deadline::after(5s));
  EXPECT_GT(seconds_since(start), 0.0);
  EXPECT_LT(seconds_since(start), 2.5);
  EXPECT_EQ(hits, 2);
  auto state = c.rate_limit();
  EXPECT_EQ(state.limit, 100);
  EXPECT_EQ(state.remaining, 99);
  ASSERT_TRUE(state.reset_epoch_seconds);
  EXPECT_GT(*state.reset_epoch_seconds, 1.7e9);
}

TEST_F(HttpClientTest, RateLimitBeyondTheDeadlineFailsFastWithoutWaiting) {
  server.server().Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 429;
    res.set_header("Retry-After", "30");
  });
  server.start();
  auto start = Clock::now();
  auto error = expect_scrape_error([&] { client().send(get("/limited"), Deadline::after(3s)); });
  EXPECT_EQ(error.reason(), "rate_limited");
  EXPECT_NE(std::string(error.what()).find("retry after 30s exceeds the scrape deadline"),
            std::string::npos);
  EXPECT_LT(seconds_since(start), 2.0);  // it did not sleep towards the 30 s
  EXPECT_EQ(hits, 1);
  EXPECT_EQ(observer->rate_limited, 1);
}

// A 429 on the last attempt is the vendor's rate limit, not an HTTP error of the endpoint: the
// reason must stay rate_limited (what alerts key on), never http_429.
TEST_F(HttpClientTest, A429OnTheLastAttemptIsRateLimitedNotHttp429) {
  server.server().Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 429;
    res.set_header("Retry-After", "0");
    res.set_content(R"({"message":"slow down"})", "application/json");
  });
  server.start();
  for (int attempts : {1, 2}) {
    hits = 0;
    ClientOptions options;
    options.settings.max_attempts = attempts;
    auto error = expect_scrape_error(
        [&] { client(options).get_json(get("/limited", "limited"), Deadline::after(5s)); });
    EXPECT_EQ(error.reason(), "rate_limited") << attempts << " attempts: " << error.what();
    EXPECT_NE(std::string(error.what()).find("attempts exhausted"), std::string::npos)
        << error.what();
    EXPECT_EQ(hits, attempts) << "every attempt is used, and no more";
  }
}

TEST_F(HttpClientTest, AHandlerSlowerThanTheDeadlineTimesOut) {
  server.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(2500ms);
    res.set_content("{}", "application/json");
  });
  server.start();
  auto start = Clock::now();
  auto error =
      expect_scrape_error([&] { client().send(get("/slow", "slow"), Deadline::after(600ms)); });
  EXPECT_EQ(error.reason(), "timeout");
  EXPECT_LT(seconds_since(start), 1.5);
  EXPECT_EQ(observer->codes, (std::vector<std::string>{"slow:timeout"}));
}

TEST_F(HttpClientTest, ASlowDripBodyTimesOutAtTheDeadline) {
  server.server().Get("/drip", [&](const httplib::Request&, httplib::Response& res) {
    auto sent = std::make_shared<int>(0);
    res.set_chunked_content_provider("application/json", [sent](size_t, httplib::DataSink& sink) {
      std::this_thread::sleep_for(100ms);
      if (++*sent > 40) return false;  // give up after ~4 s so the server can stop
      return sink.write(" ", 1);
    });
  });
  server.start();
  auto start = Clock::now();
  auto error = expect_scrape_error([&] { client().send(get("/drip"), Deadline::after(700ms)); });
  EXPECT_EQ(error.reason(), "timeout");
  EXPECT_LT(seconds_since(start), 1.5);
}

// The same, with a body httplib does not compress: its bytes reach the client as they are sent,
// so the socket's read timeout never fires and only the deadline check on the body stops it.
TEST_F(HttpClientTest, AnUncompressedSlowDripStopsAtTheDeadline) {
  server.server().Get("/drip", [&](const httplib::Request&, httplib::Response& res) {
    auto sent = std::make_shared<int>(0);
    res.set_chunked_content_provider("application/octet-stream",
                                     [sent](size_t, httplib::DataSink& sink) {
                                       std::this_thread::sleep_for(100ms);
                                       if (++*sent > 40) return false;  // ~4 s, then stop
                                       return sink.write(" ", 1);
                                     });
  });
  server.start();
  auto start = Clock::now();
  auto error = expect_scrape_error([&] { client().send(get("/drip"), Deadline::after(700ms)); });
  EXPECT_EQ(error.reason(), "timeout");
  EXPECT_LT(seconds_since(start), 1.5);
}

TEST_F(HttpClientTest, AnOversizedBodyIsRefused) {
  server.server().Get("/big", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(100000, 'x'), "application/octet-stream");
  });
  server.start();
  ClientOptions options;
  options.settings.max_response_bytes = 1000;
  auto error = expect_scrape_error([&] { client(options).send(get("/big"), Deadline::after(5s)); });
  EXPECT_EQ(error.reason(), "response_too_large");
  EXPECT_NE(std::string(error.what()).find("1000 bytes"), std::string::npos);
}

// The cap is exact: a body of max_response_bytes is read, one byte more is refused.
TEST_F(HttpClientTest, TheBodyCapIsExact) {
  server.server().Get("/sized", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::string(std::stoul(req.get_param_value("n")), 'x'), "text/plain");
  });
  server.start();
  ClientOptions options;
  options.settings.max_response_bytes = 1000;
  auto& c = client(options);
  auto sized = [&](size_t n) {
    Request req = get("/sized");
    req.query = {{"n", std::to_string(n)}};
    return req;
  };
  EXPECT_EQ(c.send(sized(1000), Deadline::after(5s)).body.size(), 1000u);
  EXPECT_EQ(expect_scrape_error([&] { c.send(sized(1001), Deadline::after(5s)); }).reason(),
            "response_too_large");
}

// Only 5xx (and 429) are worth another attempt; a 4xx would answer the same again.
TEST_F(HttpClientTest, A4xxIsNotRetried) {
  server.server().Get("/missing", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 404;
    res.set_content(R"({"message":"no such thing"})", "application/json");
  });
  server.start();
  ClientOptions options;
  options.settings.max_attempts = 3;
  auto error =
      expect_scrape_error([&] { client(options).get_json(get("/missing"), Deadline::after(5s)); });
  EXPECT_EQ(error.reason(), "http_404");
  EXPECT_EQ(hits, 1);
  EXPECT_EQ(observer->retries, 0);
}

TEST_F(HttpClientTest, ConnectionRefusedIsRetriedThenReported) {
  server.start();
  const std::string closed = server.url();
  server.stop();
  ClientOptions options;
  options.base_url = closed;
  options.settings.max_attempts = 2;
  auto error =
      expect_scrape_error([&] { client(options).send(get("/x", "x"), Deadline::after(5s)); });
  EXPECT_EQ(error.reason(), "connect_error");
  EXPECT_EQ(observer->retries, 1);
  EXPECT_EQ(observer->codes, (std::vector<std::string>{"x:error", "x:error"}));
}

TEST_F(HttpClientTest, KeepsTheBaseUrlPathPrefixAndEncodesRepeatedQueryKeys) {
  std::string target;
  std::vector<std::string> values;
  server.server().Get("/api/v2/devices", [&](const httplib::Request& req, httplib::Response& res) {
    target = req.target;
    for (size_t i = 0; i < req.get_param_value_count("deviceUID"); ++i)
      values.push_back(req.get_param_value("deviceUID", i));
    res.set_content("[]", "application/json");
  });
  server.start();
  ClientOptions options;
  options.base_url = server.url() + "/api/v2/";
  auto req = get("/devices");
  req.query = {{"deviceUID", "a"}, {"deviceUID", "b c/ü&"}};
  client(options).get_json(req, Deadline::after(5s));
  EXPECT_EQ(target, "/api/v2/devices?deviceUID=a&deviceUID=b%20c%2F%C3%BC%26");
  EXPECT_EQ(values, (std::vector<std::string>{"a", "b c/ü&"}));
}

TEST_F(HttpClientTest, SendsUserAgentAcceptEncodingAndDecompressesGzip) {
  std::string agent, encoding;
  server.server().Get("/ua", [&](const httplib::Request& req, httplib::Response& res) {
    agent = req.get_header_value("User-Agent");
    encoding = req.get_header_value("Accept-Encoding");
    res.set_content(R"({"compressible":")" + std::string(4000, 'a') + R"("})", "application/json");
  });
  server.start();
  ClientOptions options;
  options.user_agent = "fue-test/1";
  auto body = client(options).get_json(get("/ua"), Deadline::after(5s));
  EXPECT_EQ(agent, "fue-test/1");
  EXPECT_EQ(encoding, "gzip");
  EXPECT_EQ(body["compressible"].get<std::string>().size(), 4000u);
}

TEST_F(HttpClientTest, BadJsonNamesTheEndpointAndPosition) {
  server.server().Get("/trunc", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"items":[1,2)", "application/json");
  });
  server.start();
  auto error =
      expect_scrape_error([&] { client().get_json(get("/trunc", "items"), Deadline::after(5s)); });
  EXPECT_EQ(error.reason(), "bad_json");
  EXPECT_NE(std::string(error.what()).find("GET items"), std::string::npos);
}

TEST_F(HttpClientTest, ErrorsUseTheDecoderAndNeverShowTheCredential) {
  std::string seen_auth;
  server.server().Get("/secret", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    res.status = 403;
    res.set_content(R"({"code":"Forbidden"})", "application/json");
  });
  server.start();
  auto& c = client();
  c.set_authenticator(
      bearer_auth(Secret("tok-very-secret-123", Secret::Source::kInline, "inline")));
  c.set_error_decoder(
      [](int status, const std::string& body) { return "decoded " + std::to_string(status); });
  auto error = expect_scrape_error([&] { c.get_json(get("/secret"), Deadline::after(5s)); });
  EXPECT_EQ(seen_auth, "Bearer tok-very-secret-123");
  EXPECT_EQ(error.reason(), "http_403");
  EXPECT_STREQ(error.what(), "GET /secret: HTTP 403: decoded 403");
}

TEST_F(HttpClientTest, AnExpiredDeadlineFailsBeforeConnecting) {
  server.server().Get("/x", [&](const httplib::Request&, httplib::Response& res) { ++hits; });
  server.start();
  auto error = expect_scrape_error([&] { client().send(get("/x"), Deadline::after(0ms)); });
  EXPECT_EQ(error.reason(), "timeout");
  EXPECT_EQ(hits, 0);
}

TEST_F(HttpClientTest, GoesThroughTheConfiguredProxyWithBasicAuth) {
  std::string proxy_auth;
  server.server().Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    ++hits;
    proxy_auth = req.get_header_value("Proxy-Authorization");
    res.set_content("{}", "application/json");
  });
  server.start();
  ClientOptions options;
  options.base_url = "http://vendor.invalid/api";
  options.settings.proxy_url = "http://user:pa55@127.0.0.1:" + std::to_string(server.port());
  client(options).get_json(get("/x"), Deadline::after(5s));
  EXPECT_EQ(hits, 1);
  EXPECT_EQ(proxy_auth, "Basic dXNlcjpwYTU1");  // user:pa55
}

TEST(UrlTest, ParsesSchemeHostPortPathAndCredentials) {
  auto url = parse_url("HTTPS://u:p@api.example.com:8443/v1/");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "api.example.com");
  EXPECT_EQ(url.port, 8443);
  EXPECT_EQ(url.path, "/v1");
  EXPECT_EQ(url.user, "u");
  EXPECT_EQ(url.password, "p");
  EXPECT_EQ(parse_url("http://[::1]/x").origin(), "http://[::1]:80");
  EXPECT_EQ(parse_url("https://h").port, 443);
  EXPECT_THROW(parse_url("ftp://h"), ScrapeError);
  EXPECT_THROW(parse_url("h:80"), ScrapeError);
  EXPECT_THROW(parse_url("http://h:99999"), ScrapeError);
}

// TLS against a self-signed certificate generated for this run.
class HttpsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = std::filesystem::temp_directory_path() / ("fue-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir); }

  void SetUp() override {
    server = std::make_unique<Loopback<httplib::SSLServer>>((dir / "cert.pem").c_str(),
                                                            (dir / "key.pem").c_str());
    ASSERT_TRUE(server->server().is_valid());
    server->server().Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"tls":true})", "application/json");
    });
    server->start();
  }

  nlohmann::json fetch(HttpSettings settings) {
    ClientOptions options;
    options.base_url = server->url("https");
    options.settings = settings;
    Client client(options, nullptr);
    Request req;
    req.path = "/ok";
    return client.get_json(req, Deadline::after(5s));
  }

  static inline std::filesystem::path dir;
  std::unique_ptr<Loopback<httplib::SSLServer>> server;
};

TEST_F(HttpsTest, AnUnknownCertificateFailsVerificationByDefault) {
  auto error = expect_scrape_error([&] { fetch({}); });
  EXPECT_EQ(error.reason(), "tls_error");
}

TEST_F(HttpsTest, TheConfiguredCaFileIsTrusted) {
  HttpSettings settings;
  settings.ca_file = (dir / "cert.pem").string();
  EXPECT_EQ(fetch(settings)["tls"], true);
}

TEST_F(HttpsTest, InsecureSkipVerifyAcceptsTheCertificate) {
  HttpSettings settings;
  settings.insecure_skip_verify = true;
  EXPECT_EQ(fetch(settings)["tls"], true);
}

}  // namespace
}  // namespace fue::http
