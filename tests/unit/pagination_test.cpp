#include "exporter/http/pagination.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "exporter/engine/listing.h"
#include "exporter/engine/worker_pool.h"

namespace fue::http {
namespace {

namespace listing = fue::listing;

using namespace std::chrono_literals;

// Concurrent pages run through listing::run_bounded on a shared pool (no threads of their own).
TEST(RunBoundedTest, RunsEveryJobWithBoundedConcurrency) {
  WorkerPool pool(8);
  std::atomic<int> in_flight{0}, max_in_flight{0};
  std::vector<int> pages(20, 0);
  listing::run_bounded(&pool, 20, 4, [&](int i) {
    const int now = ++in_flight;
    for (int seen = max_in_flight; now > seen && !max_in_flight.compare_exchange_weak(seen, now);) {
    }
    // Hold the early pages until all workers are busy, so the bound is actually reached.
    for (auto until = std::chrono::steady_clock::now() + 2s;
         max_in_flight < 4 && std::chrono::steady_clock::now() < until;)
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(2ms);
    --in_flight;
    pages[i] = (i + 1) * 10;
  });
  for (int i = 0; i < 20; ++i) EXPECT_EQ(pages[i], (i + 1) * 10);
  EXPECT_EQ(max_in_flight, 4);
}

TEST(RunBoundedTest, RethrowsTheFirstFailureAndStopsFetching) {
  WorkerPool pool(2);
  std::vector<int> fetched;
  try {
    listing::run_bounded(&pool, 10, 1, [&](int i) {
      fetched.push_back(i + 1);
      if (i + 1 >= 3) throw ScrapeError("page_" + std::to_string(i + 1), "failed");
    });
    FAIL() << "expected the page error";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "page_3");
  }
  EXPECT_EQ(fetched, (std::vector<int>{1, 2, 3}));
}

TEST(RunBoundedTest, AnEmptyRangeRunsNothing) {
  int calls = 0;
  listing::run_bounded(nullptr, 0, 4, [&](int) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(FollowCursorTest, FollowsCursorsUntilNoneIsReturned) {
  std::vector<std::string> seen;
  follow_cursor(
      [&](const std::optional<std::string>& cursor) -> std::optional<std::string> {
        seen.push_back(cursor.value_or("<start>"));
        if (!cursor) return "b";
        if (*cursor == "b") return "c";
        return std::nullopt;
      },
      10);
  EXPECT_EQ(seen, (std::vector<std::string>{"<start>", "b", "c"}));
}

TEST(FollowCursorTest, StopsRunawayPaging) {
  int calls = 0;
  try {
    follow_cursor(
        [&](const std::optional<std::string>&) -> std::optional<std::string> {
          return "again" + std::to_string(++calls);
        },
        5);
    FAIL() << "expected runaway_paging";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "runaway_paging");
  }
  EXPECT_EQ(calls, 5);
}

TEST(PageCountTest, RoundsUpAndNeverReturnsZero) {
  EXPECT_EQ(page_count(0, 50), 1);
  EXPECT_EQ(page_count(50, 50), 1);
  EXPECT_EQ(page_count(51, 50), 2);
  EXPECT_EQ(page_count(10, 0), 1);
}

}  // namespace
}  // namespace fue::http
