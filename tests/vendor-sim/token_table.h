#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace sim {

// The tokens an IAM route issued and when each expires, for the Keystone-style vendors. A static
// token (the "pre-issued token from a file" auth mode) is always valid.
class TokenTable {
 public:
  TokenTable(std::string prefix, std::string static_token)
      : prefix_(std::move(prefix)), static_token_(std::move(static_token)) {}

  std::string issue(int ttl_seconds, std::chrono::system_clock::time_point& expires) {
    std::lock_guard lock(mu_);
    expires = std::chrono::system_clock::now() + std::chrono::seconds(ttl_seconds);
    std::string token = prefix_ + std::to_string(++issued_);
    expiry_[token] = expires;
    return token;
  }
  bool valid(const std::string& token) {
    if (token == static_token_) return true;
    std::lock_guard lock(mu_);
    auto it = expiry_.find(token);
    return it != expiry_.end() && std::chrono::system_clock::now() < it->second;
  }
  // Makes every issued token expire now, as a vendor does when it revokes them.
  void expire_all() {
    std::lock_guard lock(mu_);
    for (auto& [token, at] : expiry_) at = std::chrono::system_clock::now();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::chrono::system_clock::time_point> expiry_;
  uint64_t issued_ = 0;
  std::string prefix_;
  std::string static_token_;
};

}  // namespace sim
