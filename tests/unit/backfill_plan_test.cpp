// Dates and range splitting of `backfill`.
#include <gtest/gtest.h>

#include "exporter/backfill/plan.h"

namespace fue::backfill {
namespace {

int64_t d(const char* text) { return *parse_date(text); }

TEST(BackfillPlan, ParsesAndFormatsUtcDates) {
  EXPECT_EQ(d("1970-01-01"), 0);
  EXPECT_EQ(d("2026-01-01"), 1767225600);
  EXPECT_EQ(format_date(1767225600), "2026-01-01");
  EXPECT_EQ(format_date(1767225600 + 86399), "2026-01-01");
  EXPECT_EQ(format_date(d("2028-02-29")), "2028-02-29");
  for (const char* bad : {"2026-02-30", "2027-02-29", "2026-13-01", "2026-1-01", "26-01-01",
                          "2026/01/01", "2026-01-01T00:00:00Z", "", "1969-12-31", "2026-00-10"})
    EXPECT_FALSE(parse_date(bad)) << bad;
}

TEST(BackfillPlan, SplitsAtMonthsAndAtMostMaxDays) {
  const auto r = split_range(d("2026-01-28"), d("2026-03-02"), 31, true);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], (DayRange{d("2026-01-28"), d("2026-01-31")}));
  EXPECT_EQ(r[1], (DayRange{d("2026-02-01"), d("2026-02-28")}));
  EXPECT_EQ(r[2], (DayRange{d("2026-03-01"), d("2026-03-02")}));
  EXPECT_EQ(r[1].days(), 28);

  const auto weeks = split_range(d("2026-01-01"), d("2026-01-31"), 7, true);
  ASSERT_EQ(weeks.size(), 5u);
  EXPECT_EQ(weeks[4], (DayRange{d("2026-01-29"), d("2026-01-31")}));

  const auto across = split_range(d("2026-01-30"), d("2026-02-02"), 10, false);
  ASSERT_EQ(across.size(), 1u);
  EXPECT_EQ(across[0].days(), 4);
}

TEST(BackfillPlan, CoversEveryDayExactlyOnce) {
  for (int max_days : {1, 2, 7, 31, 400}) {
    for (bool within : {true, false}) {
      const auto ranges = split_range(d("2025-12-15"), d("2026-03-10"), max_days, within);
      int64_t next = d("2025-12-15");
      for (const auto& r : ranges) {
        EXPECT_EQ(r.first, next);
        EXPECT_LE(r.days(), max_days);
        next = r.last + kDaySeconds;
      }
      EXPECT_EQ(next, d("2026-03-11")) << max_days << within;
    }
  }
  EXPECT_TRUE(split_range(d("2026-01-02"), d("2026-01-01"), 7, true).empty());
  EXPECT_EQ(split_range(d("2026-01-02"), d("2026-01-02"), 0, true).size(), 1u);
  EXPECT_EQ(sample_time(d("2026-01-02")), d("2026-01-03") - 1);
}

}  // namespace
}  // namespace fue::backfill
