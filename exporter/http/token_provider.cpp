#include "exporter/http/token_provider.h"

#include "exporter/core/errors.h"
#include "exporter/core/log.h"

namespace fue::http {

TokenProvider::TokenProvider(Exchange exchange, Duration refresh_before)
    : exchange_(std::move(exchange)), refresh_before_(refresh_before) {}

std::string TokenProvider::get(Client& client, const Deadline& deadline) {
  // Held across the exchange on purpose: concurrent callers wait for one exchange and share it.
  std::lock_guard lock(mutex_);
  if (valid_ && std::chrono::system_clock::now() + refresh_before_ < token_.expires_at)
    return token_.value;
  valid_ = false;
  ++exchanges_;
  try {
    token_ = exchange_(client, deadline);
  } catch (const ScrapeError& e) {
    if (e.reason() == "token_exchange_failed") throw;
    throw ScrapeError("token_exchange_failed", std::string("token exchange failed: ") + e.what());
  } catch (const std::exception& e) {
    throw ScrapeError("token_exchange_failed", std::string("token exchange failed: ") + e.what());
  }
  if (token_.value.empty())
    throw ScrapeError("token_exchange_failed", "token exchange returned an empty token");
  log::register_secret(token_.value);
  valid_ = true;
  return token_.value;
}

void TokenProvider::invalidate() {
  std::lock_guard lock(mutex_);
  valid_ = false;
}

uint64_t TokenProvider::exchanges() const {
  std::lock_guard lock(mutex_);
  return exchanges_;
}

namespace {

class TokenAuth : public Authenticator {
 public:
  TokenAuth(std::string header, std::shared_ptr<TokenProvider> tokens)
      : header_(std::move(header)), tokens_(std::move(tokens)) {}

  void apply(Request& req, Client& client, const Deadline& deadline) override {
    auto token = tokens_->get(client, deadline);
    req.headers.erase(header_);
    req.headers.emplace(header_, std::move(token));
  }

  // The client asks at most once per request, so a rejected fresh token fails instead of looping.
  bool refresh_after_unauthorized(Client&, const Deadline&) override {
    tokens_->invalidate();
    return true;
  }

 private:
  std::string header_;
  std::shared_ptr<TokenProvider> tokens_;
};

}  // namespace

std::shared_ptr<Authenticator> token_auth(std::string header,
                                          std::shared_ptr<TokenProvider> tokens) {
  return std::make_shared<TokenAuth>(std::move(header), std::move(tokens));
}

}  // namespace fue::http
