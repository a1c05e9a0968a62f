#include "exporter/http/token_provider.h"

#include <algorithm>

#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/core/reasons.h"

namespace fue::http {

namespace {
constexpr int kLifetimeFraction = 10;  // renew at most a tenth of the lifetime early
}  // namespace

TokenProvider::TokenProvider(Exchange exchange, Duration refresh_before, Now now)
    : exchange_(std::move(exchange)), refresh_before_(refresh_before), now_(std::move(now)) {}

Duration TokenProvider::refresh_margin(Duration refresh_before,
                                       std::chrono::system_clock::duration lifetime) {
  const auto fraction = std::chrono::duration_cast<Duration>(lifetime / kLifetimeFraction);
  return std::max(Duration::zero(), std::min(refresh_before, fraction));
}

std::string TokenProvider::get(Client& client, const Deadline& deadline) {
  // Held across the exchange on purpose: concurrent callers wait for one exchange and share it.
  std::lock_guard lock(mutex_);
  if (valid_ && now_() < renew_at_) return token_.value;
  valid_ = false;
  ++exchanges_;
  const auto obtained = now_();
  try {
    token_ = exchange_(client, deadline);
  } catch (const ScrapeError& e) {
    if (e.reason() == reason::kTokenExchangeFailed) throw;
    throw ScrapeError(reason::kTokenExchangeFailed,
                      std::string("token exchange failed: ") + e.what());
  } catch (const std::exception& e) {
    throw ScrapeError(reason::kTokenExchangeFailed,
                      std::string("token exchange failed: ") + e.what());
  }
  if (token_.value.empty())
    throw ScrapeError(reason::kTokenExchangeFailed, "token exchange returned an empty token");
  log::register_secret(token_.value);
  renew_at_ = token_.expires_at - refresh_margin(refresh_before_, token_.expires_at - obtained);
  valid_ = true;
  return token_.value;
}

void TokenProvider::invalidate(std::string_view rejected) {
  std::lock_guard lock(mutex_);
  if (token_.value == rejected) valid_ = false;
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
  bool refresh_after_unauthorized(const Request& rejected, Client&, const Deadline&) override {
    auto sent = rejected.headers.find(header_);
    if (sent != rejected.headers.end()) tokens_->invalidate(sent->second);
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
