#include "exporter/server/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace fue {
namespace {

// Verified against when the user is unknown, so that path costs as much as a real check.
constexpr const char* kDummyHash = "$2b$10$0YyyBZDV9JwjQRNO832InOA5uw3d9PWtp58j50QWazkSykmmcQ43e";
constexpr size_t kMaxRemembered = 1024;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string digest(const std::string& user, const std::string& password, const std::string& hash) {
  std::string material = user;
  material.push_back('\0');
  material += password;
  material.push_back('\0');
  material += hash;
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), out);
  OPENSSL_cleanse(material.data(), material.size());
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

}  // namespace

bool decode_base64(const std::string& in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=') {
        // Padding only in the last group's last one or two places.
        if (i + 4 != in.size() || j < 2 || (j == 2 && in[i + 3] != '=')) return false;
        v[j] = 0;
      } else {
        v[j] = base64_value(c);
        if (v[j] < 0) return false;
      }
    }
    const unsigned bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((bits >> 16) & 0xff));
    if (in[i + 2] != '=') out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (in[i + 3] != '=') out.push_back(static_cast<char>(bits & 0xff));
  }
  return true;
}

bool bcrypt_verify(const std::string& password, const std::string& bcrypt_hash) {
  if (bcrypt_hash.size() < 7 || bcrypt_hash[0] != '$' || bcrypt_hash[1] != '2') return false;
  // bcrypt reads at most 72 bytes and stops at a NUL; a password with a NUL is refused outright.
  if (password.find('\0') != std::string::npos) return false;
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: not on the stack
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* computed = crypt_r(password.c_str(), bcrypt_hash.c_str(), data.get());
  bool ok = false;
  // libxcrypt answers a failure token ("*0", "*1") or NULL on a malformed setting.
  if (computed && computed[0] == '$' && std::strlen(computed) == bcrypt_hash.size())
    ok = CRYPTO_memcmp(computed, bcrypt_hash.data(), bcrypt_hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return ok;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

bool BasicAuth::check(const std::string& header) {
  static const std::string kScheme = "basic ";
  if (header.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  size_t start = kScheme.size();
  while (start < header.size() && header[start] == ' ') ++start;
  std::string decoded;
  if (!decode_base64(header.substr(start), decoded)) return false;
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) {
    OPENSSL_cleanse(decoded.data(), decoded.size());
    return false;
  }
  const std::string user = decoded.substr(0, colon);
  std::string password = decoded.substr(colon + 1);
  OPENSSL_cleanse(decoded.data(), decoded.size());

  const auto it = users_.find(user);
  const std::string& hash = it == users_.end() ? std::string(kDummyHash) : it->second;
  const std::string key = digest(user, password, hash);
  bool ok = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ok = it != users_.end() && verified_.count(key) > 0;
  }
  if (!ok) {
    ok = bcrypt_verify(password, hash) && it != users_.end();
    if (ok) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (verified_.size() >= kMaxRemembered) verified_.clear();
      verified_.insert(key);
    }
  }
  OPENSSL_cleanse(password.data(), password.size());
  return ok;
}

}  // namespace fue
