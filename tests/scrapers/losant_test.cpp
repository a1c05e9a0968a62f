// Losant-specific behaviour against the in-process simulator: upstream request counts, paging
// through historicalSummaries, per-instance failure isolation, the losantdomain header, secrets.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>

#include "scrapers/losant/losant_metrics.h"
#include "tests/support/exposition.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

constexpr const char* kId = "5ff89ff825013dc6c2856188";

std::string config(const std::string& extra,
                   const std::string& ids = std::string("\"") + kId + "\"") {
  return "[[losant]]\nname = \"t\"\nbase_url = \"{{SIM}}/losant\"\ntoken = \"sim-losant-token\"\n"
         "instance_ids = [" +
         ids + "]\n" + extra;
}

int route_count(const InProcessSim& sim, const std::string& suffix) {
  int n = 0;
  const nlohmann::json stats = sim.stats();  // keep the temporary alive for the loop
  for (const auto& [route, count] : stats["by_route"].items()) {
    if (route.size() >= suffix.size() &&
        route.compare(route.size() - suffix.size(), suffix.size(), suffix) == 0)
      n += count.get<int>();
  }
  return n;
}

size_t count_lines(const std::string& text, const std::string& prefix) {
  size_t n = 0, pos = 0;
  while ((pos = text.find("\n" + prefix, pos)) != std::string::npos) ++n, ++pos;
  return n;
}

TEST(Losant, OneRequestPerEndpointAndSummaryPage) {
  InProcessSim sim({{"losant", {.fleet_size = 105}}});  // 21 resources
  auto out = collect_with(sim, config("historical_summaries_per_page = 10\n"));
  ASSERT_TRUE(out.all_up) << out.status.at(0).last_error;
  // get, deviceCounts, notebookMinuteCounts, payloadCountsBreakdown, payloadCounts.
  EXPECT_EQ(route_count(sim, std::string("/instances/") + kId), 1);
  EXPECT_EQ(route_count(sim, "/deviceCounts"), 1);
  EXPECT_EQ(route_count(sim, "/payloadCountsBreakdown"), 1);
  EXPECT_EQ(route_count(sim, "/payloadCounts"), 1);
  EXPECT_EQ(route_count(sim, "/historicalSummaries"), 3);  // 10 + 10 + 1
  EXPECT_EQ(sim.requests("losant"), 8);
  EXPECT_EQ(count_lines(out.vendor_text, "losant_resource_info{"), 21u);
  EXPECT_NE(out.vendor_text.find("losant_instance_devices{target=\"t\",instance_id=\"" +
                                 std::string(kId) + "\"} 105"),
            std::string::npos)
      << out.vendor_text;
  expect_promtool_ok(out.vendor_text);
}

TEST(Losant, DivisibleTotalStopsAtLastFullPage) {
  InProcessSim sim({{"losant", {.fleet_size = 100}}});  // 20 resources
  auto out = collect_with(sim, config("historical_summaries_per_page = 10\nmetric_groups = "
                                      "[\"historical_summaries\"]\n"));
  ASSERT_TRUE(out.all_up);
  EXPECT_EQ(route_count(sim, "/historicalSummaries"), 2);
  EXPECT_EQ(count_lines(out.vendor_text, "losant_resource_info{"), 20u);
}

TEST(Losant, AsBytesAddsOneRequest) {
  InProcessSim sim;
  auto out = collect_with(sim, config("payload_as_bytes = true\nmetric_groups = [\"payloads\"]\n"));
  ASSERT_TRUE(out.all_up);
  EXPECT_EQ(route_count(sim, "/payloadCountsBreakdown"), 2);
  EXPECT_NE(out.vendor_text.find("losant_instance_payload_bytes_total{"), std::string::npos);
}

