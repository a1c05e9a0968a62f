#pragma once

#include <functional>
#include <optional>
#include <string>

#include "exporter/core/deadline.h"
#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"

namespace fue::http {

// Concurrent pages: listing::run_bounded (exporter/engine/listing.h), on the engine's pool.

// Calls fetch(cursor) starting with no cursor, and again with each returned cursor until none is
// returned. More than `max_pages` pages is treated as runaway paging and fails the target.
inline void follow_cursor(
    const std::function<std::optional<std::string>(const std::optional<std::string>&)>& fetch,
    int max_pages) {
  std::optional<std::string> cursor;
  for (int page = 0;; ++page) {
    if (page >= max_pages)
      throw ScrapeError(reason::kRunawayPaging,
                        "more than " + std::to_string(max_pages) + " pages; stopped");
    cursor = fetch(cursor);
    if (!cursor || cursor->empty()) return;
  }
}

// Number of pages needed for `total` items at `page_size` per page (at least one).
inline int page_count(long long total, long long page_size) {
  if (page_size <= 0 || total <= 0) return 1;
  return static_cast<int>((total + page_size - 1) / page_size);
}

}  // namespace fue::http
