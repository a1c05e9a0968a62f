#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "exporter/http/http_client.h"

namespace fue::http {

struct Token {
  std::string value;
  std::chrono::system_clock::time_point expires_at;
};

// Exchanges credentials for a bearer token, caches it, and renews it ahead of its expiry: by
// `refresh_before`, but never by more than a tenth of the token's lifetime, so that a token living
// less than `refresh_before` is still reused (a 60 s token for 54 s, a 10 min one for 9 min); a
// request that meets the expiry anyway gets one renewal through the 401 path. Concurrent callers
// share one exchange. The exchange itself is vendor-specific.
class TokenProvider {
 public:
  using Exchange = std::function<Token(Client& client, const Deadline& deadline)>;
  using Now = std::function<std::chrono::system_clock::time_point()>;

  explicit TokenProvider(Exchange exchange, Duration refresh_before = std::chrono::minutes(5),
                         Now now = std::chrono::system_clock::now);
  std::string get(Client& client, const Deadline& deadline);
  // Forgets the cached token if it is still `rejected` (the vendor answered 401 to it). A token
  // that another caller has renewed meanwhile is kept: concurrent 401s renew once.
  void invalidate(std::string_view rejected);
  uint64_t exchanges() const;  // how many exchanges ran, for tests

  // How long before its expiry a token of this lifetime is renewed.
  static Duration refresh_margin(Duration refresh_before,
                                 std::chrono::system_clock::duration lifetime);

 private:
  Exchange exchange_;
  Duration refresh_before_;
  Now now_;
  mutable std::mutex mutex_;
  Token token_;
  std::chrono::system_clock::time_point renew_at_;
  bool valid_ = false;
  uint64_t exchanges_ = 0;
};

// Sends the provider's token as "<header>: <token>" and, after a 401, invalidates the token that
// request carried (if still current) and asks for a retry once.
std::shared_ptr<Authenticator> token_auth(std::string header,
                                          std::shared_ptr<TokenProvider> tokens);

// An OpenStack Keystone-style exchange (Huawei IAM, KakaoCloud IAM): POST `body` as JSON to
// `url`, take the token from the X-Subject-Token header and the expiry from token.expires_at.
Token keystone_token_exchange(Client& client, const std::string& url, const nlohmann::json& body,
                              const Deadline& deadline);

}  // namespace fue::http
