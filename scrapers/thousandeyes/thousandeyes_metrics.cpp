#include "scrapers/thousandeyes/thousandeyes_metrics.h"

#include <optional>
#include <vector>

#include "exporter/http/json_util.h"

namespace fue::thousandeyes {
namespace {

using Json = nlohmann::json;

constexpr const char* kPeriodNote = " Billing period to date.";

// Adds one sample, creating the family only when the vendor sent the field.
void put(MetricSet& out, MetricType type, const std::string& name, const std::string& help,
         const std::vector<std::string>& label_names,
         std::initializer_list<std::string_view> values, std::optional<double> value) {
  if (!value) return;
  out.family(name, help, type, label_names).add(values, *value);
}

struct Scalar {
  const char* field;
  const char* metric;
  MetricType type;
  const char* help;
};

// The organisation-level figures of usage (UsageDetails) and usage.quota (UsageQuota).
const std::vector<Scalar>& usage_scalars() {
  static const std::vector<Scalar> v = {
      {"cloudUnitsUsed", "thousandeyes_cloud_units_used_total", MetricType::kCounter,
       "Cloud units consumed in the current billing period."},
      {"cloudUnitsProjected", "thousandeyes_cloud_units_projected", MetricType::kGauge,
       "Cloud units projected for the current billing period, updated hourly."},
      {"cloudUnitsNextBillingPeriod", "thousandeyes_cloud_units_next_period_projected",
       MetricType::kGauge, "Cloud units projected for the next billing period."},
      {"enterpriseUnitsUsed", "thousandeyes_enterprise_units_used_total", MetricType::kCounter,
       "Enterprise units consumed (non-zero on metered billing only)."},
      {"enterpriseUnitsProjected", "thousandeyes_enterprise_units_projected", MetricType::kGauge,
       "Enterprise units projected for the current billing period."},
      {"enterpriseUnitsNextBillingPeriod", "thousandeyes_enterprise_units_next_period_projected",
       MetricType::kGauge, "Enterprise units projected for the next billing period."},
      {"connectedDevicesUnitsUsed", "thousandeyes_connected_devices_units_used_total",
       MetricType::kCounter, "Connected-device units consumed in the current billing period."},
      {"connectedDevicesUnitsProjected", "thousandeyes_connected_devices_units_projected",
       MetricType::kGauge, "Connected-device units projected for the current billing period."},
      {"connectedDevicesUnitsNextBillingPeriod",
       "thousandeyes_connected_devices_units_next_period_projected", MetricType::kGauge,
       "Connected-device units projected for the next billing period."},
      {"endpointAgentsUsed", "thousandeyes_endpoint_agents_used", MetricType::kGauge,
       "Endpoint agents used: the peak number enabled in any one hour of the billing period."},
      {"endpointAgentsEssentialsUsed", "thousandeyes_endpoint_agents_essentials_used",
       MetricType::kGauge, "Endpoint agents essentials used, peak per hour in the billing period."},
      {"endpointAgentsEmbeddedUsed", "thousandeyes_endpoint_agents_embedded_used",
       MetricType::kGauge, "Embedded endpoint agents used, peak per hour in the billing period."},
      {"enterpriseAgentsUsed", "thousandeyes_enterprise_agents_used", MetricType::kGauge,
       "Enterprise agents used, peak per hour in the billing period."},
  };
  return v;
}

const std::vector<Scalar>& quota_scalars() {
  static const std::vector<Scalar> v = {
      {"cloudUnitsIncluded", "thousandeyes_cloud_units_included", MetricType::kGauge,
       "Cloud units included per billing period."},
      {"deviceAgentsIncluded", "thousandeyes_device_agents_included", MetricType::kGauge,
       "Device agents (connected devices) included per billing period."},
      {"endpointAgentsIncluded", "thousandeyes_endpoint_agents_included", MetricType::kGauge,
       "Endpoint agents included per billing period."},
      {"endpointAgentsEssentialsIncluded", "thousandeyes_endpoint_agents_essentials_included",
       MetricType::kGauge, "Endpoint agents essentials included per billing period."},
      {"endpointAgentsEmbeddedIncluded", "thousandeyes_endpoint_agents_embedded_included",
       MetricType::kGauge, "Embedded endpoint agents included per billing period."},
      {"enterpriseAgentsIncluded", "thousandeyes_enterprise_agents_included", MetricType::kGauge,
       "Enterprise agents included; non-zero only on legacy billing."},
  };
  return v;
}

void add_scalars(const Json& object, const std::vector<Scalar>& scalars, const std::string& aid,
                 MetricSet& out) {
  for (const auto& s : scalars) {
    std::string help = s.help;
    if (s.type == MetricType::kCounter) help += kPeriodNote;
    put(out, s.type, s.metric, help, {"query_aid"}, {aid}, json::opt_number(object, s.field));
  }
}

void add_period(const Json& quota, const std::string& aid, MetricSet& out) {
  auto at = [&](const char* field) -> std::optional<double> {
    auto text = json::opt_string(quota, field);
    return text ? timeutil::parse_rfc3339(*text) : std::nullopt;
  };
  put(out, MetricType::kGauge, "thousandeyes_billing_period_start_timestamp_seconds",
      "Start of the current billing period.", {"query_aid"}, {aid}, at("monthStart"));
  put(out, MetricType::kGauge, "thousandeyes_billing_period_end_timestamp_seconds",
      "End of the current billing period.", {"query_aid"}, {aid}, at("monthEnd"));
}

// usage.tests[] (expand=test): cloud units per test.
void add_tests(const Json& usage, MetricSet& out, SeriesCap& cap) {
  const std::vector<std::string> labels = {"account_group_id", "account_group_name", "test_id",
                                           "test_name", "test_type"};
  for (const auto& row : json::array_or_empty(usage, "tests")) {
    json::require_object(row, "usage.tests[]");
    const auto used = json::opt_number(row, "cloudUnitsUsed");
    const auto projected = json::opt_number(row, "cloudUnitsProjected");
    if (!cap.admit((used ? 1 : 0) + (projected ? 1 : 0))) continue;
    const std::string ids[] = {json::opt_string(row, "aid").value_or(""),
                               json::opt_string(row, "accountGroupName").value_or(""),
                               json::opt_string(row, "testId").value_or(""),
                               json::opt_string(row, "testName").value_or(""),
                               json::opt_string(row, "testType").value_or("")};
    if (used)
      out.counter("thousandeyes_test_cloud_units_used_total",
                  std::string("Cloud units used by one test in the current billing period.") +
                      kPeriodNote,
                  labels)
          .add(ids, *used);
    if (projected)
      out.gauge("thousandeyes_test_cloud_units_projected",
                "Cloud units projected for one test this billing period.", labels)
          .add(ids, *projected);
  }
}

// usage.enterpriseAgentUnits[] (expand=enterprise-agent-unit): units per enterprise agent.
void add_agent_units(const Json& usage, MetricSet& out, SeriesCap& cap) {
  const std::vector<std::string> labels = {"account_group_id", "account_group_name", "agent_id",
                                           "agent_name"};
  for (const auto& row : json::array_or_empty(usage, "enterpriseAgentUnits")) {
    json::require_object(row, "usage.enterpriseAgentUnits[]");
    const auto used = json::opt_number(row, "enterpriseUnitsUsed");
    const auto projected = json::opt_number(row, "enterpriseUnitsProjected");
    if (!cap.admit((used ? 1 : 0) + (projected ? 1 : 0))) continue;
    const std::string ids[] = {json::opt_string(row, "aid").value_or(""),
                               json::opt_string(row, "accountGroupName").value_or(""),
                               json::opt_string(row, "agentId").value_or(""),
                               json::opt_string(row, "agentName").value_or("")};
    if (used)
      out.counter("thousandeyes_enterprise_agent_units_used_total",
                  std::string("Enterprise units used by one enterprise agent.") + kPeriodNote,
                  labels)
          .add(ids, *used);
    if (projected)
      out.gauge("thousandeyes_enterprise_agent_units_projected",
                "Enterprise units projected for one enterprise agent in the current billing "
                "period.",
                labels)
          .add(ids, *projected);
  }
}

struct GroupCount {
  const char* array;
  const char* field;
  const char* metric;
  const char* help;
};

// usage.endpointAgents[] and friends (expand=endpoint-agent, ...): agents per account group.
void add_group_counts(const Json& usage, MetricSet& out) {
  static const GroupCount counts[] = {
      {"endpointAgents", "endpointAgentsUsed", "thousandeyes_account_group_endpoint_agents_used",
       "Endpoint agents used in one account group, peak per hour."},
      {"endpointAgentsEssentials", "endpointAgentsEssentialsUsed",
       "thousandeyes_account_group_endpoint_agents_essentials_used",
       "Endpoint agents essentials used in one account group, peak per hour."},
      {"endpointAgentsEmbedded", "endpointAgentsEmbeddedUsed",
       "thousandeyes_account_group_endpoint_agents_embedded_used",
       "Embedded endpoint agents used in one account group, peak per hour."},
      {"enterpriseAgents", "enterpriseAgentsUsed",
       "thousandeyes_account_group_enterprise_agents_used",
       "Enterprise agents used in one account group, peak per hour."},
  };
  for (const auto& c : counts) {
    for (const auto& row : json::array_or_empty(usage, c.array)) {
      json::require_object(row, c.array);
      put(out, MetricType::kGauge, c.metric, c.help, {"account_group_id", "account_group_name"},
          {json::opt_string(row, "aid").value_or(""),
           json::opt_string(row, "accountGroupName").value_or("")},
          json::opt_number(row, c.field));
    }
  }
}

// usage.allocations (UnitAllocationSummary); its exact semantics are unconfirmed, so gauges.
void add_allocations(const Json& usage, const std::string& aid, MetricSet& out) {
  const auto* summary = json::find(usage, "allocations");
  if (!summary || summary->is_null()) return;
  json::require_object(*summary, "usage.allocations");
  put(out, MetricType::kGauge, "thousandeyes_allocation_units_used",
      "Units used by products with unit allocations.", {"query_aid"}, {aid},
      json::opt_number(*summary, "used"));
  put(out, MetricType::kGauge, "thousandeyes_allocation_units_projected",
      "Units projected for products with unit allocations.", {"query_aid"}, {aid},
      json::opt_number(*summary, "projected"));
  for (const auto& row : json::array_or_empty(*summary, "allocations")) {
    json::require_object(row, "usage.allocations.allocations[]");
    put(out, MetricType::kGauge, "thousandeyes_product_allocated_units",
        "Units allocated to one product.", {"query_aid", "product_name"},
        {aid, json::opt_string(row, "productName").value_or("")},
        json::opt_number(row, "allocatedUnits"));
  }
}

}  // namespace

void add_usage_metrics(const Json& body, const std::string& query_aid, MetricSet& out,
                       SeriesCap& cap) {
  json::require_object(body, "GET /v7/usage body");
  const auto& usage = json::object_or_empty(body, "usage");
  const auto& quota = json::object_or_empty(usage, "quota");
  add_scalars(usage, usage_scalars(), query_aid, out);
  add_scalars(quota, quota_scalars(), query_aid, out);
  add_period(quota, query_aid, out);
  add_allocations(usage, query_aid, out);
  add_group_counts(usage, out);
  if (cap.enabled()) {
    add_tests(usage, out, cap);
    add_agent_units(usage, out, cap);
  }
}

}  // namespace fue::thousandeyes
