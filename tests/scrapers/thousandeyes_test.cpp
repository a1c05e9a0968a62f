// ThousandEyes specifics beyond the golden cases: pages followed, the rate budget, 429s from the
// simulator's organisation window, closed groups, the error decoder and secrets.
#include <gtest/gtest.h>

#include <chrono>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "scrapers/registry.h"
#include "scrapers/thousandeyes/thousandeyes_errors.h"
#include "scrapers/thousandeyes/thousandeyes_parse.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

const std::string kConfig = R"(
[[thousandeyes]]
name = "acme"
base_url = "{{SIM}}/thousandeyes"
token = "sim-thousandeyes-token"
)";

int route_count(InProcessSim& sim, const std::string& path) {
  const auto stats = sim.stats();
  const std::string key = "GET /thousandeyes" + path;
  if (!stats.contains("by_route") || !stats["by_route"].contains(key)) return 0;
  return stats["by_route"][key].get<int>();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

long long epoch_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(ThousandEyes, FollowsEveryCursorPageOfBothUnitsEndpoints) {
  // 250 tests = pages of 100, 100 and 50; 50 agents = one page.
  InProcessSim sim({{"thousandeyes", {.fleet_size = 250}}});
  const auto out = collect_with(sim, kConfig);
  ASSERT_TRUE(out.all_up) << out.status.front().last_error;
  EXPECT_EQ(route_count(sim, "/v7/usage"), 1);
  EXPECT_EQ(route_count(sim, "/v7/usage/units/tests"), 3);
  EXPECT_EQ(route_count(sim, "/v7/usage/units/enterprise-agents"), 1);
  // Every row of every page arrived: the uncapped counts add up to the fleet.
  EXPECT_TRUE(contains(out.vendor_text, "thousandeyes_breakdown_tests{"));
  double tests = 0;
  std::istringstream lines(out.vendor_text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("thousandeyes_breakdown_tests{", 0) == 0)
      tests += std::stod(line.substr(line.rfind(' ') + 1));
  EXPECT_EQ(tests, 250);
  // 5 requests of the organisation's 240 are spent.
  EXPECT_TRUE(
      contains(out.vendor_text,
               "thousandeyes_rate_limit_remaining{target=\"acme\",query_aid=\"default\"} 235"))
      << out.vendor_text;
}

TEST(ThousandEyes, SkipsOptionalGroupsWhenTheRateBudgetIsLow) {
  InProcessSim sim;
  // The /v7/usage answer says only 10 requests are left this minute, under the reserve of 40.
  sim::Fault low;
  low.vendor = "thousandeyes";
  low.path_prefix = "/v7/usage";
  low.times = 1;
  low.headers = {{"X-Organization-Rate-Limit-Remaining", "10"},
                 {"X-Organization-Rate-Limit-Reset", std::to_string(epoch_now() + 60)}};
  sim.add_fault(low);
  const auto out = collect_with(sim, kConfig);
  EXPECT_TRUE(out.all_up);
  EXPECT_EQ(route_count(sim, "/v7/usage"), 1);
  EXPECT_EQ(route_count(sim, "/v7/usage/units/tests"), 0);
  EXPECT_EQ(route_count(sim, "/v7/usage/units/enterprise-agents"), 0);
  EXPECT_TRUE(contains(out.self_text, "rate_budget_low")) << out.self_text;
  EXPECT_TRUE(contains(out.vendor_text,
                       "thousandeyes_rate_limit_remaining{target=\"acme\","
                       "query_aid=\"default\"} 10"));
  EXPECT_TRUE(contains(out.vendor_text, "thousandeyes_cloud_units_used_total{"));
  EXPECT_FALSE(contains(out.vendor_text, "thousandeyes_test_breakdown_"));

  // With a reserve of 0 the same budget is enough.
  sim.add_fault(low);
  const auto relaxed = collect_with(sim, kConfig + "rate_limit_reserve = 0\n");
  EXPECT_EQ(route_count(sim, "/v7/usage/units/tests"), 1);
  EXPECT_FALSE(contains(relaxed.self_text, "rate_budget_low"));
}

TEST(ThousandEyes, SimulatorAnswers429WithResetHeadersOnceTheMinuteIsSpent) {
  InProcessSim sim;
  httplib::Client client("127.0.0.1", sim.port());
  const httplib::Headers auth = {{"Authorization", "Bearer sim-thousandeyes-token"}};
  int remaining = -1;
  for (int i = 0; i < 240; ++i) {
    auto res = client.Get("/thousandeyes/v7/usage", auth);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << "request " << i;
    remaining = std::stoi(res->get_header_value("X-Organization-Rate-Limit-Remaining"));
  }
  EXPECT_EQ(remaining, 0);
  auto res = client.Get("/thousandeyes/v7/usage", auth);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("X-Organization-Rate-Limit-Limit"), "240");
  EXPECT_EQ(res->get_header_value("X-Organization-Rate-Limit-Remaining"), "0");
  const long long reset = std::stoll(res->get_header_value("X-Organization-Rate-Limit-Reset"));
  EXPECT_GT(reset, epoch_now() - 1);
  EXPECT_LE(reset, epoch_now() + 61);
  EXPECT_TRUE(contains(res->body, "Exhausted rate limit for the organization"));

  // The scraper cannot wait a minute within a 2 s timeout: the target fails as rate limited.
  const auto out = collect_with(sim, kConfig + "timeout = \"2s\"\n");
  EXPECT_FALSE(out.all_up);
  ASSERT_EQ(out.status.size(), 1u);
  EXPECT_TRUE(contains(out.status[0].last_error, "rate")) << out.status[0].last_error;
}

