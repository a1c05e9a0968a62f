// Losant-specific behaviour against the in-process simulator: upstream request counts, paging
// through historicalSummaries, per-instance failure isolation, the losantdomain header, secrets.
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace fue::test
