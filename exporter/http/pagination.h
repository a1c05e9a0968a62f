#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "exporter/core/deadline.h"
#include "exporter/core/errors.h"

namespace fue::http {

// Fetches pages first..last (inclusive) with at most `concurrency` requests in flight and returns
// the results in page order. The first failure stops new fetches and is rethrown.
template <class T>
std::vector<T> fetch_pages(int first, int last, int concurrency, const std::function<T(int)>& fetch) {
  if (last < first) return {};
  const int count = last - first + 1;
  std::vector<T> results(count);
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (int i; !failed && (i = next++) < count;) {
      try {
        results[i] = fetch(first + i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  const int threads = std::clamp(concurrency, 1, count);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return results;
}

// Calls fetch(cursor) starting with no cursor, and again with each returned cursor until none is
// returned. More than `max_pages` pages is treated as runaway paging and fails the target.
inline void follow_cursor(const std::function<std::optional<std::string>(const std::optional<std::string>&)>& fetch,
                          int max_pages) {
  std::optional<std::string> cursor;
  for (int page = 0;; ++page) {
    if (page >= max_pages)
      throw ScrapeError("runaway_paging", "more than " + std::to_string(max_pages) + " pages; stopped");
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
