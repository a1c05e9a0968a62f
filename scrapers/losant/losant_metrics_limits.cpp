#include "scrapers/losant/losant_metrics_limits.h"

#include <array>
#include <cctype>

namespace fue::losant {

namespace {

constexpr double kSecondsPerMinute = 60;

struct KnownKey {
  std::string_view key, kind;
  LimitUnit unit;
  double factor;
};

// Losant's documented limit keys (a closed set) whose kind is not plain snake_case of the key,
// or whose unit is not a count. The units are UNCONFIRMED by Losant: dataTTL 15552000 reads as
// seconds (180 days), storage 1073741824 as bytes (1 GiB), systemInterval 5..3600 as seconds.
constexpr std::array<KnownKey, 19> kKnown = {{
    {"apitoken", "api_token", LimitUnit::kCount, 1},
    {"applicationcertificate", "application_certificate", LimitUnit::kCount, 1},
    {"applicationcertificateauthority", "application_certificate_authority", LimitUnit::kCount, 1},
    {"applicationkey", "application_key", LimitUnit::kCount, 1},
    {"datatable", "data_table", LimitUnit::kCount, 1},
    {"devicerecipe", "device_recipe", LimitUnit::kCount, 1},
    {"experiencedomain", "experience_domain", LimitUnit::kCount, 1},
    {"experienceendpoint", "experience_endpoint", LimitUnit::kCount, 1},
    {"experiencegroup", "experience_group", LimitUnit::kCount, 1},
    {"experienceslug", "experience_slug", LimitUnit::kCount, 1},
    {"experienceuser", "experience_user", LimitUnit::kCount, 1},
    {"experienceversion", "experience_version", LimitUnit::kCount, 1},
    {"experienceview", "experience_view", LimitUnit::kCount, 1},
    {"privatefile", "private_file", LimitUnit::kCount, 1},
    {"resourcejob", "resource_job", LimitUnit::kCount, 1},
    {"dataTTL", "data_ttl", LimitUnit::kSeconds, 1},
    {"systemInterval", "system_interval", LimitUnit::kSeconds, 1},
    {"notebookMinutesPerRun", "notebook_execution_per_run", LimitUnit::kSeconds, kSecondsPerMinute},
    {"notebookMinutesPerMonth", "notebook_execution_per_month", LimitUnit::kSeconds,
     kSecondsPerMinute},
}};

const char* suffix_of(LimitUnit unit) {
  switch (unit) {
    case LimitUnit::kBytes:
      return "_bytes";
    case LimitUnit::kSeconds:
      return "_seconds";
    case LimitUnit::kCount:
      break;
  }
  return "";
}

const char* help_tail(LimitUnit unit) {
  switch (unit) {
    case LimitUnit::kBytes:
      return ", in bytes.";
    case LimitUnit::kSeconds:
      return ", in seconds.";
    case LimitUnit::kCount:
      break;
  }
  return ", a count.";
}

bool skipped(const std::string& key, double value, const NumberMap* skip_equal_to) {
  if (!skip_equal_to) return false;
  auto it = skip_equal_to->find(key);
  return it != skip_equal_to->end() && it->second == value;
}

}  // namespace

std::string snake_case(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const auto c = static_cast<unsigned char>(camel[i]);
    if (std::isupper(c)) {
      const bool after_lower = i > 0 && !std::isupper(static_cast<unsigned char>(camel[i - 1]));
      const bool ends_acronym = i > 0 && i + 1 < camel.size() &&
                                std::isupper(static_cast<unsigned char>(camel[i - 1])) &&
                                std::islower(static_cast<unsigned char>(camel[i + 1]));
      if (!out.empty() && out.back() != '_' && (after_lower || ends_acronym)) out += '_';
      out += static_cast<char>(std::tolower(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

LimitKey limit_key(std::string_view key) {
  // Storage is the only byte limit; every other undocumented key is taken as a count.
  if (key == "storage") return {"storage", LimitUnit::kBytes, 1};
  for (const auto& k : kKnown)
    if (k.key == key) return {std::string(k.kind), k.unit, k.factor};
  return {snake_case(key), LimitUnit::kCount, 1};
}

size_t emit_limits(MetricSet& out, const LimitFamilies& families,
                   const std::vector<std::string>& values, const NumberMap& limits,
                   const NumberMap* skip_equal_to) {
  std::vector<std::string> labels = families.labels;
  labels.push_back("kind");
  std::vector<std::string> row = values;
  row.emplace_back();
  size_t added = 0;
  for (const auto& [key, value] : limits) {
    if (skipped(key, value, skip_equal_to)) continue;
    const LimitKey k = limit_key(key);
    row.back() = k.kind;
    out.gauge(families.prefix + suffix_of(k.unit), families.help + help_tail(k.unit), labels)
        .add(std::span<const std::string>(row), value * k.factor);
    ++added;
  }
  return added;
}

size_t count_limits(const NumberMap& limits, const NumberMap* skip_equal_to) {
  size_t n = 0;
  for (const auto& [key, value] : limits)
    if (!skipped(key, value, skip_equal_to)) ++n;
  return n;
}

}  // namespace fue::losant
