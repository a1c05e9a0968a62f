// The [[price]] tables: prices per vendor dimension, checked up front against the dimensions each
// vendor declares in its descriptor and against the config's targets.
#include "exporter/spend/spend_config.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include "exporter/config/config.h"
#include "exporter/engine/scraper.h"

namespace fue {

using config::ConfigNode;

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Money and allowances: a finite number, never negative.
std::optional<double> optional_amount(ConfigNode& node, std::string_view key) {
  if (!node.has(key)) {
    node.double_or(key, 0);  // marks the key as known for unknown-key messages
    return std::nullopt;
  }
  const double v = node.double_or(key, 0);
  if (!std::isfinite(v) || v < 0) node.fail(key, "must be a number >= 0, got " + number_text(v));
  return v;
}

const PriceDimension& find_dimension(ConfigNode& rate, const PriceTable& table) {
  const std::string id = rate.require_string("dimension");
  std::vector<std::string> valid;
  for (const auto& d : table.dimensions) {
    if (d.id == id) return d;
    valid.push_back(d.id);
  }
  const std::string hint = id == "flat_fee" ? " (a flat fee is the table's flat_fee key)" : "";
  rate.fail("dimension", "unknown dimension \"" + id + "\" for " + table.vendor + hint +
                             "; valid dimensions are: " + (valid.empty() ? "(none)" : join(valid)));
}

PriceRate parse_rate(ConfigNode& rate, const PriceTable& table) {
  PriceRate r;
  r.line = rate.line();
  r.dimension = find_dimension(rate, table);
  r.unit = rate.require_string("unit");
  if (!r.dimension.find_unit(r.unit)) {
    std::vector<std::string> units;
    for (const auto& u : r.dimension.quote_units) units.push_back(u.name);
    rate.fail("unit", "dimension \"" + r.dimension.id + "\" is not priced in \"" + r.unit +
                          "\"; valid units are: " + join(units));
  }
  if (!rate.has("price")) rate.fail("price", "missing required key");
  r.price = *optional_amount(rate, "price");
  r.included = optional_amount(rate, "included").value_or(0);
  if (auto item = rate.optional_string("item")) {
    if (!r.dimension.itemised()) {
      rate.fail("item", "dimension \"" + r.dimension.id + "\" of " + table.vendor +
                            " is not priced by item; remove the key");
    }
    if (item->empty()) rate.fail("item", "must not be empty; \"*\" prices every other item");
    r.item = *item;
  } else if (r.dimension.itemised()) {
    r.item = "*";
  }
  rate.reject_unknown_keys();
  return r;
}

void parse_rates(ConfigNode& node, PriceTable& table) {
  std::map<std::pair<std::string, std::string>, int> seen;  // (dimension, item) -> line
  for (ConfigNode& rate : node.children("rate")) {
    PriceRate r = parse_rate(rate, table);
    auto [it, fresh] = seen.emplace(std::make_pair(r.dimension.id, r.item), r.line);
    if (!fresh) {
      const std::string what = r.item.empty() ? "" : " and item \"" + r.item + "\"";
      rate.fail(r.item.empty() || !rate.has("item") ? "dimension" : "item",
                "a second rate for dimension \"" + r.dimension.id + "\"" + what +
                    " (the first is at line " + std::to_string(it->second) + ")");
    }
    table.rates.push_back(std::move(r));
  }
}

// The vendor must be known and have a target in this config; a named target must exist.
void check_vendor_and_target(ConfigNode& node, const PriceTable& table,
                             const std::vector<TargetConfig>& targets) {
  std::vector<std::string> names;
  for (const auto& t : targets)
    if (t.vendor == table.vendor) names.push_back(t.name);
  if (names.empty()) {
    node.fail("vendor", "no [[" + table.vendor + "]] target in this config to price");
  }
  if (table.target.empty()) return;
  for (const auto& n : names)
    if (n == table.target) return;
  node.fail("target", "no [[" + table.vendor + "]] target named \"" + table.target +
                          "\"; its targets are: " + join(names));
}

PriceTable parse_table(ConfigNode& node, const std::vector<TargetConfig>& targets,
                       const VendorRegistry& vendors) {
  PriceTable table;
  table.line = node.line();
  table.vendor = node.require_string("vendor");
  const VendorDescriptor* vendor = vendors.find(table.vendor);
  if (!vendor) {
    std::vector<std::string> keys;
    for (const auto& d : vendors.all()) keys.push_back(d.key);
    node.fail("vendor",
              "unknown vendor \"" + table.vendor + "\"; valid vendors are: " + join(keys));
  }
  table.dimensions = vendor->price_dimensions;
  table.target = node.string_or("target", "");
  check_vendor_and_target(node, table, targets);
  table.currency = node.require_string("currency");
  if (!is_currency_code(table.currency)) {
    node.fail("currency", "unknown ISO 4217 currency code \"" + table.currency +
                              "\" (three upper-case letters, e.g. \"USD\" or \"EUR\")");
  }
  table.period_start_day =
      static_cast<int>(node.int_or("period_start_day", table.period_start_day, 1, 28));
  table.budget = optional_amount(node, "budget");
  table.flat_fee = optional_amount(node, "flat_fee").value_or(0);
  parse_rates(node, table);
  node.reject_unknown_keys();
  return table;
}

// value * factor^sign, in decimal when factor is a power of ten: 0.40 per MB is 4e-07 per byte
// as configured, not the binary quotient 4.0000000000000003e-07.
double times_power_of_ten(double value, double factor, int sign) {
  const int exponent = static_cast<int>(std::lround(std::log10(factor)));
  if (exponent == 0 || std::pow(10.0, exponent) != factor) {
    return sign > 0 ? value * factor : value / factor;
  }
  char mantissa[64];
  std::snprintf(mantissa, sizeof mantissa, "%.14e", value);  // 15 digits: any decimal input
  const char* e = std::strchr(mantissa, 'e');
  if (!e) return sign > 0 ? value * factor : value / factor;  // inf or nan: refused earlier
  const std::string digits(mantissa, static_cast<size_t>(e - mantissa));
  const int shifted = std::atoi(e + 1) + sign * exponent;
  return std::strtod((digits + "e" + std::to_string(shifted)).c_str(), nullptr);
}

// The table that prices `target`: its own, else its vendor's without a target; -1 for none.
int table_of(const std::vector<PriceTable>& tables, const TargetConfig& target) {
  int chosen = -1;
  for (size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].vendor != target.vendor) continue;
    if (tables[i].target == target.name) return static_cast<int>(i);
    if (tables[i].target.empty()) chosen = static_cast<int>(i);
  }
  return chosen;
}

