#include "scrapers/thousandeyes/thousandeyes_metrics_units.h"

#include <optional>
#include <string>
#include <vector>

#include "exporter/http/json_util.h"

namespace fue::thousandeyes {
namespace {

using Json = nlohmann::json;

constexpr const char* kWindowNote = " Units window to date.";

void append_rows(const Json& page, const char* what, std::vector<Json>& rows) {
  json::require_object(page, what);
  for (const auto& row : json::array_or_empty(page, "breakdowns")) {
    json::require_object(row, what);
    rows.push_back(row);
  }
}

std::string text(const Json& row, const char* key) {
  return json::opt_string(row, key).value_or("");
}

// Per-row used/projected pairs share this shape.
struct Figure {
  const char* field;
  const char* metric;
  MetricType type;
  const char* help;
};

void emit_rows(const std::vector<Json>& rows, const std::vector<Figure>& figures,
               const std::vector<std::string>& labels,
               const std::function<std::vector<std::string>(const Json&)>& values, MetricSet& out,
               SeriesCap& cap) {
  if (!cap.enabled()) return;
  for (const auto& row : rows) {
    std::vector<std::optional<double>> found;
    size_t series = 0;
    for (const auto& f : figures) {
      found.push_back(json::opt_number(row, f.field));
      if (found.back()) ++series;
    }
    if (!cap.admit(series)) continue;
    const auto ids = values(row);
    for (size_t i = 0; i < figures.size(); ++i) {
      if (!found[i]) continue;
      std::string help = figures[i].help;
      if (figures[i].type == MetricType::kCounter) help += kWindowNote;
      out.family(figures[i].metric, help, figures[i].type, labels).add(ids, *found[i]);
    }
  }
}

std::string instant_label(const Json& row) {
  const auto instant = json::opt_bool(row, "isInstantTest");
  return instant ? (*instant ? "true" : "false") : "unknown";
}

}  // namespace

void TestBreakdowns::add_page(const Json& page) {
  append_rows(page, "GET /v7/usage/units/tests breakdowns[]", rows_);
}

void TestBreakdowns::emit(MetricSet& out, SeriesCap& cap) const {
  static const std::vector<Figure> figures = {
      {"cloudUnitsUsed", "thousandeyes_test_breakdown_cloud_units_used_total", MetricType::kCounter,
       "Units one test consumed on cloud agents."},
      {"cloudUnitsProjected", "thousandeyes_test_breakdown_cloud_units_projected",
       MetricType::kGauge, "Units projected for one test on cloud agents."},
      {"enterpriseUnitsUsed", "thousandeyes_test_breakdown_enterprise_units_used_total",
       MetricType::kCounter, "Units one test consumed on enterprise agents."},
      {"enterpriseUnitsProjected", "thousandeyes_test_breakdown_enterprise_units_projected",
       MetricType::kGauge, "Units projected for one test on enterprise agents."},
  };
  static const std::vector<std::string> labels = {"account_group_id", "account_group_name",
                                                  "test_id",          "test_name",
                                                  "test_type",        "instant_test"};
  emit_rows(
      rows_, figures, labels,
      [](const Json& row) {
        return std::vector<std::string>{text(row, "aid"),      text(row, "accountGroupName"),
                                        text(row, "testId"),   text(row, "testName"),
                                        text(row, "testType"), instant_label(row)};
      },
      out, cap);
  // The fleet size by owner, uncapped: one series per account group and kind of test.
  LabelCounter tests;
  for (const auto& row : rows_)
    tests.add({text(row, "aid"), text(row, "accountGroupName"), instant_label(row)});
  if (tests.size() > 0)
    tests.emit(
        out.gauge("thousandeyes_breakdown_tests",
                  "Tests listed by /v7/usage/units/tests, by account group and instant_test.",
                  {"account_group_id", "account_group_name", "instant_test"}));
}

void AgentBreakdowns::add_page(const Json& page) {
  append_rows(page, "GET /v7/usage/units/enterprise-agents breakdowns[]", rows_);
}

void AgentBreakdowns::emit(MetricSet& out, SeriesCap& cap) const {
  static const std::vector<Figure> figures = {
      {"enterpriseUnitsUsed", "thousandeyes_enterprise_agent_breakdown_units_used_total",
       MetricType::kCounter, "Enterprise units one agent used for an account group's tests."},
      {"enterpriseUnitsProjected", "thousandeyes_enterprise_agent_breakdown_units_projected",
       MetricType::kGauge, "Enterprise units projected for one agent and account group."},
  };
  static const std::vector<std::string> labels = {"account_group_id", "account_group_name",
                                                  "agent_id", "agent_name"};
  emit_rows(
      rows_, figures, labels,
      [](const Json& row) {
        return std::vector<std::string>{text(row, "aid"), text(row, "accountGroupName"),
                                        text(row, "agentId"), text(row, "agentName")};
      },
      out, cap);
  LabelCounter agents;
  for (const auto& row : rows_) agents.add({text(row, "aid"), text(row, "accountGroupName")});
  if (agents.size() > 0)
    agents.emit(out.gauge("thousandeyes_breakdown_enterprise_agents",
                          "Enterprise agents running tests of an account group (shared ones count "
                          "in each).",
                          {"account_group_id", "account_group_name"}));
}

}  // namespace fue::thousandeyes
