#include "exporter/spend/price_dimension.h"

namespace fue {

std::string_view kind_name(DimensionKind kind) {
  switch (kind) {
    case DimensionKind::kPeriodCounter:
      return "period_counter";
    case DimensionKind::kGaugePeak:
      return "gauge_peak";
    case DimensionKind::kGaugeHours:
      return "gauge_hours";
    case DimensionKind::kFlat:
      return "flat";
  }
  return "unknown";
}

const QuoteUnit* PriceDimension::find_unit(std::string_view name) const {
  for (const auto& u : quote_units)
    if (u.name == name) return &u;
  return nullptr;
}

PriceDimension flat_fee_dimension() {
  return {"flat_fee", "periods", {}, "", "", DimensionKind::kFlat};
}

}  // namespace fue
