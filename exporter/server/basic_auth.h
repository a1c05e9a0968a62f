#pragma once

#include <map>
#include <mutex>
#include <string>
#include <unordered_set>

namespace fue {

// True when `password` hashes to `bcrypt_hash` (libxcrypt's crypt_r); the hashes are compared in
// constant time. A malformed hash never matches.
bool bcrypt_verify(const std::string& password, const std::string& bcrypt_hash);

// HTTP basic auth against the basic_auth_users of the web config file.
class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users);

  bool enabled() const { return !users_.empty(); }
  // Checks an Authorization header value ("Basic base64(user:password)"). An unknown user costs
  // the same bcrypt work as a known one, so timing does not tell which names exist. Successful
  // checks are remembered by a SHA-256 digest of user, password and hash, so a scraper does not pay
  // bcrypt's deliberate cost on every request; the password itself is never stored.
  bool check(const std::string& authorization_header);

  static constexpr const char* kChallenge =
      "Basic realm=\"fleet-usage-exporter\", charset=\"UTF-8\"";

 private:
  const std::map<std::string, std::string> users_;
  std::mutex mutex_;
  std::unordered_set<std::string> verified_;  // digests of good (user, password, hash)
};

// Decodes standard base64 (with padding); false on any other character or length.
bool decode_base64(const std::string& in, std::string& out);

}  // namespace fue