TEST(ThousandEyes, ForbiddenUnitsGroupStaysClosedAcrossCollections) {
  InProcessSim sim;
  auto config = std::make_shared<ExporterConfig>(parse_config(
      substitute(kConfig + "account_group_ids = [\"7001\"]\nmin_interval = \"0s\"\n", sim.base()),
      "t.toml", builtin_vendors()));
  Engine engine(builtin_vendors(), std::make_shared<SelfMetrics>());
  engine.apply(config);
  auto first = engine.collect_all(std::nullopt);
  EXPECT_TRUE(first.all_up);
  EXPECT_EQ(route_count(sim, "/v7/usage/units/tests"), 1);
  auto second = engine.collect_all(std::nullopt);
  EXPECT_TRUE(second.all_up);
  EXPECT_EQ(route_count(sim, "/v7/usage"), 2);
  EXPECT_EQ(route_count(sim, "/v7/usage/units/tests"), 1) << "a closed group is not asked again";
}

TEST(ThousandEyes, OneUnreadableAccountGroupIsPartial) {
  InProcessSim sim;
  const auto out = collect_with(sim, kConfig + "account_group_ids = [\"1234\", \"4444\"]\n");
  EXPECT_TRUE(out.all_up);
  EXPECT_TRUE(contains(out.self_text, "http_403")) << out.self_text;
  EXPECT_TRUE(contains(out.vendor_text, "query_aid=\"1234\""));
  EXPECT_FALSE(
      contains(out.vendor_text, "cloud_units_used_total{target=\"acme\",query_aid=\"4444\""));
}

TEST(ThousandEyes, TheTokenNeverAppearsInOutputOrErrors) {
  const std::string wrong = "wrong-token-8f2c91d4";
  InProcessSim sim;
  std::string config = kConfig;
  config.replace(config.find("sim-thousandeyes-token"), 22, wrong);
  const auto bad = collect_with(sim, config);
  EXPECT_FALSE(bad.all_up);
  ASSERT_EQ(bad.status.size(), 1u);
  EXPECT_TRUE(contains(bad.status[0].last_error, "Invalid access token"));
  for (const auto* text : {&bad.vendor_text, &bad.self_text, &bad.status[0].last_error})
    EXPECT_FALSE(contains(*text, wrong));

  const auto good = collect_with(sim, kConfig);
  EXPECT_FALSE(contains(good.vendor_text, "sim-thousandeyes-token"));
  EXPECT_FALSE(contains(good.self_text, "sim-thousandeyes-token"));
  const auto parsed = parse_config(substitute(kConfig, sim.base()), "t.toml", builtin_vendors());
  EXPECT_FALSE(contains(parsed.summary(), "sim-thousandeyes-token"));
}

