// The paging bounds of the shared listing, at their edges: a total needing exactly max_pages pages
// is listed, one row more is runaway paging (refused before any page after the first), and a last
// partial page is fetched.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "exporter/core/errors.h"
#include "exporter/engine/listing.h"

namespace fue::listing {
namespace {

struct Bounds : ::testing::Test {
  TargetConfig target;
  http::Client client{[] {
                        http::ClientOptions o;
                        o.base_url = "http://127.0.0.1:1";  // never called: pages are local
                        return o;
                      }(),
                      nullptr};
  MetricSet out;
  SeriesCap cap{true, 100000};
  ScrapeContext ctx{target, client, Deadline::after(Duration(10000)),
                    out,    cap,    [](std::string_view, std::string_view) {}};
  std::atomic<int> requests{0};

  Bounds() { target.name = "t"; }

  // Offset listing of `total` rows, 10 a page, at most `max_pages` pages.
  Result<std::string> list(int total, int max_pages) {
    Spec spec{"things", 10, max_pages};
    return by_offset<std::string>(
        ctx, spec, [](const std::string& s) -> std::string_view { return s; },
        [&, total](int64_t offset, int64_t limit) {
          ++requests;
          Page<std::string> p;
          for (int64_t i = offset; i < offset + limit && i < total; ++i)
            p.rows.push_back("r" + std::to_string(i));
          p.received = p.rows.size();
          p.total = total;
          p.page_size = limit;
          return p;
        });
  }
};

TEST_F(Bounds, ExactlyMaxPagesIsListed) {
  EXPECT_EQ(list(50, 5).rows.size(), 50u);
  EXPECT_EQ(requests, 5);
}

TEST_F(Bounds, OnePageMoreThanMaxPagesIsRunawayPaging) {
  try {
    list(51, 5);
    FAIL() << "expected runaway_paging";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "runaway_paging");
    EXPECT_NE(std::string(e.what()).find("needs 6 pages"), std::string::npos) << e.what();
  }
  EXPECT_EQ(requests, 1) << "refused from the first page's total, before fetching the rest";
}

TEST_F(Bounds, ALastPartialPageIsFetched) {
  const auto r = list(51, 1000);
  EXPECT_EQ(r.rows.size(), 51u);
  EXPECT_EQ(r.rows.back(), "r50");
  EXPECT_EQ(requests, 6);
}

}  // namespace
}  // namespace fue::listing
