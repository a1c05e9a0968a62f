#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "exporter/http/http_client.h"

namespace fue::http {

struct Token {
  std::string value;
  std::chrono::system_clock::time_point expires_at;
};

// Exchanges credentials for a bearer token, caches it, and renews it `refresh_before` ahead of
// its expiry. Concurrent callers share one exchange. The exchange itself is vendor-specific.
class TokenProvider {
 public:
  using Exchange = std::function<Token(Client& client, const Deadline& deadline)>;

  explicit TokenProvider(Exchange exchange, Duration refresh_before = std::chrono::minutes(5));
  std::string get(Client& client, const Deadline& deadline);
  // Forgets the cached token, e.g. after the vendor rejected it with 401.
  void invalidate();
  uint64_t exchanges() const;  // how many exchanges ran, for tests

 private:
  Exchange exchange_;
  Duration refresh_before_;
  mutable std::mutex mutex_;
  Token token_;
  bool valid_ = false;
  uint64_t exchanges_ = 0;
};

// Sends the provider's token as "<header>: <token>" and, after a 401, invalidates it and asks
// for a retry once.
std::shared_ptr<Authenticator> token_auth(std::string header, std::shared_ptr<TokenProvider> tokens);

// An OpenStack Keystone-style exchange (Huawei IAM, KakaoCloud IAM): POST `body` as JSON to
// `url`, take the token from the X-Subject-Token header and the expiry from token.expires_at.
Token keystone_token_exchange(Client& client, const std::string& url, const nlohmann::json& body,
                              const Deadline& deadline);

}  // namespace fue::http
