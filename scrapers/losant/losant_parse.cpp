#include "scrapers/losant/losant_parse.h"

#include "exporter/core/errors.h"
#include "exporter/http/json_util.h"

namespace fue::losant {

namespace {

using nlohmann::json;

// Keys starting with "_" are HAL decorations (_links, _type, _embedded), not data.
bool is_decoration(const std::string& key) { return !key.empty() && key[0] == '_'; }

std::optional<double> opt_time(const json& object, std::string_view key) {
  auto text = fue::json::opt_string(object, key);
  if (!text) return std::nullopt;
  auto t = timeutil::parse_rfc3339(*text);
  if (!t) throw SchemaError(std::string(key) + ": not an RFC 3339 time: \"" + *text + "\"");
  return t;
}

NumberMap numbers_of(const json& object) {
  NumberMap out;
  for (const auto& [key, value] : object.items()) {
    if (value.is_number() && !is_decoration(key)) out[key] = value.get<double>();
  }
  return out;
}

// category -> source -> number, the Payload Stats shape.
std::vector<SourceCount> source_counts(const json& stats) {
  std::vector<SourceCount> out;
  if (!stats.is_object()) return out;
  for (const auto& [category, sources] : stats.items()) {
    if (is_decoration(category) || !sources.is_object()) continue;
    for (const auto& [source, value] : sources.items()) {
      if (value.is_number()) out.push_back({category, source, value.get<double>()});
    }
  }
  return out;
}

const json& counts_of(const json& body) {
  return fue::json::array_or_empty(fue::json::require_object(body, "response"), "counts");
}

}  // namespace

InstanceInfo parse_instance(const json& body) {
  const json& o = fue::json::require_object(body, "instance");
  InstanceInfo info;
  info.name = fue::json::opt_string(o, "name").value_or("");
  info.mfa_mode = fue::json::opt_string(o, "mfaMode").value_or("");
  info.audit_logging = fue::json::opt_bool(o, "allowAuditLogging");
  info.created_unix = opt_time(o, "creationDate");
  info.limits = numbers_of(fue::json::object_or_empty(o, "limits"));
  info.org_default_limits = numbers_of(fue::json::object_or_empty(o, "orgDefaultLimitConfig"));
  for (const auto& m : fue::json::array_or_empty(o, "members")) {
    if (!m.is_object()) continue;
    ++info.members_by_role[fue::json::opt_string(m, "role").value_or("unknown")];
  }
  return info;
}

std::optional<LatestDeviceDay> parse_device_counts(const json& body) {
  std::optional<LatestDeviceDay> latest;
  for (const auto& day : counts_of(body)) {
    if (!day.is_object()) continue;
    auto date = opt_time(day, "date");
    if (!date) continue;
    if (latest && latest->date_unix >= *date) continue;
    latest = LatestDeviceDay{*date, fue::json::opt_number(day, "total"),
                             fue::json::opt_number(day, "created"),
                             fue::json::opt_number(day, "deleted")};
  }
  return latest;
}

NotebookUsage parse_notebook_minutes(const json& body) {
  NotebookUsage usage;
  for (const char* outcome : {"completed", "canceled", "errored", "timeout"}) {
    usage.runs_by_outcome[outcome] = 0;
  }
  for (const auto& day : counts_of(body)) {
    if (!day.is_object()) continue;
    usage.minutes += fue::json::opt_number(day, "minutes").value_or(0);
    for (auto& [outcome, runs] : usage.runs_by_outcome) {
      runs += fue::json::opt_number(day, outcome).value_or(0);
    }
  }
  return usage;
}

std::pair<double, std::optional<double>> parse_payload_breakdown(const json& body) {
  double sum = 0;
  std::optional<double> newest_date, newest_value;
  for (const auto& bucket : counts_of(body)) {
    if (!bucket.is_object()) continue;
    double value = fue::json::opt_number(bucket, "value").value_or(0);
    sum += value;
    auto date = opt_time(bucket, "date");
    if (date && (!newest_date || *date > *newest_date)) {
      newest_date = date;
      newest_value = value;
    }
  }
  return {sum, newest_value};
}

std::vector<SourceCount> parse_payload_stats(const json& body) {
  return source_counts(fue::json::require_object(body, "payload stats"));
}

ResourceSummary parse_summary(const json& item) {
  const json& o = fue::json::require_object(item, "historical summary");
  ResourceSummary r;
  r.resource_type = fue::json::opt_string(o, "resourceType").value_or("");
  r.resource_id = fue::json::opt_string(o, "resourceId").value_or("");
  r.resource_name = fue::json::opt_string(o, "resourceName").value_or("");
  r.owner_type = fue::json::opt_string(o, "ownerType").value_or("");
  r.owner_id = fue::json::opt_string(o, "ownerId").value_or("");
  r.owner_name = fue::json::opt_string(o, "ownerName").value_or("");
  r.period_start_unix = opt_time(o, "currentPeriodStart");
  r.period_end_unix = opt_time(o, "currentPeriodEnd");
  r.numbers = numbers_of(o);
  r.limits = numbers_of(fue::json::object_or_empty(o, "limits"));
  if (const json* details = fue::json::find(o, "payloadCountDetails")) {
    r.payloads_by_source = source_counts(*details);
  }
  return r;
}

}  // namespace fue::losant
