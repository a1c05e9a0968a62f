#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fue {

// How a dimension's usage turns into billed quantity; the spend recording rules read it from
// fleet_usage_dimension_info{kind}.
enum class DimensionKind {
  kPeriodCounter,  // a counter the vendor reports for the period to date and resets at its start
  kGaugePeak,      // billed on the period's peak of a gauge above the included amount
  kGaugeHours,     // a count of running things integrated over time (instance-hours)
  kFlat,           // a fixed fee per period
};

std::string_view kind_name(DimensionKind kind);

// A unit a price may be quoted in, and how many base units one of it is (MB -> 1e6 bytes).
struct QuoteUnit {
  std::string name;
  double base_units = 1;
};

// One priceable usage dimension of a vendor, declared in its descriptor next to the family it
// prices, so that a new vendor brings its own and the config checks prices against it.
struct PriceDimension {
  std::string id;         // the `dimension` of a [[price.rate]], e.g. "data"
  std::string base_unit;  // the exported `unit` label, e.g. "bytes"
  std::vector<QuoteUnit> quote_units;
  std::string item_label;    // the usage family's label that prices differ by ("sku"); "" if none
  std::string usage_family;  // e.g. "notehub_data_bytes_total"
  DimensionKind kind = DimensionKind::kPeriodCounter;

  const QuoteUnit* find_unit(std::string_view name) const;
  bool itemised() const { return !item_label.empty(); }
};

// The flat fee every price table may carry: dimension="flat_fee", unit="periods".
PriceDimension flat_fee_dimension();

}  // namespace fue
