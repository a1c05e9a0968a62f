// Prices reach /metrics of the real binary from its config and follow it: a reload by POST
// /-/reload or SIGHUP changes them on the next scrape, and a reload with bad prices keeps the last
// good ones. Every exposition passes promtool.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

using namespace std::chrono_literals;

std::string config_with(const std::string& data_price, const std::string& budget) {
  return "[[notehub]]\nname = \"nh\"\nbase_url = \"{{SIM}}/notehub\"\ntoken = \"sim-notehub-pat\"\n"
         "projects = [\"app:2606f411-dea6-44a0-9743-1130f57d77d8\"]\nmin_interval = \"1m\"\n"
         "\n[[price]]\nvendor = \"notehub\"\ncurrency = \"USD\"\nbudget = " +
         budget + "\n\n[[price.rate]]\ndimension = \"data\"\nunit = \"MB\"\nprice = " + data_price +
         "\nincluded = 500\n";
}

const std::string kPrice =
    R"(fleet_usage_price{vendor="notehub",target="nh",dimension="data",item="",unit="bytes",currency="USD"} )";
const std::string kBudget = R"(fleet_usage_budget{vendor="notehub",target="nh",currency="USD"} )";

// The value of the series starting with `prefix` (name and labels), or "" when absent.
std::string value_of(const std::string& body, const std::string& prefix) {
  const auto at = body.find("\n" + prefix);
  if (at == std::string::npos) return "";
  const auto from = at + 1 + prefix.size();
  return body.substr(from, body.find('\n', from) - from);
}

class SpendE2E : public ::testing::Test {
 protected:
  SimProcess sim_;
  ExporterProcess exporter_{config_with("0.40", "25"), sim_.base()};

  std::string metrics() {
    const auto [status, body] = exporter_.get("/metrics");
    EXPECT_EQ(status, 200);
    return body;
  }
  void rewrite(const std::string& config) {
    write_file(exporter_.config_path(), substitute(config, sim_.base()));
  }
  int post_reload(std::string* body = nullptr) {
    httplib::Client c("127.0.0.1", exporter_.port());
    auto r = c.Post("/-/reload");
    if (r && body) *body = r->body;
    return r ? r->status : 0;
  }
};

TEST_F(SpendE2E, PricesFromTheConfigAreServedAndPassPromtool) {
  const std::string body = metrics();
  EXPECT_EQ(value_of(body, kPrice), "4e-07") << body;  // 0.40 USD per MB, per byte
  EXPECT_EQ(
      value_of(
          body,
          R"(fleet_usage_included{vendor="notehub",target="nh",dimension="data",item="",unit="bytes",currency="USD"} )"),
      "500000000");
  EXPECT_EQ(value_of(body, kBudget), "25");
  EXPECT_NE(
      body.find(
          R"(fleet_usage_dimension_info{vendor="notehub",dimension="events",unit="events",family="notehub_billable_events_total",kind="period_counter",item_label=""} 1)"),
      std::string::npos);
  expect_promtool_ok(body);
}

TEST_F(SpendE2E, ThePeriodContainsTheExportersNow) {
  // Clock-proof: whatever today is, the period holds now and starts at a UTC midnight on the 1st.
  const std::string body = metrics();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const double start = std::stod(value_of(
      body, R"(fleet_usage_period_start_timestamp_seconds{vendor="notehub",target="nh"} )"));
  const double end = std::stod(
      value_of(body, R"(fleet_usage_period_end_timestamp_seconds{vendor="notehub",target="nh"} )"));
  EXPECT_LE(start, static_cast<double>(now));
  EXPECT_GT(end, static_cast<double>(now) - 5);  // the scrape was a moment ago
  EXPECT_EQ(static_cast<int64_t>(start) % 86400, 0);
  const time_t s = static_cast<time_t>(start);
  tm utc{};
  gmtime_r(&s, &utc);
  EXPECT_EQ(utc.tm_mday, 1);
  EXPECT_GE(end - start, 28 * 86400.0);
  EXPECT_LE(end - start, 31 * 86400.0);
}

TEST_F(SpendE2E, ReloadChangesPricesAndABadReloadKeepsThem) {
  rewrite(config_with("0.80", "40"));
  ASSERT_EQ(post_reload(), 200);
  std::string body = metrics();
  EXPECT_EQ(value_of(body, kPrice), "8e-07");
  EXPECT_EQ(value_of(body, kBudget), "40");
  expect_promtool_ok(body);

  rewrite(config_with("-0.80", "40"));
  std::string answer;
  EXPECT_EQ(post_reload(&answer), 500);
  EXPECT_NE(answer.find(exporter_.config_path() + ":16: price[0].rate[0].price: must be a number "
                                                  ">= 0, got -0.8"),
            std::string::npos)
      << answer;
  body = metrics();
  EXPECT_EQ(value_of(body, kPrice), "8e-07") << "the last good prices stay";
  EXPECT_NE(body.find("fleet_usage_exporter_config_last_reload_successful 0"), std::string::npos);
}

TEST_F(SpendE2E, SighupReloadsPrices) {
  rewrite(config_with("0.40", "99.5"));
  ASSERT_EQ(kill(exporter_.pid(), SIGHUP), 0);
  std::string seen;
  for (auto until = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms)) {
    seen = value_of(metrics(), kBudget);
    if (seen == "99.5") break;
  }
  EXPECT_EQ(seen, "99.5");
}

TEST_F(SpendE2E, RemovingThePriceTablesRemovesTheFamilies) {
  rewrite(
      "[[notehub]]\nname = \"nh\"\nbase_url = \"{{SIM}}/notehub\"\ntoken = \"sim-notehub-pat\"\n"
      "projects = [\"app:2606f411-dea6-44a0-9743-1130f57d77d8\"]\n");
  ASSERT_EQ(post_reload(), 200);
  EXPECT_EQ(metrics().find("fleet_usage_price"), std::string::npos);
}

}  // namespace
}  // namespace fue::test
