// Retry-After in both of its forms (RFC 9110 10.2.3), at a fixed "now" so nothing depends on the
// clock: a wrong sign on the date form would wait 0 s and hammer a rate-limited vendor.
#include "exporter/http/rate_limit.h"

#include <gtest/gtest.h>

#include <map>

namespace fue::http {
namespace {

// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's own example date.
constexpr double kRfcExample = 784111777;

TEST(RetryAfter, AnHttpDateIsTheTimeLeftUntilThatDate) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExample - 120), 120);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", kRfcExample), 60);
}

TEST(RetryAfter, AnHttpDateInThePastMeansNoWait) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kRfcExample + 3600), 0);
}

TEST(RetryAfter, DeltaSecondsAreTakenAsTheyAre) {
  EXPECT_EQ(parse_retry_after("30", kRfcExample), 30);
  EXPECT_EQ(parse_retry_after(" 5 ", kRfcExample), 5);
  EXPECT_EQ(parse_retry_after("0", kRfcExample), 0);
  EXPECT_EQ(parse_retry_after("-4", kRfcExample), 0) << "never a negative wait";
}

TEST(RetryAfter, AbsentOrUnreadableIsNoAnswer) {
  EXPECT_EQ(parse_retry_after("", kRfcExample), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", kRfcExample), std::nullopt);
  EXPECT_EQ(parse_retry_after("12abc", kRfcExample), std::nullopt);
}

Response with_headers(std::map<std::string, std::string> h) {
  Response r;
  r.status = 429;
  for (auto& [k, v] : h) r.headers.emplace(k, v);
  return r;
}

TEST(RateLimitWait, RetryAfterWinsOverTheVendorResetHeader) {
  const RateLimitHeaders names{"X-Limit", "X-Remaining", "X-Reset", true};
  const auto res = with_headers({{"Retry-After", "Sun, 06 Nov 1994 08:49:47 GMT"},
                                 {"X-Reset", std::to_string(kRfcExample + 500)}});
  EXPECT_EQ(rate_limit_wait_seconds(res, names, kRfcExample), 10);
}

TEST(RateLimitWait, AnEpochResetIsCountedFromNowAndARelativeOneIsTakenAsIs) {
  const auto res = with_headers({{"X-Reset", "1000"}});
  EXPECT_EQ(rate_limit_wait_seconds(res, {"", "", "X-Reset", true}, 990), 10);
  EXPECT_EQ(rate_limit_wait_seconds(res, {"", "", "X-Reset", false}, 990), 1000);
  EXPECT_EQ(rate_limit_wait_seconds(res, {"", "", "X-Reset", true}, 2000), 0);
  EXPECT_EQ(rate_limit_wait_seconds(with_headers({}), {"", "", "X-Reset", true}, 990),
            std::nullopt);
}

TEST(RateLimitRecord, FiguresAreCopiedAndARelativeResetBecomesAnEpoch) {
  const auto res = with_headers({{"X-Limit", "100"}, {"X-Remaining", "7"}, {"X-Reset", "30"}});
  RateLimitState state;
  record_rate_limit(res, {"X-Limit", "X-Remaining", "X-Reset", false}, 1000, state);
  EXPECT_EQ(state.limit, 100);
  EXPECT_EQ(state.remaining, 7);
  EXPECT_EQ(state.reset_epoch_seconds, 1030);
}

}  // namespace
}  // namespace fue::http