TEST(ThousandEyes, ConfigRejectsUnknownExpandValuesAndBadWindows) {
  auto parse = [](const std::string& extra) {
    return parse_config(substitute(kConfig + extra, "http://127.0.0.1:1"), "t.toml",
                        builtin_vendors());
  };
  EXPECT_NO_THROW(
      parse("expand = [\"test\"]\nunits_window = { start = \"2026-11-05T00:00:00Z\" }\n"));
  EXPECT_THROW(parse("expand = [\"tests\"]\n"), config::ConfigError);
  EXPECT_THROW(parse("units_window = { start = \"yesterday\" }\n"), config::ConfigError);
  EXPECT_THROW(parse("units_window = { start = \"2026-11-05T00:00:00Z\", "
                     "end = \"2026-11-01T00:00:00Z\" }\n"),
               config::ConfigError);
  EXPECT_THROW(parse("account_group_ids = [\"ops\"]\n"), config::ConfigError);
}

TEST(ThousandEyes, WindowIsSentToTheUnitsEndpoints) {
  InProcessSim sim;
  // The simulator answers 400 to a malformed window, so success shows the parameters passed.
  const auto out = collect_with(sim, kConfig +
                                         "units_window = { start = \"2026-11-05T00:00:00Z\", end = "
                                         "\"2026-11-20T00:00:00Z\" }\n");
  EXPECT_TRUE(out.all_up);
  EXPECT_FALSE(contains(out.self_text, "http_400")) << out.self_text;
  EXPECT_TRUE(contains(out.vendor_text, "thousandeyes_test_breakdown_cloud_units_used_total{"));
}

TEST(ThousandEyes, DecodesProblemJsonOAuthAndRawBodies) {
  using thousandeyes::decode_error;
  EXPECT_EQ(decode_error(403, R"({"type":"about:blank","title":"Insufficient permissions",
                                 "status":403,"detail":"No usage permission."})"),
            "Insufficient permissions: No usage permission.");
  EXPECT_EQ(
      decode_error(401, R"({"error":"invalid_token","error_description":"Invalid access token"})"),
      "invalid_token: Invalid access token");
  EXPECT_EQ(decode_error(502, "<html>Bad\nGateway</html>"), "<html>Bad Gateway</html>");
  EXPECT_EQ(decode_error(500, ""), "(empty body)");
  EXPECT_EQ(decode_error(400, R"({"errorMessage":"v6 style"})"), "v6 style");
}

TEST(ThousandEyes, NextCursorFollowsTheJavaSdkRules) {
  using thousandeyes::next_cursor;
  using Json = nlohmann::json;
  EXPECT_EQ(
      next_cursor(Json::parse(
          R"({"_links":{"next":{"href":"https://api.thousandeyes.com/v7/alerts?aid=1&cursor=WzAs%3D"}}})")),
      "WzAs=");
  EXPECT_EQ(next_cursor(Json::parse(R"({"_links":{"self":{"href":"x"}}})")), std::nullopt);
  EXPECT_EQ(next_cursor(Json::parse(R"({"_links":{"next":{}}})")), std::nullopt);
  EXPECT_EQ(next_cursor(Json::parse(R"({"_links":{"next":{"href":null}}})")), std::nullopt);
  EXPECT_EQ(next_cursor(Json::parse(R"({"_links":{"next":{"href":"https://h/v7/x?aid=1"}}})")),
            std::nullopt);
  EXPECT_EQ(next_cursor(Json::parse(R"({})")), std::nullopt);
  EXPECT_EQ(next_cursor(Json::parse(R"({"_links":null})")), std::nullopt);
}

}  // namespace
}  // namespace fue::test
