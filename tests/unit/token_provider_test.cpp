#include "exporter/http/token_provider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "exporter/core/errors.h"
#include "exporter/http/json_util.h"
#include "tests/unit/loopback_server.h"

namespace fue::http {
namespace {

using namespace std::chrono_literals;

// A Keystone-style IAM endpoint and an API that accepts only the latest token it issued.
class TokenProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.server().Post(
        "/iam/v3/auth/tokens", [this](const httplib::Request& req, httplib::Response& res) {
          exchange_content_type = req.get_header_value("Content-Type");
          exchange_had_token = req.has_header("X-Auth-Token");
          std::this_thread::sleep_for(exchange_delay);
          if (exchange_status != 201) {
            res.status = exchange_status;
            res.set_content(exchange_error_body, "application/json");
            return;
          }
          const int n = ++exchanges;
          res.status = 201;
          if (send_token_header) res.set_header("X-Subject-Token", "tok-" + std::to_string(n));
          const auto expires = std::chrono::system_clock::now() + token_lifetime;
          const auto seconds =
              std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
          res.set_content(R"({"token":{"expires_at":")" +
                              timeutil::format_rfc3339(seconds).insert(19, ".123000") + R"("}})",
                          "application/json");
        });
    server.server().Get("/api/data", [this](const httplib::Request& req, httplib::Response& res) {
      const int n = ++api_hits;
      if (n == 1 && reject_first_api_call) {
        res.status = 401;
        return;
      }
      res.status = req.get_header_value("X-Auth-Token") == "tok-" + std::to_string(exchanges.load())
                       ? 200
                       : 401;
      res.set_content(R"({"ok":true})", "application/json");
    });
    server.start();
    ClientOptions options;
    options.base_url = server.url() + "/api";
    client = std::make_unique<Client>(options, nullptr);
    tokens = std::make_shared<TokenProvider>(
        [this](Client& c, const Deadline& d) {
          return keystone_token_exchange(c, server.url() + "/iam/v3/auth/tokens",
                                         {{"auth", {{"password", "hunter2-password"}}}}, d);
        },
        5min, [this] { return std::chrono::system_clock::now() + skew; });
  }

  std::string get_token() { return tokens->get(*client, Deadline::after(5s)); }

  test::Loopback<> server;
  std::unique_ptr<Client> client;
  std::shared_ptr<TokenProvider> tokens;
  std::atomic<int> exchanges{0}, api_hits{0};
  std::chrono::seconds token_lifetime = 1h;
  std::chrono::seconds skew{0};  // how far the provider's clock is ahead of the IAM's
  std::chrono::milliseconds exchange_delay = 0ms;
  int exchange_status = 201;
  std::string exchange_error_body;
  bool send_token_header = true;
  bool reject_first_api_call = false;
  std::string exchange_content_type;
  bool exchange_had_token = false;
};

TEST_F(TokenProviderTest, CachesTheTokenUntilItNearsExpiry) {
  EXPECT_EQ(get_token(), "tok-1");
  EXPECT_EQ(get_token(), "tok-1");
  EXPECT_EQ(tokens->exchanges(), 1u);
  EXPECT_EQ(exchange_content_type, "application/json;charset=utf8");
}

TEST_F(TokenProviderTest, RefreshesFiveMinutesAheadOfALongLivedTokensExpiry) {
  EXPECT_EQ(get_token(), "tok-1");  // lives 1 h
  skew = 54min;
  EXPECT_EQ(get_token(), "tok-1");
  skew = 56min;  // inside the 5 min margin
  EXPECT_EQ(get_token(), "tok-2");
  EXPECT_EQ(exchanges, 2);
}

// Defect 3 of issue 17: a token living less than the 5 min margin was exchanged on every call.
TEST_F(TokenProviderTest, ATokenLivingLessThanTheMarginIsReused) {
  token_lifetime = 4min;
  EXPECT_EQ(get_token(), "tok-1");
  EXPECT_EQ(get_token(), "tok-1");
  skew = 3min + 30s;  // 30 s before its expiry: outside a tenth of its lifetime (24 s)
  EXPECT_EQ(get_token(), "tok-1");
  skew = 3min + 40s;  // 20 s before: inside it
  EXPECT_EQ(get_token(), "tok-2");
  EXPECT_EQ(exchanges, 2);
}

TEST(TokenProviderMargin, IsFiveMinutesAtMostAndATenthOfTheLifetime) {
  EXPECT_EQ(TokenProvider::refresh_margin(5min, 24h), 5min);
  EXPECT_EQ(TokenProvider::refresh_margin(5min, 50min), 5min);
  EXPECT_EQ(TokenProvider::refresh_margin(5min, 10min), 1min);
  EXPECT_EQ(TokenProvider::refresh_margin(5min, 60s), 6s);
  EXPECT_EQ(TokenProvider::refresh_margin(5min, -1s), 0s);  // already expired: no margin
}

