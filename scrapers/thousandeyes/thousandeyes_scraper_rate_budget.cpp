#include "scrapers/thousandeyes/thousandeyes_scraper_rate_budget.h"

namespace fue::thousandeyes {

void RateBudget::update(const std::string& scope, const http::RateLimitState& state) {
  if (!state.remaining && !state.limit) return;  // a response without the headers says nothing
  std::lock_guard lock(mutex_);
  scopes_[scope] = state;
}

bool RateBudget::allows(const std::string& scope, int cost, double now_epoch_seconds) const {
  std::lock_guard lock(mutex_);
  auto it = scopes_.find(scope);
  if (it == scopes_.end() || !it->second.remaining) return true;
  const auto& s = it->second;
  if (s.reset_epoch_seconds && *s.reset_epoch_seconds <= now_epoch_seconds) return true;
  return *s.remaining - cost >= reserve_;
}

std::optional<http::RateLimitState> RateBudget::last(const std::string& scope) const {
  std::lock_guard lock(mutex_);
  auto it = scopes_.find(scope);
  if (it == scopes_.end()) return std::nullopt;
  return it->second;
}

}  // namespace fue::thousandeyes
