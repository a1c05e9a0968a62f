#include "scrapers/losant/losant_metrics.h"

#include <cctype>

namespace fue::losant {

namespace {

constexpr double kSecondsPerMinute = 60;
// Losant reports sizes in "MB"; its own limits use binary units (storage 1073741824 = 1 GiB).
constexpr double kBytesPerMb = 1024.0 * 1024.0;

constexpr const char* kPeriodNote =
    " Counter of the current billing period (UTC calendar month) to date; it resets at the "
    "period boundary like a counter reset.";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string or_unknown(const std::string& s) { return s.empty() ? "unknown" : s; }

}  // namespace

std::string snake_case(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

void MetricEmitter::instance_success(const std::string& id, bool ok) {
  out_.gauge("losant_instance_scrape_success",
             "1 if every enabled endpoint of this Losant instance answered in the last collection, "
             "0 if one failed (its other series are then absent).",
             {"instance_id"})
      .add({id}, ok ? 1 : 0);
}

void MetricEmitter::instance(const InstanceData& d, const std::string& resolution,
                             bool include_non_billable) {
  if (d.info) info(d.id, *d.info);
  if (d.devices) devices(d.id, *d.devices);
  if (d.notebook) notebook(d.id, *d.notebook);
  if (d.payloads) payloads(d.id, *d.payloads, resolution, include_non_billable);
  if (d.summaries) summaries(d.id, *d.summaries);
}

void MetricEmitter::info(const std::string& id, const InstanceInfo& info) {
  out_.gauge("losant_instance_info", "Losant instance identity (always 1).",
             {"instance_id", "name"})
      .add({id, info.name}, 1);
  auto& limits = out_.gauge(
      "losant_instance_limit",
      "Resource limit of the Losant instance from instance.limits, in Losant's units (counts; "
      "dataTTL seconds; storage bytes; payload per billing period; notebookMinutes* minutes).",
      {"instance_id", "resource"});
  for (const auto& [resource, value] : info.limits) limits.add({id, resource}, value);
  if (!info.mfa_mode.empty()) {
    const std::string_view labels[] = {id};
    const std::string_view known[] = {"notRequired", "adminRequired", "required"};
    add_state_set(out_.gauge("losant_instance_mfa_mode",
                             "MFA policy of the Losant instance (StateSet: 1 for the current mode; "
                             "an unrecognised mode shows as mfa_mode=\"unknown\").",
                             {"instance_id", "mfa_mode"}),
                  labels, known, info.mfa_mode);
  }
  if (info.audit_logging) {
    out_.gauge("losant_instance_audit_logging_enabled",
               "1 if audit logging is allowed on the Losant instance (allowAuditLogging).",
               {"instance_id"})
        .add({id}, *info.audit_logging ? 1 : 0);
  }
  if (info.created_unix) {
    out_.gauge("losant_instance_created_timestamp_seconds",
               "Creation time of the Losant instance (creationDate).", {"instance_id"})
        .add({id}, *info.created_unix);
  }
  LabelCounter members;
  members.seed({id, "admin"});
  members.seed({id, "view"});
  for (const auto& [role, n] : info.members_by_role) members.add({id, role}, n);
  members.emit(out_.gauge("losant_instance_members", "Members of the Losant instance by role.",
                          {"instance_id", "role"}));
}

void MetricEmitter::devices(const std::string& id, const LatestDeviceDay& day) {
  if (day.total) {
    out_.gauge("losant_instance_devices",
               "Devices in the Losant instance on the latest day of deviceCounts (counts[].total).",
               {"instance_id"})
        .add({id}, *day.total);
  }
  if (day.created) {
    out_.gauge("losant_instance_devices_created_latest_day",
               "Devices created on the latest day of deviceCounts (counts[].created).",
               {"instance_id"})
        .add({id}, *day.created);
  }
  if (day.deleted) {
    out_.gauge("losant_instance_devices_deleted_latest_day",
               "Devices deleted on the latest day of deviceCounts (counts[].deleted).",
               {"instance_id"})
        .add({id}, *day.deleted);
  }
  out_.gauge("losant_instance_device_counts_latest_day_timestamp_seconds",
             "Start of the latest day reported by deviceCounts (counts[].date).", {"instance_id"})
      .add({id}, day.date_unix);
}

void MetricEmitter::notebook(const std::string& id, const NotebookUsage& n) {
  out_.counter("losant_instance_notebook_execution_seconds_total",
               std::string("Notebook execution time of the Losant instance (sum of "
                           "notebookMinuteCounts counts[].minutes x 60).") +
                   kPeriodNote,
               {"instance_id"})
      .add({id}, n.minutes * kSecondsPerMinute);
  auto& runs = out_.counter("losant_instance_notebook_runs_total",
                            std::string("Notebook executions of the Losant instance by outcome "
                                        "(sum of notebookMinuteCounts counts[].<outcome>).") +
                                kPeriodNote,
                            {"instance_id", "outcome"});
  for (const auto& [outcome, value] : n.runs_by_outcome) runs.add({id, outcome}, value);
}

void MetricEmitter::payloads(const std::string& id, const PayloadUsage& p,
                             const std::string& resolution, bool include_non_billable) {
  const std::string scope = include_non_billable ? "all" : "billable";
  out_.counter("losant_instance_payloads_total",
               std::string("Payloads of the Losant instance (sum of payloadCountsBreakdown "
                           "counts[].value); payload_scope is billable, or all when "
                           "include_non_billable is set.") +
                   kPeriodNote,
               {"instance_id", "payload_scope"})
      .add({id, scope}, p.count);
  if (p.latest_bucket) {
    out_.gauge("losant_instance_payloads_latest_interval",
               "Payloads in the newest payloadCountsBreakdown bucket (the current, partial day "
               "or hour, per resolution).",
               {"instance_id", "payload_scope", "resolution"})
        .add({id, scope, resolution}, *p.latest_bucket);
  }
  if (p.bytes) {
    out_.counter("losant_instance_payload_bytes_total",
                 std::string("Payload bytes of the Losant instance (sum of payloadCountsBreakdown "
                             "counts[].value with asBytes=true).") +
                     kPeriodNote,
                 {"instance_id", "payload_scope"})
        .add({id, scope}, *p.bytes);
  }
  auto& by_source = out_.counter(
      "losant_instance_payloads_by_source_total",
      std::string("Payloads of the Losant instance by category and source (payloadCounts "
                  "<category>.<source>).") +
          kPeriodNote,
      {"instance_id", "category", "source"});
  for (const auto& s : p.by_source) by_source.add({id, s.category, s.source}, s.value);
}

void MetricEmitter::summaries(const std::string& id,
                              const std::vector<ResourceSummary>& resources) {
  LabelCounter by_type;
  for (const char* t : {"organization", "application", "whitelabel"}) by_type.seed({id, t});
  for (const auto& r : resources) by_type.add({id, or_unknown(r.resource_type)});
  by_type.emit(out_.gauge("losant_instance_resources",
                          "Resources with a historical summary in the current period, by "
                          "resource_type (unrecognised types keep their own value).",
                          {"instance_id", "resource_type"}));
  if (!per_resource_) return;
  for (const auto& r : resources) {
    const size_t series = 3 + r.numbers.size() + r.limits.size() + r.payloads_by_source.size();
    if (cap_.admit(series)) resource(id, r);
  }
}

void MetricEmitter::resource(const std::string& id, const ResourceSummary& r) {
  const std::string type = or_unknown(r.resource_type);
  const std::string& rid = r.resource_id;
  const std::vector<std::string> base = {"instance_id", "resource_type", "resource_id"};
  auto with = [&](std::initializer_list<const char*> extra) {
    std::vector<std::string> names = base;
    names.insert(names.end(), extra.begin(), extra.end());
    return names;
  };
  out_.gauge("losant_resource_info",
             "Losant organization or application with a historical summary (always 1).",
             with({"resource_name", "owner_type", "owner_id", "owner_name"}))
      .add({id, type, rid, r.resource_name, or_unknown(r.owner_type), r.owner_id, r.owner_name}, 1);
  if (r.period_start_unix) {
    out_.gauge("losant_resource_period_start_timestamp_seconds",
               "Start of the resource's current billing period (currentPeriodStart).", base)
        .add({id, type, rid}, *r.period_start_unix);
  }
  if (r.period_end_unix) {
    out_.gauge("losant_resource_period_end_timestamp_seconds",
               "End of the resource's current billing period (currentPeriodEnd).", base)
        .add({id, type, rid}, *r.period_end_unix);
  }

  auto& objects = out_.gauge("losant_resource_objects",
                             "Objects of each kind in the resource (historical summary "
                             "<kind>Count, e.g. deviceCount -> kind=\"device\").",
                             with({"kind"}));
  auto& prorated = out_.gauge("losant_resource_objects_prorated",
                              "Objects of each kind prorated over the billing period (historical "
                              "summary <kind>CountProrated).",
                              with({"kind"}));
  auto& storage = out_.gauge(
      "losant_resource_storage_bytes",
      "Stored bytes by store (historical summary <store>TotalSizeMb x 2^20).", with({"store"}));
  auto& payloads =
      out_.counter("losant_resource_payloads_total",
                   std::string("Payloads of the resource by billing class (historical "
                               "summary payloadBillableCount / payloadNonbillableCount).") +
                       kPeriodNote,
                   with({"billing"}));
  auto& payload_bytes =
      out_.counter("losant_resource_payload_bytes_total",
                   std::string("Payload bytes of the resource by billing class (historical summary "
                               "payloadBillableSizeMb / payloadNonbillableSizeMb x 2^20).") +
                       kPeriodNote,
                   with({"billing"}));
  for (const auto& [field, value] : r.numbers) {
    if (field == "payloadBillableCount") {
      payloads.add({id, type, rid, "billable"}, value);
    } else if (field == "payloadNonbillableCount") {
      payloads.add({id, type, rid, "nonbillable"}, value);
    } else if (field == "payloadBillableSizeMb") {
      payload_bytes.add({id, type, rid, "billable"}, value * kBytesPerMb);
    } else if (field == "payloadNonbillableSizeMb") {
      payload_bytes.add({id, type, rid, "nonbillable"}, value * kBytesPerMb);
    } else if (field == "notebookMinutesCount") {
      out_.counter("losant_resource_notebook_execution_seconds_total",
                   std::string("Notebook execution time of the resource (historical summary "
                               "notebookMinutesCount x 60).") +
                       kPeriodNote,
                   base)
          .add({id, type, rid}, value * kSecondsPerMinute);
    } else if (field == "notebookRunCount") {
      out_.counter("losant_resource_notebook_runs_total",
                   std::string("Notebook runs of the resource (historical summary "
                               "notebookRunCount).") +
                       kPeriodNote,
                   base)
          .add({id, type, rid}, value);
    } else if (field == "resourceProration") {
      out_.gauge("losant_resource_proration_ratio",
                 "Share of the billing period the resource existed (resourceProration).", base)
          .add({id, type, rid}, value);
    } else if (ends_with(field, "CountProrated")) {
      prorated.add({id, type, rid, snake_case(field.substr(0, field.size() - 13))}, value);
    } else if (ends_with(field, "TotalSizeMb")) {
      storage.add({id, type, rid, snake_case(field.substr(0, field.size() - 11))},
                  value * kBytesPerMb);
    } else if (ends_with(field, "Count")) {
      objects.add({id, type, rid, snake_case(field.substr(0, field.size() - 5))}, value);
    }
  }
  auto& limits = out_.gauge("losant_resource_limit",
                            "Resource limit of the organization or application (historical summary "
                            "limits), in Losant's units as for losant_instance_limit.",
                            with({"resource"}));
  for (const auto& [resource, value] : r.limits) limits.add({id, type, rid, resource}, value);
  auto& by_source = out_.counter(
      "losant_resource_payloads_by_source_total",
      std::string("Payloads of the resource by category and source (historical summary "
                  "payloadCountDetails).") +
          kPeriodNote,
      with({"category", "source"}));
  for (const auto& s : r.payloads_by_source)
    by_source.add({id, type, rid, s.category, s.source}, s.value);
}

}  // namespace fue::losant
