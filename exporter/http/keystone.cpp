// The OpenStack Keystone token exchange used by Huawei IAM and KakaoCloud IAM, and the one
// authenticator and settings checks of the vendors that use it.
#include "exporter/http/keystone.h"

#include <chrono>

#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"
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
    throw ScrapeError(reason::kTokenExchangeFailed, "token exchange: HTTP " +
                                                        std::to_string(res.status) + ": " +
                                                        describe_error_body(res.body));
  auto token = res.header("X-Subject-Token");
  if (token.empty())
    throw ScrapeError(reason::kTokenExchangeFailed, "token exchange: HTTP " +
                                                        std::to_string(res.status) +
                                                        " without an X-Subject-Token header");
  return Token{std::move(token), expiry_from(res.body)};
}

namespace {

// A credential key is set inline, as <key>_file or as <key>_env.
bool has_key(const config::ConfigNode& node, const std::string& key) {
  return node.has(key) || node.has(key + "_file") || node.has(key + "_env");
}

std::string joined(const std::vector<std::string>& keys, const std::string& sep,
                   const std::string& last_sep) {
  std::string out;
  for (size_t i = 0; i < keys.size(); ++i)
    out += (i == 0 ? "" : i + 1 == keys.size() ? last_sep : sep) + keys[i];
  return out;
}

}  // namespace

void read_keystone_settings(config::ConfigNode& node, const KeystoneMethod& method,
                            KeystoneSettings& out) {
  out.iam_url = node.string_or("iam_url", method.default_iam_url);
  while (!out.iam_url.empty() && out.iam_url.back() == '/') out.iam_url.pop_back();
  out.token = node.secret("token", false);
  bool credentials = false;
  for (const auto& key : method.credential_keys) credentials = credentials || has_key(node, key);
  if (!out.token.empty() && credentials)
    node.fail("token",
              "give either token or " + joined(method.credential_keys, "/", "/") + ", not both");
  if (out.token.empty() && !credentials)
    node.fail(method.credential_keys.at(0),
              "set " + joined(method.credential_keys, ", ", " and ") + " (or a pre-issued token)");
}

std::shared_ptr<Authenticator> keystone_auth(const KeystoneSettings& settings,
                                             const KeystoneMethod& method,
                                             std::function<nlohmann::json()> body) {
  if (settings.uses_token_file()) return static_header_auth("X-Auth-Token", settings.token);
  auto tokens = std::make_shared<TokenProvider>(
      [url = settings.iam_url + method.token_path, body = std::move(body)](
          Client& c, const Deadline& d) { return keystone_token_exchange(c, url, body(), d); });
  return token_auth("X-Auth-Token", std::move(tokens));
}

}  // namespace fue::http
