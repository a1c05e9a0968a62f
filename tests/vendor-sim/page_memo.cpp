#include "tests/vendor-sim/page_memo.h"

namespace sim {

std::shared_ptr<const std::string> PageMemo::get(const std::string& key,
                                                 const std::function<std::string()>& make) {
  {
    std::lock_guard lock(mu_);
    if (auto it = pages_.find(key); it != pages_.end()) return it->second;
  }
  // Made outside the lock: two requests for a new page may both make it, which is harmless.
  auto page = std::make_shared<const std::string>(make());
  std::lock_guard lock(mu_);
  if (bytes_ + page->size() > kMaxBytes) {
    pages_.clear();
    bytes_ = 0;
  }
  if (pages_.emplace(key, page).second) bytes_ += page->size();
  return page;
}

}  // namespace sim
