#include "exporter/spend/spend_metrics.h"

#include <chrono>
#include <set>
#include <string>
#include <tuple>

#include "exporter/spend/billing_period.h"

namespace fue {

namespace {

// HELP texts are constant: rules and dashboards may read them, and they never vary by config.
constexpr const char* kPriceHelp =
    "Configured price per one base unit (unit label) of a usage dimension; flat_fee: per period.";
constexpr const char* kIncludedHelp =
    "Configured allowance per billing period in base units (unit label), not billed.";
constexpr const char* kBudgetHelp = "Configured budget per billing period, in the currency label.";
constexpr const char* kStartHelp =
    "Start of the current monthly billing period (UTC midnight of period_start_day), Unix time.";
constexpr const char* kEndHelp =
    "End of the current monthly billing period (exclusive), Unix time.";
constexpr const char* kDimensionHelp =
    "A priced usage dimension: base unit, the usage family it prices, how it is billed, item "
    "label.";

struct Families {
  MetricFamily& price;
  MetricFamily& included;
  MetricFamily& budget;
  MetricFamily& start;
  MetricFamily& end;
  MetricFamily& dimension;
};

Families make_families(MetricSet& set) {
  const std::vector<std::string> rate_labels{"vendor", "target", "dimension",
                                             "item",   "unit",   "currency"};
  return {set.gauge("fleet_usage_price", kPriceHelp, rate_labels),
          set.gauge("fleet_usage_included", kIncludedHelp, rate_labels),
          set.gauge("fleet_usage_budget", kBudgetHelp, {"vendor", "target", "currency"}),
          set.gauge("fleet_usage_period_start_timestamp_seconds", kStartHelp, {"vendor", "target"}),
          set.gauge("fleet_usage_period_end_timestamp_seconds", kEndHelp, {"vendor", "target"}),
          set.gauge("fleet_usage_dimension_info", kDimensionHelp,
                    {"vendor", "dimension", "unit", "family", "kind", "item_label"})};
}

void add_target(Families& f, const PriceTable& table, const std::string& target, int64_t now_unix) {
  const std::string& v = table.vendor;
  const std::string& c = table.currency;
  for (const auto& r : table.rates) {
    const auto& d = r.dimension;
    f.price.add({v, target, d.id, r.item, d.base_unit, c}, r.price_per_base_unit());
    f.included.add({v, target, d.id, r.item, d.base_unit, c}, r.included_base_units());
  }
  const PriceDimension flat = flat_fee_dimension();
  f.price.add({v, target, flat.id, "", flat.base_unit, c}, table.flat_fee);
  if (table.budget) f.budget.add({v, target, c}, *table.budget);
  const BillingPeriod period = billing_period_at(now_unix, table.period_start_day);
  f.start.add({v, target}, static_cast<double>(period.start));
  f.end.add({v, target}, static_cast<double>(period.end));
}

void add_dimensions(MetricFamily& info, const PriceTable& table) {
  auto add = [&](const PriceDimension& d) {
    info.add({table.vendor, d.id, d.base_unit, d.usage_family, kind_name(d.kind), d.item_label}, 1);
  };
  for (const auto& d : table.dimensions) add(d);
  add(flat_fee_dimension());
}

}  // namespace

MetricSet spend_metrics(const ExporterConfig& config, int64_t now_unix) {
  MetricSet set;
  const auto priced = priced_targets(config.prices, config.targets);
  if (priced.empty()) return set;  // no price tables: no spend families at all
  Families f = make_families(set);
  std::set<std::string> vendors_done;
  for (const auto& p : priced) {
    add_target(f, *p.table, p.target, now_unix);
    if (vendors_done.insert(p.table->vendor).second) add_dimensions(f.dimension, *p.table);
  }
  return set;
}

MetricSet spend_metrics(const ExporterConfig& config) {
  return spend_metrics(config, SpendCollector::system_clock()());
}

SpendCollector::SpendCollector(ConfigSource config, Clock clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

MetricSet SpendCollector::collect() const {
  const auto config = config_();
  if (!config) return {};
  return spend_metrics(*config, clock_());
}

SpendCollector::Clock SpendCollector::system_clock() {
  return [] {
    using namespace std::chrono;
    return static_cast<int64_t>(
        duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  };
}

}  // namespace fue
