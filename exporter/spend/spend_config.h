#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/spend/price_dimension.h"

namespace fue {

// One [[price.rate]]: what one unit of a dimension costs, as configured and in base units.
struct PriceRate {
  PriceDimension dimension;  // the vendor's declaration, copied so metrics need no registry
  std::string unit;          // the unit the price is quoted in, e.g. "MB"
  double price = 0;          // currency per `unit`
  double included = 0;       // allowance per period, in `unit`
  std::string item;          // "" for a non-itemised dimension; else the item or "*"
  int line = 0;

  double price_per_base_unit() const;
  double included_base_units() const;
};

// One [[price]] table: a vendor's prices, for one target or for each of its targets.
struct PriceTable {
  std::string vendor;
  std::string target;  // empty: every target of the vendor without a table of its own
  std::string currency;
  int period_start_day = 1;  // the UTC day of the month the monthly billing period starts on
  std::optional<double> budget;
  double flat_fee = 0;
  std::vector<PriceRate> rates;
  std::vector<PriceDimension> dimensions;  // every dimension the vendor declares
  int line = 0;
};

// A price table applied to one configured target.
struct PricedTarget {
  const PriceTable* table;
  std::string target;
};

struct TargetConfig;
class VendorRegistry;
namespace config {
class ConfigNode;
}

// Reads the [[price]] tables of a parsed config, checked against the vendors' declared dimensions
// and the config's targets. Throws config::ConfigError naming the file, line and key.
std::vector<PriceTable> parse_prices(config::ConfigNode& root,
                                     const std::vector<TargetConfig>& targets,
                                     const VendorRegistry& vendors);

// The enabled targets that have prices, each with its table: a table naming the target wins over
// the vendor's table without a target.
std::vector<PricedTarget> priced_targets(const std::vector<PriceTable>& tables,
                                         const std::vector<TargetConfig>& targets);

// Whether `code` is an active ISO 4217 currency code (upper case, e.g. "USD").
bool is_currency_code(std::string_view code);

}  // namespace fue
