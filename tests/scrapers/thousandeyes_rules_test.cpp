// ThousandEyes' own rules, each named: the rate budget's reserve at its edge, which usage field
// feeds which family, the instant-test label, and the cursor read from _links.next.
#include <gtest/gtest.h>

#include "scrapers/thousandeyes/thousandeyes_metrics.h"
#include "scrapers/thousandeyes/thousandeyes_metrics_units.h"
#include "scrapers/thousandeyes/thousandeyes_parse.h"
#include "scrapers/thousandeyes/thousandeyes_scraper_rate_budget.h"
#include "tests/support/exposition.h"

namespace fue::test {
namespace {

http::RateLimitState remaining(double left, std::optional<double> reset = std::nullopt) {
  http::RateLimitState s;
  s.limit = 240;
  s.remaining = left;
  s.reset_epoch_seconds = reset;
  return s;
}

TEST(ThousandEyesRules, TheRateBudgetKeepsExactlyTheReserve) {
  thousandeyes::RateBudget budget(40);
  EXPECT_TRUE(budget.allows("aid", 1, 1000)) << "nothing known yet";
  budget.update("aid", remaining(41));
  EXPECT_TRUE(budget.allows("aid", 1, 1000)) << "41 - 1 leaves the reserve of 40";
  EXPECT_FALSE(budget.allows("aid", 2, 1000)) << "41 - 2 would dip into the reserve";
  budget.update("aid", remaining(40));
  EXPECT_FALSE(budget.allows("aid", 1, 1000));
  EXPECT_TRUE(budget.allows("other", 1, 1000)) << "scopes are separate";
}

TEST(ThousandEyesRules, ARolledOverWindowAllowsAgainAndHeaderlessAnswersSayNothing) {
  thousandeyes::RateBudget budget(40);
  budget.update("aid", remaining(0, 2000));
  EXPECT_FALSE(budget.allows("aid", 1, 1999));
  EXPECT_TRUE(budget.allows("aid", 1, 2000)) << "the window reset at 2000";
  budget.update("aid", http::RateLimitState{});  // no headers: keeps what it knew
  EXPECT_FALSE(budget.allows("aid", 1, 1999));
}

TEST(ThousandEyesRules, EachUsageFieldFeedsItsOwnFamily) {
  const auto body = nlohmann::json::parse(R"({"usage": {
    "cloudUnitsUsed": 100, "cloudUnitsProjected": 150, "cloudUnitsNextBillingPeriod": 170,
    "enterpriseUnitsUsed": 20, "enterpriseUnitsProjected": 25, "endpointAgentsUsed": 7,
    "quota": {"cloudUnitsIncluded": 1000, "monthStart": "2024-05-01T00:00:00Z",
              "monthEnd": "2024-05-31T23:59:59Z"}}})");
  MetricSet set;
  SeriesCap cap(true, 100);
  thousandeyes::add_usage_metrics(body, "42", set, cap);
  const std::string text = text_of(set);
  auto value = [&](const std::string& name) {
    return sample_value(text, name + R"({query_aid="42"})");
  };
  EXPECT_EQ(value("thousandeyes_cloud_units_used_total"), 100) << text;
  EXPECT_EQ(value("thousandeyes_cloud_units_projected"), 150);
  EXPECT_EQ(value("thousandeyes_cloud_units_next_period_projected"), 170);
  EXPECT_EQ(value("thousandeyes_enterprise_units_used_total"), 20);
  EXPECT_EQ(value("thousandeyes_enterprise_units_projected"), 25);
  EXPECT_EQ(value("thousandeyes_endpoint_agents_used"), 7);
  EXPECT_EQ(value("thousandeyes_cloud_units_included"), 1000);
  EXPECT_EQ(value("thousandeyes_billing_period_start_timestamp_seconds"), 1714521600);
  EXPECT_EQ(value("thousandeyes_connected_devices_units_used_total"), std::nullopt)
      << "a field the vendor did not send gives no series, not a zero";
}

TEST(ThousandEyesRules, InstantTestsAreLabelledAsTheySay) {
  thousandeyes::TestBreakdowns tests;
  tests.add_page(nlohmann::json::parse(R"({"breakdowns": [
    {"aid": "1", "accountGroupName": "g", "testId": "a", "testName": "A", "testType": "http",
     "isInstantTest": true, "cloudUnitsUsed": 5},
    {"aid": "1", "accountGroupName": "g", "testId": "b", "testName": "B", "testType": "http",
     "isInstantTest": false, "cloudUnitsUsed": 6},
    {"aid": "1", "accountGroupName": "g", "testId": "c", "testName": "C", "testType": "http",
     "cloudUnitsUsed": 7}]})"));
  MetricSet set;
  SeriesCap cap(true, 100);
  tests.emit(set, cap);
  const std::string text = text_of(set);
  auto used = [&](const std::string& id, const std::string& name, const std::string& instant) {
    return sample_value(
        text,
        R"(thousandeyes_test_breakdown_cloud_units_used_total{account_group_id="1",account_group_name="g",test_id=")" +
            id + R"(",test_name=")" + name + R"(",test_type="http",instant_test=")" + instant +
            "\"}");
  };
  EXPECT_EQ(used("a", "A", "true"), 5) << text;
  EXPECT_EQ(used("b", "B", "false"), 6);
  EXPECT_EQ(used("c", "C", "unknown"), 7);
}

TEST(ThousandEyesRules, TheNextCursorIsTheDecodedCursorParameter) {
  auto next = [](const std::string& href) {
    return thousandeyes::next_cursor(nlohmann::json{{"_links", {{"next", {{"href", href}}}}}});
  };
  EXPECT_EQ(next("https://api.thousandeyes.com/v7/usage/units/tests?aid=1&cursor=ab%2Bc%3D%3D"),
            "ab+c==");
  EXPECT_EQ(next("https://x/v7/t?cursor=first&aid=1"), "first");
  EXPECT_EQ(next("https://x/v7/t?aid=1&precursor=no"), std::nullopt);
  EXPECT_EQ(next("https://x/v7/t?aid=1&cursor="), std::nullopt);
  EXPECT_EQ(thousandeyes::next_cursor(nlohmann::json::object()), std::nullopt);
}

}  // namespace
}  // namespace fue::test
