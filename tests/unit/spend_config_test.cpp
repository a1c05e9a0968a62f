// [[price]] tables: what a valid table reads as, prices and allowances in base units, and which
// table prices which target. The bad cases are tests/configs/invalid/price_*.toml.
#include <gtest/gtest.h>

#include <string>

#include "exporter/config/config.h"
#include "scrapers/registry.h"
#include "tests/unit/config_test_vendor.h"

namespace fue {
namespace {

constexpr const char* kTargets =
    "[[testvendor]]\nname = \"prod\"\ntoken = \"tok-abcdef\"\n"
    "[[testvendor]]\nname = \"staging\"\ntoken = \"tok-abcdef\"\n"
    "[[testvendor]]\nname = \"old\"\ntoken = \"tok-abcdef\"\nenabled = false\n";

ExporterConfig parse(const std::string& prices) {
  return parse_config(std::string(kTargets) + prices, "test.toml", test::test_vendors());
}

std::string error_of(const std::string& prices) {
  try {
    parse(prices);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SpendConfig, ReadsATableWithItsRates) {
  const auto c = parse(R"(
[[price]]
vendor = "testvendor"
target = "prod"
currency = "EUR"
period_start_day = 28
budget = 25.5
flat_fee = 9

[[price.rate]]
dimension = "usage"
unit = "MB"
price = 0.40
included = 500

[[price.rate]]
dimension = "vm_hours"
unit = "hours"
item = "m2a.large"
price = 0.12

[[price.rate]]
dimension = "vm_hours"
unit = "hours"
price = 0.2
)");
  ASSERT_EQ(c.prices.size(), 1u);
  const PriceTable& t = c.prices[0];
  EXPECT_EQ(t.vendor, "testvendor");
  EXPECT_EQ(t.target, "prod");
  EXPECT_EQ(t.currency, "EUR");
  EXPECT_EQ(t.period_start_day, 28);
  ASSERT_TRUE(t.budget.has_value());
  EXPECT_DOUBLE_EQ(*t.budget, 25.5);
  EXPECT_DOUBLE_EQ(t.flat_fee, 9);
  EXPECT_EQ(t.line, 12);
  ASSERT_EQ(t.rates.size(), 3u);
  EXPECT_EQ(t.rates[0].dimension.id, "usage");
  EXPECT_EQ(t.rates[0].unit, "MB");
  EXPECT_EQ(t.rates[0].item, "");  // not itemised
  EXPECT_EQ(t.rates[0].line, 20);
  EXPECT_EQ(t.rates[1].item, "m2a.large");
  EXPECT_EQ(t.rates[2].item, "*");     // itemised without an item: every other item
  EXPECT_EQ(t.dimensions.size(), 3u);  // the vendor's declared dimensions, for the info family
}

TEST(SpendConfig, DefaultsWhenOptionalKeysAreAbsent) {
  const auto c = parse("[[price]]\nvendor = \"testvendor\"\ncurrency = \"USD\"\n");
  ASSERT_EQ(c.prices.size(), 1u);
  EXPECT_EQ(c.prices[0].target, "");
  EXPECT_EQ(c.prices[0].period_start_day, 1);
  EXPECT_FALSE(c.prices[0].budget.has_value());
  EXPECT_EQ(c.prices[0].flat_fee, 0);
  EXPECT_TRUE(c.prices[0].rates.empty());
}

TEST(SpendConfig, ZeroIsAValidPriceBudgetAndFee) {
  const auto c = parse(
      "[[price]]\nvendor = \"testvendor\"\ncurrency = \"USD\"\nbudget = 0\nflat_fee = 0\n"
      "[[price.rate]]\ndimension = \"usage\"\nunit = \"GB\"\nprice = 0\nincluded = 0\n");
  ASSERT_TRUE(c.prices[0].budget.has_value());
  EXPECT_EQ(*c.prices[0].budget, 0);
}

PriceRate rate(const std::string& dimension, const std::string& unit, double price,
               double included) {
  PriceRate r;
  for (const auto& d : test::test_vendors().find("testvendor")->price_dimensions)
    if (d.id == dimension) r.dimension = d;
  r.unit = unit;
  r.price = price;
  r.included = included;
  return r;
}

TEST(SpendConfig, PricesAndAllowancesAreConvertedToBaseUnits) {
  // 0.40 USD per MB is 4e-07 per byte; 500 MB included is 5e8 bytes.
  EXPECT_DOUBLE_EQ(rate("usage", "MB", 0.40, 500).price_per_base_unit(), 4e-07);
  EXPECT_DOUBLE_EQ(rate("usage", "MB", 0.40, 500).included_base_units(), 5e8);
  EXPECT_DOUBLE_EQ(rate("usage", "GB", 2.5, 1).price_per_base_unit(), 2.5e-09);
  EXPECT_DOUBLE_EQ(rate("usage", "kB", 1, 2).included_base_units(), 2000);
  EXPECT_DOUBLE_EQ(rate("usage", "bytes", 3, 4).price_per_base_unit(), 3);
  // 1 USD per thousand requests is 0.001 per request.
  EXPECT_DOUBLE_EQ(rate("requests", "thousand_requests", 1, 10).price_per_base_unit(), 0.001);
  EXPECT_DOUBLE_EQ(rate("requests", "thousand_requests", 1, 10).included_base_units(), 10000);
  EXPECT_DOUBLE_EQ(rate("vm_hours", "hours", 0.12, 0).price_per_base_unit(), 0.12);
}

TEST(SpendConfig, DecimalPricesStayDecimalInBaseUnits) {
  // Exactly the double of the decimal figure, as a rule or a reader expects it: 0.40 / 1e6 in
  // binary is 4.0000000000000003e-07, one step away.
  EXPECT_EQ(rate("usage", "MB", 0.40, 0).price_per_base_unit(), 4e-07);
  EXPECT_EQ(rate("usage", "GB", 0.07, 0).price_per_base_unit(), 7e-11);
  EXPECT_EQ(rate("usage", "kB", 0.003, 0).price_per_base_unit(), 3e-06);
  EXPECT_EQ(rate("requests", "thousand_requests", 0.3, 0).price_per_base_unit(), 0.0003);
  EXPECT_EQ(rate("usage", "GB", 0, 1.1).included_base_units(), 1.1e9);
  EXPECT_EQ(rate("usage", "MB", 0, 0.000001).included_base_units(), 1);
  EXPECT_EQ(rate("vm_hours", "hours", 0.123456789012345, 0).price_per_base_unit(),
            0.123456789012345);
}

TEST(SpendConfig, ATargetsOwnTableWinsOverTheVendorsTable) {
  const auto c = parse(
      "[[price]]\nvendor = \"testvendor\"\ntarget = \"staging\"\ncurrency = \"EUR\"\n"
      "[[price]]\nvendor = \"testvendor\"\ncurrency = \"USD\"\n");
  const auto priced = priced_targets(c.prices, c.targets);
  ASSERT_EQ(priced.size(), 2u);  // the disabled target gets no prices
  EXPECT_EQ(priced[0].target, "prod");
  EXPECT_EQ(priced[0].table->currency, "USD");
  EXPECT_EQ(priced[1].target, "staging");
  EXPECT_EQ(priced[1].table->currency, "EUR");
}

TEST(SpendConfig, ATableForOneTargetPricesOnlyThatTarget) {
  const auto c =
      parse("[[price]]\nvendor = \"testvendor\"\ntarget = \"staging\"\ncurrency = \"EUR\"\n");
  const auto priced = priced_targets(c.prices, c.targets);
  ASSERT_EQ(priced.size(), 1u);
  EXPECT_EQ(priced[0].target, "staging");
}

TEST(SpendConfig, ADisabledTargetMayBeNamed) {
  // Disabling a target for a while must not make its price table an error.
  const auto c =
      parse("[[price]]\nvendor = \"testvendor\"\ntarget = \"old\"\ncurrency = \"EUR\"\n");
  EXPECT_EQ(c.prices.size(), 1u);
  EXPECT_TRUE(priced_targets(c.prices, c.targets).empty());
}

TEST(SpendConfig, UsagePricesNeedCountersOfTheBillingPeriod) {
  // The vendor's descriptor says which targets' counters are no period to date (Notehub with a
  // day or week `period`): usage rates for them are an error, a flat fee alone is not.
  const std::string targets =
      "[[notehub]]\nname = \"daily\"\ntoken = \"t\"\nprojects = [\"app:1\"]\nperiod = \"day\"\n"
      "[[notehub]]\nname = \"monthly\"\ntoken = \"t\"\nprojects = [\"app:1\"]\n";
  const std::string rate = "[[price.rate]]\ndimension = \"data\"\nunit = \"MB\"\nprice = 0.4\n";
  auto load = [&](const std::string& prices) {
    return parse_config(targets + prices, "test.toml", builtin_vendors());
  };
  try {
    load("[[price]]\nvendor = \"notehub\"\ncurrency = \"USD\"\n" + rate);
    FAIL() << "a daily Notehub target got usage prices";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "test.toml:11: price[0].vendor: [[notehub]] target \"daily\" (line 1) cannot have "
              "usage prices: period = \"day\" restarts its usage counters every day, so they are "
              "no billing period to date; set period = \"month\" (or give it a table of its own "
              "with flat_fee only)");
  }
  // Its own table with a flat fee only, and the vendor's rates for the monthly target: fine.
  const auto ok = load(
      "[[price]]\nvendor = \"notehub\"\ntarget = \"daily\"\ncurrency = \"USD\"\nflat_fee = 3\n"
      "[[price]]\nvendor = \"notehub\"\ncurrency = \"USD\"\n" +
      rate);
  EXPECT_EQ(ok.prices.size(), 2u);
}

TEST(SpendConfig, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(error_of("\n[[price]]\nvendor = \"testvendor\"\ncurrency = \"USD\"\n"
                     "[[price.rate]]\ndimension = \"usage\"\nunit = \"MB\"\nprice = -1\n"),
            "test.toml:18: price[0].rate[0].price: must be a number >= 0, got -1");
  EXPECT_EQ(error_of("[[price]]\nvendor = \"testvendor\"\ncurrency = \"XXX\"\n"),
            "test.toml:13: price[0].currency: unknown ISO 4217 currency code \"XXX\" (three "
            "upper-case letters, e.g. \"USD\" or \"EUR\")");
}

TEST(SpendConfig, CurrencyCodes) {
  for (const char* code : {"USD", "EUR", "KRW", "CNY", "JPY", "GBP", "CHF", "INR", "BRL"})
    EXPECT_TRUE(is_currency_code(code)) << code;
  for (const char* code : {"usd", "US", "USDT", "UDS", "XAU", "BTC", ""})
    EXPECT_FALSE(is_currency_code(code)) << code;
}

}  // namespace
}  // namespace fue