// Usage rates need counters of the billing period to date; the vendor says when a target's
// settings give something else (a wrong month-to-date cost would look right).
void check_priceable(std::vector<ConfigNode>& nodes, const std::vector<PriceTable>& tables,
                     const std::vector<TargetConfig>& targets, const VendorRegistry& vendors) {
  for (const auto& t : targets) {
    const int i = table_of(tables, t);
    if (i < 0 || tables[i].rates.empty()) continue;
    const VendorDescriptor* vendor = vendors.find(t.vendor);
    if (!vendor || !vendor->price_problem) continue;
    const std::string problem = vendor->price_problem(t);
    if (problem.empty()) continue;
    nodes[i].fail(tables[i].target.empty() ? "vendor" : "target",
                  "[[" + t.vendor + "]] target \"" + t.name + "\" (line " + std::to_string(t.line) +
                      ") cannot have usage prices: " + problem +
                      " (or give it a table of its own with flat_fee only)");
  }
}

}  // namespace

std::vector<PriceTable> parse_prices(ConfigNode& root, const std::vector<TargetConfig>& targets,
                                     const VendorRegistry& vendors) {
  std::vector<PriceTable> tables;
  std::map<std::pair<std::string, std::string>, int> seen;  // (vendor, target) -> line
  std::vector<ConfigNode> nodes = root.children("price");
  for (ConfigNode& node : nodes) {
    PriceTable table = parse_table(node, targets, vendors);
    auto [it, fresh] = seen.emplace(std::make_pair(table.vendor, table.target), table.line);
    if (!fresh) {
      const std::string whom = table.target.empty()
                                   ? "every " + table.vendor + " target (no target key)"
                                   : table.vendor + " target \"" + table.target + "\"";
      node.fail(table.target.empty() ? "vendor" : "target", "a second [[price]] for " + whom +
                                                                " (the first is at line " +
                                                                std::to_string(it->second) + ")");
    }
    tables.push_back(std::move(table));
  }
  check_priceable(nodes, tables, targets, vendors);
  return tables;
}

double PriceRate::price_per_base_unit() const {
  const QuoteUnit* u = dimension.find_unit(unit);
  return u ? times_power_of_ten(price, u->base_units, -1) : price;
}

double PriceRate::included_base_units() const {
  const QuoteUnit* u = dimension.find_unit(unit);
  return u ? times_power_of_ten(included, u->base_units, 1) : included;
}

std::vector<PricedTarget> priced_targets(const std::vector<PriceTable>& tables,
                                         const std::vector<TargetConfig>& targets) {
  std::vector<PricedTarget> out;
  for (const auto& t : targets) {
    const int i = table_of(tables, t);
    if (t.enabled && i >= 0) out.push_back({&tables[i], t.name});
  }
  return out;
}

}  // namespace fue
