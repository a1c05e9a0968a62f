// Monthly billing periods from a start day, at fixed instants (never today's date): month ends,
// a year end, leap and common Februaries, and the boundary instant itself.
#include "exporter/spend/billing_period.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

namespace fue {
namespace {

// Unix seconds of a UTC date and time.
int64_t utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  using namespace std::chrono;
  const auto day = sys_days(year{y} / month{m} / std::chrono::day{d});
  return day.time_since_epoch().count() * 86400 + hh * 3600 + mm * 60 + ss;
}

TEST(BillingPeriod, StartDayOneIsTheCalendarMonth) {
  const auto p = billing_period_at(utc(2026, 11, 20, 13, 5), 1);
  EXPECT_EQ(p.start, utc(2026, 11, 1));
  EXPECT_EQ(p.end, utc(2026, 12, 1));
  EXPECT_EQ(p.start, 1793491200);  // 2026-11-01T00:00:00Z, computed independently (date -d)
}

TEST(BillingPeriod, DecemberRunsIntoJanuaryOfTheNextYear) {
  const auto last_second = billing_period_at(utc(2026, 12, 31, 23, 59, 59), 1);
  EXPECT_EQ(last_second.start, utc(2026, 12, 1));
  EXPECT_EQ(last_second.end, utc(2027, 1, 1));
  const auto new_year = billing_period_at(utc(2027, 1, 1), 1);
  EXPECT_EQ(new_year.start, utc(2027, 1, 1));
  EXPECT_EQ(new_year.end, utc(2027, 2, 1));
}

TEST(BillingPeriod, StartDay28BeforeTheStartDayBelongsToThePreviousMonth) {
  // 10 January: the period began on 28 December and ends on 28 January.
  const auto p = billing_period_at(utc(2027, 1, 10, 8), 28);
  EXPECT_EQ(p.start, utc(2026, 12, 28));
  EXPECT_EQ(p.end, utc(2027, 1, 28));
}

TEST(BillingPeriod, StartDay28OnAndAfterTheStartDay) {
  EXPECT_EQ(billing_period_at(utc(2027, 1, 28), 28).start, utc(2027, 1, 28));
  EXPECT_EQ(billing_period_at(utc(2027, 1, 28), 28).end, utc(2027, 2, 28));
  EXPECT_EQ(billing_period_at(utc(2027, 1, 27, 23, 59, 59), 28).start, utc(2026, 12, 28));
  // 31 January lies in the period that ends on 28 February.
  EXPECT_EQ(billing_period_at(utc(2027, 1, 31, 12), 28).end, utc(2027, 2, 28));
  // December 28 to January 28 crosses the year.
  const auto p = billing_period_at(utc(2026, 12, 30), 28);
  EXPECT_EQ(p.start, utc(2026, 12, 28));
  EXPECT_EQ(p.end, utc(2027, 1, 28));
}

TEST(BillingPeriod, FebruaryLengthsLeapAndCommon) {
  const auto leap = billing_period_at(utc(2028, 2, 29, 12), 1);
  EXPECT_EQ(leap.end - leap.start, 29 * 86400);
  const auto common = billing_period_at(utc(2027, 2, 28, 23, 59, 59), 1);
  EXPECT_EQ(common.end - common.start, 28 * 86400);
  EXPECT_EQ(common.end, utc(2027, 3, 1));
  // Start day 28 in a leap year: 28 February to 28 March is 29 days.
  const auto p = billing_period_at(utc(2028, 3, 1), 28);
  EXPECT_EQ(p.start, utc(2028, 2, 28));
  EXPECT_EQ(p.end - p.start, 29 * 86400);
}

TEST(BillingPeriod, MidMonthStartDay) {
  const auto p = billing_period_at(utc(2026, 3, 14, 23, 59, 59), 15);
  EXPECT_EQ(p.start, utc(2026, 2, 15));
  EXPECT_EQ(p.end, utc(2026, 3, 15));
  EXPECT_EQ(billing_period_at(utc(2026, 3, 15), 15).start, utc(2026, 3, 15));
}

TEST(BillingPeriod, EveryInstantLiesInItsPeriod) {
  // One instant every 7 h 13 min over two years, for each allowed start day.
  for (int day = 1; day <= 28; ++day) {
    for (int64_t t = utc(2026, 1, 1); t < utc(2028, 1, 1); t += 7 * 3600 + 13 * 60) {
      const auto p = billing_period_at(t, day);
      ASSERT_LE(p.start, t) << day << " " << t;
      ASSERT_LT(t, p.end) << day << " " << t;
      ASSERT_GE(p.end - p.start, 28 * 86400);
      ASSERT_LE(p.end - p.start, 31 * 86400);
      ASSERT_EQ(p.start % 86400, 0);
    }
  }
}

TEST(BillingPeriod, StartDaysOutsideOneTo28AreRefused) {
  EXPECT_THROW(billing_period_at(utc(2026, 1, 1), 0), std::invalid_argument);
  EXPECT_THROW(billing_period_at(utc(2026, 1, 1), 29), std::invalid_argument);
}

}  // namespace
}  // namespace fue
