// The OpenStack Keystone token exchange used by Huawei IAM and KakaoCloud IAM.
#include <chrono>

#include "exporter/core/errors.h"
#include "exporter/http/error_body.h"
#include "exporter/http/json_util.h"
#include "exporter/http/token_provider.h"

namespace fue::http {
namespace {

// Keystone tokens normally last 24 h; when the expiry is missing, renew well before that.
constexpr auto kAssumedLifetime = std::chrono::hours(1);

std::chrono::system_clock::time_point expiry_from(const std::string& body) {
  auto now = std::chrono::system_clock::now();
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return now + kAssumedLifetime;
  const auto* token = parsed.contains("token") ? &parsed["token"] : nullptr;
  if (!token || !token->is_object() || !token->contains("expires_at") ||
      !(*token)["expires_at"].is_string())
    return now + kAssumedLifetime;
  auto seconds = timeutil::parse_rfc3339((*token)["expires_at"].get<std::string>());
  if (!seconds) return now + kAssumedLifetime;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(*seconds)));
}

}  // namespace

Token keystone_token_exchange(Client& client, const std::string& url, const nlohmann::json& body,
                              const Deadline& deadline) {
  Request req;
  req.method = "POST";
  req.base_url = url;
  req.body = body.dump();
  req.content_type = "application/json;charset=utf8";
  req.endpoint = "token_exchange";
  req.authenticate = false;
  Response res = client.send(std::move(req), deadline);
  if (res.status < 200 || res.status >= 300)
    throw ScrapeError("token_exchange_failed", "token exchange: HTTP " +
                                                   std::to_string(res.status) + ": " +
                                                   describe_error_body(res.body));
  auto token = res.header("X-Subject-Token");
  if (token.empty())
    throw ScrapeError("token_exchange_failed", "token exchange: HTTP " +
                                                   std::to_string(res.status) +
                                                   " without an X-Subject-Token header");
  return Token{std::move(token), expiry_from(res.body)};
}

}  // namespace fue::http
