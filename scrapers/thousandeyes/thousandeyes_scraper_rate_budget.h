#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "exporter/http/http_client.h"

namespace fue::thousandeyes {

// What is left of the organisation's 240 requests a minute, per account-group scope, as the
// X-Organization-Rate-Limit-* headers last said. Optional requests consult it so the exporter
// leaves `reserve` requests for the organisation's other API clients instead of running into 429.
class RateBudget {
 public:
  explicit RateBudget(int reserve) : reserve_(reserve) {}

  // Records the client's latest rate-limit figures for `scope`.
  void update(const std::string& scope, const http::RateLimitState& state);
  // Whether `cost` more optional requests fit above the reserve. Unknown figures, or a window
  // that has already rolled over, allow the request.
  bool allows(const std::string& scope, int cost, double now_epoch_seconds) const;
  std::optional<http::RateLimitState> last(const std::string& scope) const;
  int reserve() const { return reserve_; }

 private:
  int reserve_;
  mutable std::mutex mutex_;
  std::map<std::string, http::RateLimitState> scopes_;
};

}  // namespace fue::thousandeyes
