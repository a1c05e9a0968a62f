// The shared listing helper: each paging style pages by what the server returned, drops repeats,
// re-lists once on a disagreement with the reported total, and then raises listing_incomplete
// with both numbers instead of undercounting in silence. Its pages run on a bounded pool.
#include "exporter/engine/listing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "exporter/engine/worker_pool.h"

namespace fue::listing {
namespace {

// A fleet of `size` rows "r0".."r<size-1>" served by a server that caps its page size at `cap`.
struct FakeServer {
  int size = 25;
  int cap = 1000;
  bool echo = true;  // echoes the page size it used
  bool report_total = true;
  int grow_after_first = 0;  // rows added once the first page has been served
  int shift = 0;             // pages after the first start this many rows earlier (<0: later)
  std::atomic<int> requests{0};

  Page<std::string> rows(int64_t start, int64_t limit, bool first) {
    ++requests;
    if (!first && grow_after_first) {  // the re-listing then sees the fleet as it now is
      size += grow_after_first;
      grow_after_first = 0;
    }
    const int64_t n = std::min<int64_t>(limit, cap);
    if (!first) start -= shift;
    Page<std::string> p;
    for (int64_t i = std::max<int64_t>(start, 0); i < start + n && i < size; ++i)
      p.rows.push_back("r" + std::to_string(i));
    p.received = p.rows.size();
    if (report_total) p.total = size;
    if (echo) p.page_size = n;
    return p;
  }
};

struct Harness {
  TargetConfig target;
  // Never used for a request: the fake servers answer in-process.
  http::Client client{[] {
                        http::ClientOptions o;
                        o.base_url = "http://127.0.0.1:9";
                        return o;
                      }(),
                      nullptr};
  MetricSet out;
  SeriesCap cap{true, 100000};
  std::vector<std::pair<std::string, std::string>> partials;
  std::map<std::string, std::pair<size_t, std::optional<int64_t>>> gauges;
  ScrapeContext ctx{target,
                    client,
                    Deadline::after(Duration(10000)),
                    out,
                    cap,
                    [this](std::string_view r, std::string_view m) {
                      partials.emplace_back(std::string(r), std::string(m));
                    }};
  explicit Harness(int concurrency = 4) {
    target.name = "t";
    target.http.concurrency = concurrency;
    ctx.listing = [this](std::string_view e, size_t listed, std::optional<int64_t> reported) {
      gauges[std::string(e)] = {listed, reported};
    };
  }
};

KeyFn<std::string> by_value() {
  return [](const std::string& s) -> std::string_view { return s; };
}

Result<std::string> offset_listing(Harness& h, FakeServer& s, int64_t page_size) {
  Spec spec{"things", page_size, 1000};
  return by_offset<std::string>(h.ctx, spec, by_value(), [&](int64_t offset, int64_t limit) {
    return s.rows(offset, limit, offset == 0);
  });
}

TEST(Listing, OffsetPagesByTheEchoedLimitWhenTheServerCapsTheRequest) {
  Harness h;
  FakeServer s;
  s.cap = 7;
  auto r = offset_listing(h, s, 1000);
  EXPECT_EQ(r.rows.size(), 25u);
  EXPECT_EQ(s.requests, 4);  // ceil(25 / 7), not ceil(25 / 1000)
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(h.partials.empty());
  EXPECT_EQ(h.gauges["things"], (std::pair<size_t, std::optional<int64_t>>{25, 25}));
}

TEST(Listing, OffsetPagesByTheRowsReceivedWhenNothingIsEchoed) {
  Harness h;
  FakeServer s;
  s.cap = 7;
  s.echo = false;
  auto r = offset_listing(h, s, 1000);
  EXPECT_EQ(r.rows.size(), 25u);
  EXPECT_TRUE(h.partials.empty());
}

TEST(Listing, OffsetWithoutATotalFollowsTheEchoedLimitAndTheRowsReceivedUntilAShortPage) {
  Harness h;
  FakeServer s;
  s.cap = 7;
  s.report_total = false;
  auto r = offset_listing(h, s, 1000);
  EXPECT_EQ(r.rows.size(), 25u);
  EXPECT_EQ(s.requests, 4);
  EXPECT_EQ(h.gauges["things"].second, std::nullopt);
}

// With neither a total nor an echo, a short page cannot be told from the last one: the listing
// ends there (the documented limit; BCS documents both, so this is a server off its spec).
TEST(Listing, OffsetWithNeitherTotalNorEchoEndsAtTheFirstShortPage) {
  Harness h;
  FakeServer s;
  s.cap = 7;
  s.echo = false;
  s.report_total = false;
  auto r = offset_listing(h, s, 1000);
  EXPECT_EQ(r.rows.size(), 7u);
  EXPECT_EQ(s.requests, 1);
}

TEST(Listing, ATotalThatGrowsMidListingIsReListedOnceAndThenComplete) {
  Harness h;
  FakeServer s;
  s.grow_after_first = 8;  // 25 -> 33: the 3 pages planned from 25 reach row 29 only
  auto r = offset_listing(h, s, 10);
  EXPECT_EQ(r.rows.size(), 33u);
  EXPECT_EQ(r.listings, 2);
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(h.partials.empty());
}

TEST(Listing, ARowSkippedOnEveryListingIsListingIncompleteWithBothNumbers) {
  Harness h;
  FakeServer s;
  s.shift = -1;  // pages after the first start one row late: one row never comes
  auto r = offset_listing(h, s, 10);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.listings, 2);  // one bounded re-listing, no more
  ASSERT_EQ(h.partials.size(), 1u);
  EXPECT_EQ(h.partials[0].first, "listing_incomplete");
  EXPECT_NE(h.partials[0].second.find("listed 24"), std::string::npos) << h.partials[0].second;
  EXPECT_NE(h.partials[0].second.find("reported 25"), std::string::npos) << h.partials[0].second;
  EXPECT_EQ(h.gauges["things"], (std::pair<size_t, std::optional<int64_t>>{24, 25}));
}

TEST(Listing, ARowRepeatedAcrossPagesIsCountedOnce) {
  Harness h;
  FakeServer s;
  s.shift = 1;  // pages after the first start one row early: one row comes twice
  auto r = offset_listing(h, s, 10);
  EXPECT_EQ(r.rows.size(), 25u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(h.partials.empty());
}

TEST(Listing, PageNumbersUseTheEchoedSizeForEveryLaterPage) {
  Harness h;
  FakeServer s;
  s.cap = 4;
  std::set<int64_t> sizes;
  std::mutex m;
  Spec spec{"phones", 100, 1000, 1};
  auto r = by_page<std::string>(h.ctx, spec, by_value(), [&](int page_no, int64_t size) {
    {
      std::lock_guard lock(m);
      sizes.insert(size);
    }
    const int64_t used = std::min<int64_t>(size, s.cap);
    return s.rows((page_no - 1) * used, size, page_no == 1);
  });
  EXPECT_EQ(r.rows.size(), 25u);
  EXPECT_EQ(s.requests, 7);
  EXPECT_EQ(sizes, (std::set<int64_t>{100, 4}));
}

TEST(Listing, PageNumbersWithoutATotalFollowHasMore) {
  Harness h;
  Spec spec{"devices", 10, 1000, 1};
  int calls = 0;
  auto r = by_page<std::string>(h.ctx, spec, by_value(), [&](int page_no, int64_t size) {
    ++calls;
    Page<std::string> p;
    for (int i = 0; i < 10 && (page_no - 1) * 10 + i < 23; ++i)
      p.rows.push_back("d" + std::to_string((page_no - 1) * 10 + i));
    p.has_more = page_no < 3;
    return p;
  });
  EXPECT_EQ(r.rows.size(), 23u);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(h.gauges["devices"].first, 23u);
}

TEST(Listing, CursorWalksUntilNoNextAndDropsRepeats) {
  Harness h;
  Spec spec{"tests", 0, 10};
  std::vector<std::vector<std::string>> pages = {{"a", "b"}, {"b", "c"}, {"d"}};
  auto r = by_cursor<std::string>(h.ctx, spec, by_value(),
                                  [&](const std::optional<std::string>& cursor) {
                                    const int i = cursor ? std::stoi(*cursor) : 0;
                                    Page<std::string> p;
                                    p.rows = pages[i];
                                    if (i + 1 < static_cast<int>(pages.size()))
                                      p.next = std::to_string(i + 1);
                                    return p;
                                  });
  EXPECT_EQ(r.rows, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(r.duplicates, 1u);
}

TEST(Listing, CursorThatNeverEndsIsRunawayPaging) {
  Harness h;
  Spec spec{"tests", 0, 5};
  try {
    by_cursor<std::string>(h.ctx, spec, by_value(), [&](const std::optional<std::string>&) {
      Page<std::string> p;
      p.rows = {"x"};
      p.next = "again";
      return p;
    });
    FAIL() << "expected runaway_paging";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "runaway_paging");
    EXPECT_NE(std::string(e.what()).find("max_pages 5"), std::string::npos) << e.what();
  }
}

TEST(Listing, ATotalNeedingTooManyPagesIsRunawayPaging) {
  Harness h;
  FakeServer s;
  s.size = 100;
  Spec spec{"things", 10, 3};
  EXPECT_THROW(by_offset<std::string>(h.ctx, spec, by_value(),
                                      [&](int64_t offset, int64_t limit) {
                                        return s.rows(offset, limit, offset == 0);
                                      }),
               ScrapeError);
  EXPECT_EQ(s.requests, 1);
}

TEST(RunBounded, NeverMoreThanTheConcurrencyAndOnTheGivenPool) {
  WorkerPool pool(8);
  std::atomic<int> running{0}, peak{0};
  std::mutex m;
  std::set<std::thread::id> threads;
  std::vector<int> done(40, 0);
  run_bounded(&pool, 40, 3, [&](int i) {
    const int now = ++running;
    int p = peak;
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    {
      std::lock_guard lock(m);
      threads.insert(std::this_thread::get_id());
    }
    done[i] = 1;
    --running;
  });
  EXPECT_LE(peak.load(), 3);
  EXPECT_LE(threads.size(), 3u);
  for (int d : done) EXPECT_EQ(d, 1);
}

TEST(RunBounded, ProgressesWhenEveryPoolThreadIsBusyWithItsCaller) {
  // A pool of one whose only thread runs the listing itself: the caller does the pages.
  WorkerPool pool(1);
  std::atomic<bool> finished{false};
  pool.submit([&] {
    std::atomic<int> n{0};
    run_bounded(&pool, 10, 4, [&](int) { ++n; });
    finished = n == 10;
  });
  for (int i = 0; i < 500 && !finished; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(finished);
}

TEST(RunBounded, TheFirstFailureIsRethrownAndStopsNewJobs) {
  WorkerPool pool(2);
  std::atomic<int> calls{0};
  EXPECT_THROW(run_bounded(&pool, 100, 1,
                           [&](int i) {
                             ++calls;
                             if (i == 3) throw ScrapeError("http_500", "page 3");
                           }),
               ScrapeError);
  EXPECT_EQ(calls, 4);
}

}  // namespace
}  // namespace fue::listing