TEST_F(TokenProviderTest, InvalidateDropsOnlyTheRejectedToken) {
  EXPECT_EQ(get_token(), "tok-1");
  tokens->invalidate("tok-0");  // an older token was rejected: the current one stays
  EXPECT_EQ(get_token(), "tok-1");
  tokens->invalidate("tok-1");
  EXPECT_EQ(get_token(), "tok-2");
  EXPECT_EQ(exchanges, 2);
}

// Defect 3 of issue 17: 4 requests rejected together each renewed, dropping each other's token.
TEST_F(TokenProviderTest, FourConcurrent401sRenewOnce) {
  client->set_authenticator(token_auth("X-Auth-Token", tokens));
  std::mutex mu;
  std::condition_variable cv;
  int held = 0;
  server.server().Get("/api/together", [&](const httplib::Request& req, httplib::Response& res) {
    const auto token = req.get_header_value("X-Auth-Token");
    if (token == "tok-1") {  // all four carry it: answer 401 once all four are in
      std::unique_lock lock(mu);
      ++held;
      cv.notify_all();
      cv.wait_for(lock, 5s, [&] { return held >= 4; });
      res.status = 401;
      return;
    }
    res.status = token == "tok-" + std::to_string(exchanges.load()) ? 200 : 401;
    res.set_content(R"({"ok":true})", "application/json");
  });
  EXPECT_EQ(get_token(), "tok-1");
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    callers.emplace_back([&] {
      Request req;
      req.path = "/together";
      try {
        if (client->get_json(req, Deadline::after(10s))["ok"] == true) ++ok;
      } catch (const std::exception&) {
      }
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(held, 4);
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(tokens->exchanges() - 1, 1u) << "renewals for 4 concurrent 401s";
}

TEST_F(TokenProviderTest, ConcurrentCallersShareOneExchange) {
  exchange_delay = 200ms;
  std::vector<std::thread> callers;
  std::vector<std::string> seen(8);
  for (int i = 0; i < 8; ++i) callers.emplace_back([&, i] { seen[i] = get_token(); });
  for (auto& t : callers) t.join();
  EXPECT_EQ(exchanges, 1);
  EXPECT_EQ(tokens->exchanges(), 1u);
  for (const auto& token : seen) EXPECT_EQ(token, "tok-1");
}

TEST_F(TokenProviderTest, RenewsOnceAfterA401AndRetries) {
  reject_first_api_call = true;
  client->set_authenticator(token_auth("X-Auth-Token", tokens));
  Request req;
  req.path = "/data";
  auto body = client->get_json(req, Deadline::after(5s));
  EXPECT_EQ(body["ok"], true);
  EXPECT_EQ(api_hits, 2);
  EXPECT_EQ(tokens->exchanges(), 2u);
  EXPECT_FALSE(exchange_had_token);  // the exchange itself is not authenticated
}

TEST_F(TokenProviderTest, APersistent401FailsAfterOneRenewal) {
  client->set_authenticator(token_auth("X-Auth-Token", tokens));
  server.server().Get("/api/always401",
                      [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  Request req;
  req.path = "/always401";
  try {
    client->get_json(req, Deadline::after(5s));
    FAIL() << "expected http_401";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "http_401");
  }
  EXPECT_EQ(tokens->exchanges(), 2u);
}

TEST_F(TokenProviderTest, AKeystoneErrorIsDecodedAndNotCached) {
  exchange_status = 401;
  exchange_error_body =
      R"({"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}})";
  try {
    get_token();
    FAIL() << "expected token_exchange_failed";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "token_exchange_failed");
    const std::string what = e.what();
    EXPECT_NE(what.find("401 Unauthorized: The request you have made requires authentication."),
              std::string::npos);
    EXPECT_EQ(what.find("hunter2"), std::string::npos);
  }
  exchange_status = 201;
  EXPECT_EQ(get_token(), "tok-1");
  EXPECT_EQ(tokens->exchanges(), 2u);
}

TEST_F(TokenProviderTest, AHuaweiErrorIsDecoded) {
  exchange_status = 400;
  exchange_error_body =
      R"({"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"})";
  try {
    get_token();
    FAIL() << "expected token_exchange_failed";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "token_exchange_failed");
    EXPECT_NE(std::string(e.what()).find("APIG.0301: Incorrect IAM authentication information"),
              std::string::npos);
  }
}

TEST_F(TokenProviderTest, AMissingSubjectTokenHeaderFails) {
  send_token_header = false;
  try {
    get_token();
    FAIL() << "expected token_exchange_failed";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "token_exchange_failed");
    EXPECT_NE(std::string(e.what()).find("X-Subject-Token"), std::string::npos);
  }
}

}  // namespace
}  // namespace fue::http
