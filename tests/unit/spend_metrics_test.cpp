// The spend families exported from the config: prices and allowances per base unit, budgets, the
// billing period from a pinned clock, the dimensions' info, and their change when the config does.
#include "exporter/spend/spend_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <string>

#include "exporter/config/config.h"
#include "exporter/metrics/collectable.h"
#include "exporter/metrics/serializer.h"
#include "scrapers/registry.h"
#include "tests/support/harness.h"
#include "tests/unit/config_test_vendor.h"

namespace fue {
namespace {

constexpr int64_t kNow = 1795161600;    // 2026-11-20T08:00:00Z, pinned: never today's date
constexpr int64_t kNov1 = 1793491200;   // 2026-11-01T00:00:00Z
constexpr int64_t kDec1 = 1796083200;   // 2026-12-01T00:00:00Z
constexpr int64_t kOct28 = 1793145600;  // 2026-10-28T00:00:00Z
constexpr int64_t kNov28 = 1795824000;  // 2026-11-28T00:00:00Z

constexpr const char* kTargets =
    "[[testvendor]]\nname = \"prod\"\ntoken = \"tok-abcdef\"\n"
    "[[testvendor]]\nname = \"staging\"\ntoken = \"tok-abcdef\"\n";

constexpr const char* kPrices = R"(
[[price]]
vendor = "testvendor"
currency = "USD"
budget = 25
flat_fee = 9.5

[[price.rate]]
dimension = "usage"
unit = "MB"
price = 0.40
included = 500

[[price.rate]]
dimension = "requests"
unit = "thousand_requests"
price = 1

[[price.rate]]
dimension = "vm_hours"
unit = "hours"
item = "m2a.large"
price = 0.12

[[price]]
vendor = "testvendor"
target = "staging"
currency = "EUR"
period_start_day = 28
)";

std::shared_ptr<const ExporterConfig> config_of(const std::string& prices) {
  return std::make_shared<const ExporterConfig>(
      parse_config(std::string(kTargets) + prices, "test.toml", test::test_vendors()));
}

std::string text_of(const MetricSet& set) {
  std::string out;
  serialize_text(set, out);
  return out;
}

void expect_line(const std::string& text, const std::string& line) {
  EXPECT_NE(text.find("\n" + line + "\n"), std::string::npos) << "missing: " << line << "\n"
                                                              << text;
}

TEST(SpendMetrics, PricesAndAllowancesPerBaseUnit) {
  const std::string t = text_of(spend_metrics(*config_of(kPrices), kNow));
  expect_line(
      t,
      R"(fleet_usage_price{vendor="testvendor",target="prod",dimension="usage",item="",unit="bytes",currency="USD"} 4e-07)");
  expect_line(
      t,
      R"(fleet_usage_included{vendor="testvendor",target="prod",dimension="usage",item="",unit="bytes",currency="USD"} 500000000)");
  expect_line(
      t,
      R"(fleet_usage_price{vendor="testvendor",target="prod",dimension="requests",item="",unit="requests",currency="USD"} 0.001)");
  expect_line(
      t,
      R"(fleet_usage_included{vendor="testvendor",target="prod",dimension="requests",item="",unit="requests",currency="USD"} 0)");
  expect_line(
      t,
      R"(fleet_usage_price{vendor="testvendor",target="prod",dimension="vm_hours",item="m2a.large",unit="instance_hours",currency="USD"} 0.12)");
  expect_line(
      t,
      R"(fleet_usage_price{vendor="testvendor",target="prod",dimension="flat_fee",item="",unit="periods",currency="USD"} 9.5)");
  expect_line(t, R"(fleet_usage_budget{vendor="testvendor",target="prod",currency="USD"} 25)");
  // The flat fee has no allowance.
  EXPECT_EQ(
      t.find(R"(fleet_usage_included{vendor="testvendor",target="prod",dimension="flat_fee")"),
      std::string::npos);
}

TEST(SpendMetrics, ATargetsOwnTableReplacesTheVendorsTable) {
  const std::string t = text_of(spend_metrics(*config_of(kPrices), kNow));
  expect_line(
      t,
      R"(fleet_usage_price{vendor="testvendor",target="staging",dimension="flat_fee",item="",unit="periods",currency="EUR"} 0)");
  EXPECT_EQ(t.find(R"(target="staging",dimension="usage")"), std::string::npos) << t;
  EXPECT_EQ(t.find(R"(fleet_usage_budget{vendor="testvendor",target="staging")"), std::string::npos)
      << "no budget configured, no budget series";
}

TEST(SpendMetrics, BillingPeriodFromThePinnedClock) {
  const std::string t = text_of(spend_metrics(*config_of(kPrices), kNow));
  expect_line(t,
              R"(fleet_usage_period_start_timestamp_seconds{vendor="testvendor",target="prod"} )" +
                  std::to_string(kNov1));
  expect_line(t, R"(fleet_usage_period_end_timestamp_seconds{vendor="testvendor",target="prod"} )" +
                     std::to_string(kDec1));
  // period_start_day = 28: on 20 November the period began on 28 October.
  expect_line(
      t, R"(fleet_usage_period_start_timestamp_seconds{vendor="testvendor",target="staging"} )" +
             std::to_string(kOct28));
  expect_line(t,
              R"(fleet_usage_period_end_timestamp_seconds{vendor="testvendor",target="staging"} )" +
                  std::to_string(kNov28));
}

TEST(SpendMetrics, DimensionInfoOncePerVendor) {
  const std::string t = text_of(spend_metrics(*config_of(kPrices), kNow));
  expect_line(
      t,
      R"(fleet_usage_dimension_info{vendor="testvendor",dimension="usage",unit="bytes",family="testvendor_usage_bytes_total",kind="period_counter",item_label=""} 1)");
  expect_line(
      t,
      R"(fleet_usage_dimension_info{vendor="testvendor",dimension="vm_hours",unit="instance_hours",family="testvendor_vms_by_flavor",kind="gauge_hours",item_label="flavor"} 1)");
  expect_line(
      t,
      R"(fleet_usage_dimension_info{vendor="testvendor",dimension="flat_fee",unit="periods",family="",kind="flat",item_label=""} 1)");
  size_t n = 0;
  for (size_t at = t.find("\nfleet_usage_dimension_info{"); at != std::string::npos;
       at = t.find("\nfleet_usage_dimension_info{", at + 1))
    ++n;
  EXPECT_EQ(n, 4u);  // three declared dimensions and the flat fee, not repeated per target
}

TEST(SpendMetrics, NoPriceTablesNoFamilies) {
  EXPECT_TRUE(spend_metrics(*config_of(""), kNow).families().empty());
}

TEST(SpendMetrics, HelpTextsDoNotChangeWithTheConfig) {
  const auto a = spend_metrics(*config_of(kPrices), kNow);
  const auto b = spend_metrics(
      *config_of("[[price]]\nvendor = \"testvendor\"\ncurrency = \"KRW\"\n"), kNow + 86400 * 40);
  for (const auto& f : a.families()) {
    const MetricFamily* other = b.find(f->name());
    ASSERT_NE(other, nullptr) << f->name();
    EXPECT_EQ(other->help(), f->help());
  }
}

TEST(SpendMetrics, ExpositionPassesPromtool) {
  test::expect_promtool_ok(text_of(spend_metrics(*config_of(kPrices), kNow)));
}

TEST(SpendMetrics, CollectorFollowsTheRunningConfigAndClock) {
  std::shared_ptr<const ExporterConfig> running = config_of(kPrices);
  int64_t now = kNow;
  SpendCollector spend([&] { return running; }, [&] { return now; });
  expect_line(text_of(spend.collect()),
              R"(fleet_usage_budget{vendor="testvendor",target="prod",currency="USD"} 25)");
  // A reload with other prices: the next collect shows them, and nothing of the old ones.
  running = config_of(
      "[[price]]\nvendor = \"testvendor\"\ncurrency = \"USD\"\nbudget = 40\n"
      "[[price.rate]]\ndimension = \"usage\"\nunit = \"GB\"\nprice = 2\n");
  now = kDec1;  // a new period begins
  const std::string t = text_of(spend.collect());
  expect_line(t, R"(fleet_usage_budget{vendor="testvendor",target="prod",currency="USD"} 40)");
  expect_line(
      t,
      R"(fleet_usage_price{vendor="testvendor",target="prod",dimension="usage",item="",unit="bytes",currency="USD"} 2e-09)");
  EXPECT_EQ(t.find(R"(fleet_usage_price{vendor="testvendor",target="prod",dimension="requests")"),
            std::string::npos);
  expect_line(t,
              R"(fleet_usage_period_start_timestamp_seconds{vendor="testvendor",target="prod"} )" +
                  std::to_string(kDec1));
  running = nullptr;  // before the first config
  EXPECT_TRUE(spend.collect().families().empty());
}

TEST(SpendMetrics, AsAPrometheusCppCollectable) {
  std::shared_ptr<const ExporterConfig> running = config_of(kPrices);
  SpendCollector spend([&] { return running; }, [] { return kNow; });
  MetricSetCollectable collectable([&] { return spend.collect(); });
  const std::string theirs = prometheus::TextSerializer().Serialize(collectable.Collect());
  EXPECT_NE(
      theirs.find(R"(fleet_usage_budget{vendor="testvendor",target="prod",currency="USD"} 25)"),
      std::string::npos)
      << theirs;
  test::expect_promtool_ok(theirs);
}

TEST(SpendMetrics, TheDemoConfigPricesEveryDemoTarget) {
  const auto demo =
      load_config(std::string(FUE_SOURCE_DIR) + "/config/demo.toml", builtin_vendors());
  const std::string t = text_of(spend_metrics(demo, kNow));
  test::expect_promtool_ok(t);
  for (const auto& target : demo.targets) {
    if (!target.enabled) continue;
    EXPECT_NE(
        t.find("fleet_usage_price{vendor=\"" + target.vendor + "\",target=\"" + target.name + "\""),
        std::string::npos)
        << target.id() << " has no prices in config/demo.toml";
  }
  EXPECT_NE(t.find("fleet_usage_budget{"), std::string::npos);
}

}  // namespace
}  // namespace fue
