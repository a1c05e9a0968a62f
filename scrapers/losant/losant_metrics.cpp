#include "scrapers/losant/losant_metrics.h"

namespace fue::losant {

namespace {

constexpr double kSecondsPerMinute = 60;
// Losant reports sizes in "MB"; its own limits use binary units (storage 1073741824 = 1 GiB).
constexpr double kBytesPerMb = 1024.0 * 1024.0;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Vendor enumerations (roles, resource and owner types) in snake_case; absent is "unknown".
std::string enum_label(const std::string& s) { return s.empty() ? "unknown" : snake_case(s); }

}  // namespace

void MetricEmitter::instance_success(const std::string& id, bool ok) {
  out_.gauge("losant_instance_scrape_success",
             "1 if every enabled endpoint of the Losant instance answered, 0 if one failed.",
             {"instance_id"})
      .add({id}, ok ? 1 : 0);
}

void MetricEmitter::instance(const InstanceData& d, const std::string& resolution,
                             bool include_non_billable) {
  if (d.info) info(d.id, *d.info);
  if (d.devices) devices(d.id, *d.devices);
  if (d.notebook) notebook(d.id, *d.notebook);
  if (d.payloads) payloads(d.id, *d.payloads, resolution, include_non_billable);
  const NumberMap* defaults =
      d.info && !d.info->org_default_limits.empty() ? &d.info->org_default_limits : nullptr;
  if (d.summaries) summaries(d.id, *d.summaries, defaults);
}

void MetricEmitter::info(const std::string& id, const InstanceInfo& info) {
  out_.gauge("losant_instance_info", "Losant instance identity (always 1).",
             {"instance_id", "name"})
      .add({id, info.name}, 1);
  emit_limits(out_,
              {"losant_instance_limit", "Limit of the Losant instance (limits)", {"instance_id"}},
              {id}, info.limits);
  emit_limits(out_,
              {"losant_instance_org_default_limit",
               "Limit of a new organization (orgDefaultLimitConfig)",
               {"instance_id"}},
              {id}, info.org_default_limits);
  if (!info.mfa_mode.empty()) {
    const std::string_view labels[] = {id};
    const std::string_view known[] = {"not_required", "admin_required", "required"};
    add_state_set(state_set_family(out_, "losant_instance_mfa_mode",
                                   "MFA policy of the Losant instance (StateSet of mfaMode).",
                                   {"instance_id"}),
                  labels, known, snake_case(info.mfa_mode));
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
  for (const auto& [role, n] : info.members_by_role) members.add({id, enum_label(role)}, n);
  members.emit(out_.gauge("losant_instance_members", "Members of the Losant instance by role.",
                          {"instance_id", "role"}));
}

void MetricEmitter::devices(const std::string& id, const LatestDeviceDay& day) {
  if (day.total) {
    out_.gauge("losant_instance_devices",
               "Devices in the Losant instance on the latest day of deviceCounts.", {"instance_id"})
        .add({id}, *day.total);
  }
  if (day.created) {
    out_.gauge("losant_instance_devices_created_latest_day",
               "Devices created on the latest day of deviceCounts.", {"instance_id"})
        .add({id}, *day.created);
  }
  if (day.deleted) {
    out_.gauge("losant_instance_devices_deleted_latest_day",
               "Devices deleted on the latest day of deviceCounts.", {"instance_id"})
        .add({id}, *day.deleted);
  }
  out_.gauge("losant_instance_device_counts_latest_day_timestamp_seconds",
             "Start of the latest day reported by deviceCounts.", {"instance_id"})
      .add({id}, day.date_unix);
}

void MetricEmitter::notebook(const std::string& id, const NotebookUsage& n) {
  out_.counter("losant_instance_notebook_execution_seconds_total",
               "Notebook execution time of the Losant instance, billing period to date.",
               {"instance_id"})
      .add({id}, n.minutes * kSecondsPerMinute);
  auto& runs = out_.counter("losant_instance_notebook_runs_total",
                            "Notebook runs of the Losant instance by outcome, billing period to "
                            "date.",
                            {"instance_id", "outcome"});
  for (const auto& [outcome, value] : n.runs_by_outcome) runs.add({id, outcome}, value);
}

void MetricEmitter::payloads(const std::string& id, const PayloadUsage& p,
                             const std::string& resolution, bool include_non_billable) {
  const std::string scope = include_non_billable ? "all" : "billable";
  out_.counter("losant_instance_payloads_total",
               "Payloads of the Losant instance (billable, or all), billing period to date.",
               {"instance_id", "payload_scope"})
      .add({id, scope}, p.count);
  if (p.latest_bucket) {
    out_.gauge("losant_instance_payloads_latest_interval",
               "Payloads in the newest (partial) day or hour bucket of payloadCountsBreakdown.",
               {"instance_id", "payload_scope", "resolution"})
        .add({id, scope, resolution}, *p.latest_bucket);
  }
  if (p.bytes) {
    out_.counter("losant_instance_payload_bytes_total",
                 "Payload bytes of the Losant instance, billing period to date.",
                 {"instance_id", "payload_scope"})
        .add({id, scope}, *p.bytes);
  }
  auto& by_source = out_.counter(
      "losant_instance_payloads_by_source_total",
      "Payloads of the Losant instance by category and source, billing period to date.",
      {"instance_id", "category", "source"});
  for (const auto& s : p.by_source) by_source.add({id, snake_case(s.category), s.source}, s.value);
}

void MetricEmitter::summaries(const std::string& id, const std::vector<ResourceSummary>& resources,
                              const NumberMap* org_defaults) {
  LabelCounter by_type;
  for (const char* t : {"organization", "application", "whitelabel"}) by_type.seed({id, t});
  for (const auto& r : resources) by_type.add({id, enum_label(r.resource_type)});
  by_type.emit(out_.gauge("losant_instance_resources",
                          "Resources with a historical summary this period, by resource_type.",
                          {"instance_id", "resource_type"}));
  if (!per_resource_) return;
  for (const auto& r : resources) {
    const size_t series =
        3 + r.numbers.size() + count_limits(r.limits, org_defaults) + r.payloads_by_source.size();
    if (cap_.admit(series)) resource(id, r, org_defaults);
  }
}

void MetricEmitter::resource(const std::string& id, const ResourceSummary& r,
                             const NumberMap* org_defaults) {
  const std::vector<std::string> base = {"instance_id", "resource_type", "resource_id"};
  const std::vector<std::string> row = {id, enum_label(r.resource_type), r.resource_id};
  std::vector<std::string> names = base;
  names.insert(names.end(), {"resource_name", "owner_type", "owner_id", "owner_name"});
  std::vector<std::string> values = row;
  values.insert(values.end(),
                {r.resource_name, enum_label(r.owner_type), r.owner_id, r.owner_name});
  out_.gauge("losant_resource_info",
             "Losant organization or application with a historical summary (always 1).", names)
      .add(std::span<const std::string>(values), 1);
  if (r.period_start_unix) {
    out_.gauge("losant_resource_period_start_timestamp_seconds",
               "Start of the resource's current billing period (currentPeriodStart).", base)
        .add(std::span<const std::string>(row), *r.period_start_unix);
  }
  if (r.period_end_unix) {
    out_.gauge("losant_resource_period_end_timestamp_seconds",
               "End of the resource's current billing period (currentPeriodEnd).", base)
        .add(std::span<const std::string>(row), *r.period_end_unix);
  }
  resource_usage(row, r);
  // Plan limits equal to the instance's orgDefaultLimitConfig are said once, on the instance.
  emit_limits(out_,
              {"losant_resource_limit",
               "Limit of the resource where it differs from the org default", base},
              row, r.limits, org_defaults);
}

void MetricEmitter::resource_usage(const std::vector<std::string>& row, const ResourceSummary& r) {
  auto with = [&](std::initializer_list<const char*> extra) {
    std::vector<std::string> names = {"instance_id", "resource_type", "resource_id"};
    names.insert(names.end(), extra.begin(), extra.end());
    return names;
  };
  auto add = [&](MetricFamily& f, std::initializer_list<std::string> extra, double v) {
    std::vector<std::string> values = row;
    values.insert(values.end(), extra);
    f.add(std::span<const std::string>(values), v);
  };
  auto& objects = out_.gauge("losant_resource_objects",
                             "Objects of each kind in the resource (<kind>Count).", with({"kind"}));
  auto& prorated =
      out_.gauge("losant_resource_objects_prorated",
                 "Objects of each kind prorated over the billing period.", with({"kind"}));
  auto& storage = out_.gauge("losant_resource_storage_bytes",
                             "Stored bytes of the resource by store (<store>TotalSizeMb x 2^20).",
                             with({"store"}));
  auto& payloads = out_.counter(
      "losant_resource_payloads_total",
      "Payloads of the resource by billing class, billing period to date.", with({"billing"}));
  auto& payload_bytes = out_.counter(
      "losant_resource_payload_bytes_total",
      "Payload bytes of the resource by billing class, billing period to date.", with({"billing"}));
  for (const auto& [field, value] : r.numbers) {
    if (field == "payloadBillableCount") {
      add(payloads, {"billable"}, value);
    } else if (field == "payloadNonbillableCount") {
      add(payloads, {"nonbillable"}, value);
    } else if (field == "payloadBillableSizeMb") {
      add(payload_bytes, {"billable"}, value * kBytesPerMb);
    } else if (field == "payloadNonbillableSizeMb") {
      add(payload_bytes, {"nonbillable"}, value * kBytesPerMb);
    } else if (field == "notebookMinutesCount") {
      add(out_.counter("losant_resource_notebook_execution_seconds_total",
                       "Notebook execution time of the resource, billing period to date.",
                       with({})),
          {}, value * kSecondsPerMinute);
    } else if (field == "notebookRunCount") {
      add(out_.counter("losant_resource_notebook_runs_total",
                       "Notebook runs of the resource, billing period to date.", with({})),
          {}, value);
    } else if (field == "resourceProration") {
      add(out_.gauge("losant_resource_proration_ratio",
                     "Share of the billing period the resource existed (resourceProration).",
                     with({})),
          {}, value);
    } else if (ends_with(field, "CountProrated")) {
      add(prorated, {snake_case(field.substr(0, field.size() - 13))}, value);
    } else if (ends_with(field, "TotalSizeMb")) {
      add(storage, {snake_case(field.substr(0, field.size() - 11))}, value * kBytesPerMb);
    } else if (ends_with(field, "Count")) {
      add(objects, {snake_case(field.substr(0, field.size() - 5))}, value);
    }
  }
  auto& by_source =
      out_.counter("losant_resource_payloads_by_source_total",
                   "Payloads of the resource by category and source, billing period to date.",
                   with({"category", "source"}));
  for (const auto& s : r.payloads_by_source)
    add(by_source, {snake_case(s.category), s.source}, s.value);
}

}  // namespace fue::losant
