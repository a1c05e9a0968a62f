#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

// What one collection learned about one Losant instance, parsed leniently from the vendor JSON.
// Kept apart from the metric families so that an instance that fails half-way emits nothing.
namespace fue::losant {

using NumberMap = std::map<std::string, double>;  // JSON key -> number, unknown keys kept

struct InstanceInfo {
  std::string name;
  std::string mfa_mode;  // "" when absent
  std::optional<bool> audit_logging;
  std::optional<double> created_unix;
  NumberMap limits;
  NumberMap org_default_limits;  // orgDefaultLimitConfig: the limits a new organization gets
  std::map<std::string, int> members_by_role;
};

struct LatestDeviceDay {
  double date_unix = 0;
  std::optional<double> total, created, deleted;
};

struct NotebookUsage {
  double minutes = 0;
  std::map<std::string, double> runs_by_outcome;  // completed, canceled, errored, timeout
};

struct SourceCount {
  std::string category, source;
  double value = 0;
};

struct PayloadUsage {
  double count = 0;                     // sum of the period's buckets
  std::optional<double> latest_bucket;  // the newest bucket (day or hour)
  std::optional<double> bytes;          // when asBytes was asked for
  std::vector<SourceCount> by_source;   // payloadCounts: category -> source -> count
};

struct ResourceSummary {
  std::string resource_type, resource_id, resource_name, owner_type, owner_id, owner_name;
  std::optional<double> period_start_unix, period_end_unix;
  NumberMap numbers;  // every numeric top-level field, e.g. deviceCount, payloadBillableSizeMb
  NumberMap limits;
  std::vector<SourceCount> payloads_by_source;  // payloadCountDetails
};

struct InstanceData {
  std::string id;
  std::optional<InstanceInfo> info;
  std::optional<LatestDeviceDay> devices;  // nullopt also when counts[] was empty
  bool device_counts_fetched = false;
  std::optional<NotebookUsage> notebook;
  std::optional<PayloadUsage> payloads;
  std::optional<std::vector<ResourceSummary>> summaries;
};

}  // namespace fue::losant
