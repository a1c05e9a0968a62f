#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exporter/metrics/metric_set.h"
#include "scrapers/losant/losant_model.h"

// Losant's `limits` objects (instance, orgDefaultLimitConfig, historical summaries) mix counts,
// bytes, seconds and minutes under one key set; here each key gets its unit and a snake_case kind.
namespace fue::losant {

enum class LimitUnit { kCount, kBytes, kSeconds };

struct LimitKey {
  std::string kind;  // label value, e.g. "api_token", "data_ttl", "notebook_execution_per_month"
  LimitUnit unit = LimitUnit::kCount;
  double factor = 1;  // to the base unit: minutes x 60
};

// The kind and unit of one limit key; keys Losant may add later are counts, kind snake_cased.
LimitKey limit_key(std::string_view key);

// Where the three families of one limit set go: `prefix` is e.g. "losant_instance_limit" (counts),
// with "_bytes" and "_seconds" appended for the others; `labels` are the names before "kind".
struct LimitFamilies {
  std::string prefix;
  std::string help;  // "<what> in <unit>." is appended per family
  std::vector<std::string> labels;
};

// Adds one sample per limit of `limits` (with label values `values` before the kind) to the
// family of its unit; with `skip_equal_to`, limits equal to that set's same key are left out.
// Returns how many samples were added.
size_t emit_limits(MetricSet& out, const LimitFamilies& families,
                   const std::vector<std::string>& values, const NumberMap& limits,
                   const NumberMap* skip_equal_to = nullptr);

// How many samples emit_limits() would add for the same arguments.
size_t count_limits(const NumberMap& limits, const NumberMap* skip_equal_to = nullptr);

// "apiToken" -> "api_token", "dataTTL" -> "data_ttl": Losant's camelCase names as label values.
std::string snake_case(std::string_view camel);

}  // namespace fue::losant