TEST(Losant, OneMissingInstanceDoesNotBlankTheOther) {
  InProcessSim sim;
  auto out =
      collect_with(sim, config("", std::string("\"") + kId + "\", \"deadbeef25013dc6c2856188\""));
  ASSERT_TRUE(out.all_up);
  EXPECT_NE(out.vendor_text.find("losant_instance_scrape_success{target=\"t\",instance_id=\"" +
                                 std::string(kId) + "\"} 1"),
            std::string::npos);
  EXPECT_NE(out.vendor_text.find("losant_instance_scrape_success{target=\"t\",instance_id="
                                 "\"deadbeef25013dc6c2856188\"} 0"),
            std::string::npos);
  EXPECT_EQ(out.vendor_text.find("instance_id=\"deadbeef25013dc6c2856188\",name"),
            std::string::npos);
  EXPECT_NE(out.self_text.find("instance_http_404"), std::string::npos) << out.self_text;
}

TEST(Losant, LosantdomainHeaderIsSentWhenConfigured) {
  InProcessSim sim;
  std::string seen;
  sim.server().http().set_pre_routing_handler([&](const httplib::Request& req, httplib::Response&) {
    if (req.path.rfind("/losant/", 0) == 0) seen = req.get_header_value("losantdomain");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto out =
      collect_with(sim, config("losantdomain = \"example.com\"\nmetric_groups = [\"instance\"]\n"));
  ASSERT_TRUE(out.all_up);
  EXPECT_EQ(seen, "example.com");
  seen = "unset";
  collect_with(sim, config("metric_groups = [\"instance\"]\n"));
  EXPECT_EQ(seen, "");
}

TEST(Losant, SecretNeverInOutputOrErrors) {
  InProcessSim sim;
  const std::string secret = "super-secret-losant-token-123";
  std::string cfg = config("");
  cfg.replace(cfg.find("sim-losant-token"), std::string("sim-losant-token").size(), secret);
  auto out = collect_with(sim, cfg);
  EXPECT_FALSE(out.all_up);
  EXPECT_EQ(out.vendor_text.find(secret), std::string::npos);
  EXPECT_EQ(out.self_text.find(secret), std::string::npos);
  EXPECT_EQ(out.status.at(0).last_error.find(secret), std::string::npos);
  EXPECT_NE(out.status.at(0).last_error.find("401"), std::string::npos)
      << out.status.at(0).last_error;
}

TEST(Losant, DiscoveryListsInstancesWithAUserToken) {
  InProcessSim sim;
  auto out = collect_with(sim,
                          "[[losant]]\nname = \"d\"\nbase_url = \"{{SIM}}/losant\"\n"
                          "token = \"sim-losant-token\"\ndiscover_instances = true\n"
                          "metric_groups = [\"instance\"]\n");
  ASSERT_TRUE(out.all_up) << out.status.at(0).last_error;
  EXPECT_EQ(route_count(sim, "GET /losant/instances"), 1);
  EXPECT_EQ(count_lines(out.vendor_text, "losant_instance_info{"), 3u);
}

TEST(Losant, RateLimitedInstanceRetriesThenSucceeds) {
  InProcessSim sim;
  sim::Fault f;
  f.vendor = "losant";
  f.path_prefix = std::string("/instances/") + kId + "/deviceCounts";
  f.status = 429;
  f.times = 1;
  f.headers["Retry-After"] = "0";
  sim.add_fault(f);
  auto out = collect_with(sim, config("metric_groups = [\"device_counts\"]\n"));
  ASSERT_TRUE(out.all_up) << out.status.at(0).last_error;
  EXPECT_EQ(route_count(sim, "/deviceCounts"), 2);
}

// The query the scraper sends: includeNonBillable follows include_non_billable, and what the
// vendor answers to each is exported under its own payload_scope. The simulator's answer is
// replaced by a fixed one per query value, so the figures do not depend on the day.
TEST(Losant, IncludeNonBillableIsSentAsAskedAndScopesTheAnswer) {
  InProcessSim sim;
  std::mutex mutex;  // the simulator's threads write, the test reads
  std::vector<std::string> sent;
  sim.server().http().set_pre_routing_handler([&](const httplib::Request& req,
                                                  httplib::Response& res) {
    if (req.path.find("/payloadCountsBreakdown") == std::string::npos)
      return httplib::Server::HandlerResponse::Unhandled;
    const std::string v = req.get_param_value("includeNonBillable");
    std::lock_guard lock(mutex);
    sent.push_back(v);
    const int value = v == "true" ? 105 : v == "false" ? 100 : -1;
    res.set_content(
        R"({"counts":[{"date":"2021-04-01T00:00:00.000Z","value":)" + std::to_string(value) + "}]}",
        "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  auto taken = [&] {  // the values sent since the last call
    std::lock_guard lock(mutex);
    return std::exchange(sent, {});
  };
  const std::string series =
      std::string("losant_instance_payloads_total{target=\"t\",instance_id=\"") + kId +
      "\",payload_scope=";
  auto billable = collect_with(sim, config("metric_groups = [\"payloads\"]\n"));
  ASSERT_TRUE(billable.all_up) << billable.status.at(0).last_error;
  EXPECT_EQ(taken(), std::vector<std::string>{"false"});
  EXPECT_EQ(sample_value(billable.vendor_text, series + "\"billable\"}"), 100)
      << billable.vendor_text;
  EXPECT_EQ(sample_value(billable.vendor_text, series + "\"all\"}"), std::nullopt);

  auto all =
      collect_with(sim, config("metric_groups = [\"payloads\"]\ninclude_non_billable = true\n"));
  ASSERT_TRUE(all.all_up) << all.status.at(0).last_error;
  EXPECT_EQ(taken(), std::vector<std::string>{"true"});
  EXPECT_EQ(sample_value(all.vendor_text, series + "\"all\"}"), 105) << all.vendor_text;
  EXPECT_EQ(sample_value(all.vendor_text, series + "\"billable\"}"), std::nullopt);
}

// The resource emitter, rule by rule: each expectation names one conversion or mapping.
struct ResourceRules : ::testing::Test {
  std::string emit(const losant::ResourceSummary& r, bool per_resource = true) {
    MetricSet set;
    SeriesCap cap(per_resource, 100);
    losant::MetricEmitter emitter(set, cap, per_resource);
    losant::InstanceData d;
    d.id = "i";
    d.summaries = std::vector<losant::ResourceSummary>{r};
    emitter.instance(d, "day", false);
    return text_of(set);
  }
  static losant::ResourceSummary resource() {
    losant::ResourceSummary r;
    r.resource_type = "application";
    r.resource_id = "r";
    r.resource_name = "App";
    r.owner_type = "organization";
    r.owner_id = "o";
    r.owner_name = "Org";
    r.numbers = {{"notebookMinutesCount", 7},
                 {"notebookRunCount", 3},
                 {"payloadBillableCount", 400},
                 {"payloadNonbillableCount", 12},
                 {"payloadBillableSizeMb", 2.5},
                 {"payloadNonbillableSizeMb", 0.25},
                 {"deviceCount", 9},
                 {"deviceCountProrated", 8.5},
                 {"dataTableTotalSizeMb", 0.5},
                 {"resourceProration", 0.75},
                 {"experienceUserCount", 4}};
    r.limits = {{"device", 500}};
    r.payloads_by_source = {{"mqtt", "device.mqttIn", 400}};
    return r;
  }
  static std::string series(const std::string& name, const std::string& extra = "") {
    return name + R"({instance_id="i",resource_type="application",resource_id="r")" +
           (extra.empty() ? "" : "," + extra) + "}";
  }
};

TEST_F(ResourceRules, NotebookMinutesAreExportedAsSeconds) {
  const std::string text = emit(resource());
  EXPECT_EQ(sample_value(text, series("losant_resource_notebook_execution_seconds_total")), 420)
      << text;
  EXPECT_EQ(sample_value(text, series("losant_resource_notebook_runs_total")), 3);
}

TEST_F(ResourceRules, InstanceNotebookMinutesAreExportedAsSeconds) {
  MetricSet set;
  SeriesCap cap(true, 100);
  losant::MetricEmitter emitter(set, cap, true);
  losant::InstanceData d;
  d.id = "i";
  d.notebook = losant::NotebookUsage{2.5, {{"completed", 4}, {"errored", 1}}};
  emitter.instance(d, "day", false);
  const std::string text = text_of(set);
  EXPECT_EQ(
      sample_value(text, R"(losant_instance_notebook_execution_seconds_total{instance_id="i"})"),
      150)
      << text;
  EXPECT_EQ(sample_value(
                text, R"(losant_instance_notebook_runs_total{instance_id="i",outcome="errored"})"),
            1);
}

TEST_F(ResourceRules, PayloadCountsAndSizesKeepTheirBillingClass) {
  const std::string text = emit(resource());
  EXPECT_EQ(sample_value(text, series("losant_resource_payloads_total", R"(billing="billable")")),
            400)
      << text;
  EXPECT_EQ(
      sample_value(text, series("losant_resource_payloads_total", R"(billing="nonbillable")")), 12);
  // Sizes in Losant's "MB" are mebibytes.
  EXPECT_EQ(
      sample_value(text, series("losant_resource_payload_bytes_total", R"(billing="billable")")),
      2.5 * 1048576);
  EXPECT_EQ(
      sample_value(text, series("losant_resource_payload_bytes_total", R"(billing="nonbillable")")),
      0.25 * 1048576);
}

TEST_F(ResourceRules, CountSuffixesBecomeKindsAndStoresBecomeBytes) {
  const std::string text = emit(resource());
  EXPECT_EQ(sample_value(text, series("losant_resource_objects", R"(kind="device")")), 9) << text;
  EXPECT_EQ(sample_value(text, series("losant_resource_objects", R"(kind="experience_user")")), 4);
  EXPECT_EQ(sample_value(text, series("losant_resource_objects_prorated", R"(kind="device")")),
            8.5);
  EXPECT_EQ(sample_value(text, series("losant_resource_storage_bytes", R"(store="data_table")")),
            0.5 * 1048576);
  EXPECT_EQ(sample_value(text, series("losant_resource_proration_ratio")), 0.75);
  EXPECT_EQ(sample_value(text, series("losant_resource_limit", R"(kind="device")")), 500);
  EXPECT_EQ(sample_value(text, series("losant_resource_payloads_by_source_total",
                                      R"(category="mqtt",source="device.mqttIn")")),
            400);
  // The count fields handled above are not also objects of a kind.
  EXPECT_EQ(text.find(R"(kind="payload_billable")"), std::string::npos) << text;
  EXPECT_EQ(text.find(R"(kind="notebook_minutes")"), std::string::npos) << text;
  EXPECT_EQ(text.find(R"(kind="device_count")"), std::string::npos) << text;
}

TEST_F(ResourceRules, PerResourceSeriesOffKeepsOnlyTheCountByType) {
  const std::string text = emit(resource(), false);
  EXPECT_EQ(sample_value(
                text, R"(losant_instance_resources{instance_id="i",resource_type="application"})"),
            1)
      << text;
  EXPECT_EQ(sample_value(
                text, R"(losant_instance_resources{instance_id="i",resource_type="organization"})"),
            0);
  EXPECT_EQ(text.find("losant_resource_info"), std::string::npos);
}

// Losant's limits mix units under one key set: each family holds one unit, in base units, with a
// snake_case kind; a resource's limit equal to the org default is said once, on the instance.
TEST(LosantLimits, SplitByUnitInBaseUnitsAndOrgDefaultsSaidOnce) {
  MetricSet set;
  SeriesCap cap(true, 100);
  losant::MetricEmitter emitter(set, cap, true);
  losant::InstanceData d;
  d.id = "i";
  d.info = losant::InstanceInfo{};
  d.info->limits = {{"apitoken", 5},       {"dataTTL", 86400},
                    {"storage", 2048},     {"notebookMinutesPerMonth", 930},
                    {"systemInterval", 5}, {"payload", 75000000},
                    {"newThingXML", 3}};
  d.info->org_default_limits = {{"device", 500}, {"storage", 1024}, {"notebookMinutesPerRun", 2}};
  d.info->mfa_mode = "adminRequired";
  losant::ResourceSummary r;
  r.resource_type = "organization";
  r.resource_id = "o";
  r.limits = {{"device", 500}, {"storage", 4096}, {"notebookMinutesPerRun", 3}};
  d.summaries = std::vector<losant::ResourceSummary>{r};
  emitter.instance(d, "day", false);
  const std::string text = text_of(set);
  auto instance = [&](const std::string& family, const std::string& kind) {
    return sample_value(text, family + R"({instance_id="i",kind=")" + kind + R"("})");
  };
  EXPECT_EQ(instance("losant_instance_limit", "api_token"), 5) << text;
  EXPECT_EQ(instance("losant_instance_limit", "payload"), 75000000);
  EXPECT_EQ(instance("losant_instance_limit", "new_thing_xml"), 3) << "a new key is a count";
  EXPECT_EQ(instance("losant_instance_limit_seconds", "data_ttl"), 86400);
  EXPECT_EQ(instance("losant_instance_limit_seconds", "system_interval"), 5);
  EXPECT_EQ(instance("losant_instance_limit_seconds", "notebook_execution_per_month"), 930 * 60);
  EXPECT_EQ(instance("losant_instance_limit_bytes", "storage"), 2048);
  EXPECT_EQ(instance("losant_instance_limit", "storage"), std::nullopt) << "one unit per family";
  EXPECT_EQ(instance("losant_instance_org_default_limit", "device"), 500);
  EXPECT_EQ(instance("losant_instance_org_default_limit_bytes", "storage"), 1024);
  EXPECT_EQ(instance("losant_instance_org_default_limit_seconds", "notebook_execution_per_run"),
            120);
  const std::string resource = R"({instance_id="i",resource_type="organization",resource_id="o",)";
  EXPECT_EQ(sample_value(text, "losant_resource_limit" + resource + R"(kind="device"})"),
            std::nullopt)
      << "equal to the org default";
  EXPECT_EQ(sample_value(text, "losant_resource_limit_bytes" + resource + R"(kind="storage"})"),
            4096);
  EXPECT_EQ(sample_value(text, "losant_resource_limit_seconds" + resource +
                                   R"(kind="notebook_execution_per_run"})"),
            180);
  // The MFA mode is a StateSet in snake_case, its state label named as the family.
  EXPECT_EQ(sample_value(text, R"(losant_instance_mfa_mode{instance_id="i",)"
                               R"(losant_instance_mfa_mode="admin_required"})"),
            1);
  EXPECT_EQ(sample_value(text, R"(losant_instance_mfa_mode{instance_id="i",)"
                               R"(losant_instance_mfa_mode="not_required"})"),
            0);
}

TEST(LosantLimits, SnakeCaseSplitsWordsAndAcronyms) {
  EXPECT_EQ(losant::snake_case("apiToken"), "api_token");
  EXPECT_EQ(losant::snake_case("dataTTL"), "data_ttl");
  EXPECT_EQ(losant::snake_case("newThingXMLValue"), "new_thing_xml_value");
  EXPECT_EQ(losant::snake_case("mqtt"), "mqtt");
  EXPECT_EQ(losant::limit_key("applicationcertificate").kind, "application_certificate");
}

}  // namespace
}  // namespace fue::test
