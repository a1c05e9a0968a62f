// KooPhone end to end against the simulator: request counts, token reuse and refresh, concurrent
// paging, and secrets kept out of every output.
#include <gtest/gtest.h>

#include "exporter/config/config.h"
#include "exporter/metrics/serializer.h"
#include "scrapers/koophone/koophone_errors.h"
#include "scrapers/koophone/koophone_settings.h"
#include "scrapers/registry.h"
#include "tests/support/harness.h"

namespace sim {
// Test hooks defined in tests/vendor-sim/koophone.cpp.
void koophone_set_rendezvous(int requests);
int koophone_peak_in_flight();
void koophone_expire_tokens_after(int requests);
}  // namespace sim

namespace fue::test {
namespace {

constexpr const char* kRoutePages = "GET /koophone/v1/instances/batch-query";
constexpr const char* kRouteIam = "POST /koophone/v3/auth/tokens";

std::string config(const std::string& extra = "") {
  return R"([[koophone]]
name = "phones"
base_url = "{{SIM}}/koophone"
iam_url = "{{SIM}}/koophone"
username = "sim-user"
password = "sim-huawei-password"
domain = "sim-domain"
)" + extra;
}

using Exporter = TestExporter;

TEST(Koophone, OneTokenExchangeThenOneRequestPerPageAndTheTokenIsReused) {
  InProcessSim sim({{"koophone", fleet_knobs(250)}});
  Exporter exporter(sim, config("page_size = 200\nper_resource_series = false\n"));
  ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  // The server caps page_size at 100 and echoes it: ceil(250 / 100) pages.
  EXPECT_EQ(sim.route_requests(kRouteIam), 1);
  EXPECT_EQ(sim.route_requests(kRoutePages), 3);
  auto second = exporter.collect();
  ASSERT_TRUE(second.all_up) << exporter.last_error();
  EXPECT_EQ(sim.route_requests(kRouteIam), 1) << "the cached token must be reused";
  EXPECT_EQ(sim.route_requests(kRoutePages), 6);
  std::string text;
  serialize_text(second.metrics, text);
  EXPECT_NE(text.find("koophone_instances{target=\"phones\"} 250"), std::string::npos) << text;
}

TEST(Koophone, RemainingPagesAreFetchedConcurrently) {
  InProcessSim sim({{"koophone", fleet_knobs(500)}});
  sim::koophone_set_rendezvous(2);
  Exporter exporter(sim, config("concurrency = 4\nper_resource_series = false\n"));
  const bool up = exporter.collect().all_up;
  const int peak = sim::koophone_peak_in_flight();
  sim::koophone_set_rendezvous(0);
  ASSERT_TRUE(up) << exporter.last_error();
  EXPECT_GE(peak, 2) << "pages 2..5 should be in flight together";
  EXPECT_EQ(sim.route_requests(kRoutePages), 5);
}

TEST(Koophone, TokenExpiringMidRunIsRefreshedOnceAndThePageRetried) {
  InProcessSim sim({{"koophone", fleet_knobs(500)}});
  Exporter exporter(sim, config("concurrency = 1\nper_resource_series = false\n"));
  sim::koophone_expire_tokens_after(2);  // pages 1 and 2 pass, page 3 meets an expired token
  auto result = exporter.collect();
  sim::koophone_expire_tokens_after(-1);
  ASSERT_TRUE(result.all_up) << exporter.last_error();
  EXPECT_EQ(sim.route_requests(kRouteIam), 2);
  EXPECT_EQ(sim.route_requests(kRoutePages), 6);  // 5 pages + 1 retry
  std::string text;
  serialize_text(result.metrics, text);
  EXPECT_NE(text.find("koophone_instances{target=\"phones\"} 500"), std::string::npos);
}

TEST(Koophone, A401OnACachedTokenRefreshesOnceAndRetries) {
  InProcessSim sim({{"koophone", fleet_knobs(30)}});
  Exporter exporter(sim, config());
  ASSERT_TRUE(exporter.collect().all_up);
  sim::Fault f;
  f.vendor = "koophone";
  f.path_prefix = "/v1/instances/batch-query";
  f.times = 1;
  f.status = 401;  // the vendor's own APIG.0301 body
  sim.add_fault(f);
  ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  EXPECT_EQ(sim.route_requests(kRouteIam), 2);
  EXPECT_EQ(sim.route_requests(kRoutePages), 3);
}

TEST(Koophone, A401AfterRefreshFailsTheTargetWithTheGatewayReason) {
  InProcessSim sim({{"koophone", fleet_knobs(30)}});
  Exporter exporter(sim, config());
  sim::Fault f;
  f.vendor = "koophone";
  f.path_prefix = "/v1/instances/batch-query";
  f.status = 401;
  sim.add_fault(f);
  EXPECT_FALSE(exporter.collect().all_up);
  EXPECT_NE(exporter.last_error().find("APIG.0301"), std::string::npos) << exporter.last_error();
  EXPECT_EQ(sim.route_requests(kRouteIam), 2) << "exactly one refresh, no loop";
}

TEST(Koophone, SecretsNeverAppearInOutputs) {
  InProcessSim sim({{"koophone", fleet_knobs(10)}});
  Exporter good(sim, config());
  auto ok = good.collect();
  ASSERT_TRUE(ok.all_up);
  Exporter bad(sim, R"([[koophone]]
name = "phones"
base_url = "{{SIM}}/koophone"
iam_url = "{{SIM}}/koophone"
username = "sim-user"
password = "not-the-right-password"
domain = "sim-domain"
)");
  EXPECT_FALSE(bad.collect().all_up);
  std::string text, self_text;
  serialize_text(ok.metrics, text);
  serialize_text(good.self->collect(), self_text);
  const std::string everything = text + self_text + bad.last_error() +
                                 good.engine.config()->summary() + bad.engine.config()->summary();
  EXPECT_EQ(everything.find("sim-huawei-password"), std::string::npos);
  EXPECT_EQ(everything.find("not-the-right-password"), std::string::npos);
  EXPECT_EQ(everything.find("MIIsim-koophone-"), std::string::npos) << "an issued token leaked";
  EXPECT_NE(bad.last_error().find("401"), std::string::npos) << bad.last_error();
}

TEST(Koophone, ExactlyOneAuthMethodIsRequired) {
  const std::string both = config("token = \"abc-token\"\n");
  EXPECT_THROW(parse_config(both, "t.toml", builtin_vendors()), config::ConfigError);
  const std::string none = "[[koophone]]\nname = \"x\"\n";
  EXPECT_THROW(parse_config(none, "t.toml", builtin_vendors()), config::ConfigError);
  EXPECT_THROW(parse_config(config("time_zone_offset = \"Mars\"\n"), "t.toml", builtin_vendors()),
               config::ConfigError);
}

TEST(Koophone, ErrorBodiesBecomeClearReasons) {
  EXPECT_EQ(koophone::decode_error(400, R"({"error_code":"KOOPHONE.API.1004","error_msg":"x"})"),
            "400 KOOPHONE.API.1004 (the KooPhone service is not subscribed): x");
  EXPECT_NE(koophone::decode_error(400, R"({"error_code":"KOOPHONE.API.4242","error_msg":""})")
                .find("KOOPHONE.API.4242 (unrecognised"),
            std::string::npos);
  EXPECT_EQ(koophone::decode_error(
                401, R"({"error":{"code":401,"title":"Unauthorized","message":"wrong"}})"),
            "401 Unauthorized: wrong");
  EXPECT_EQ(koophone::decode_error(502, "<html>bad gateway</html>"),
            "502: <html>bad gateway</html>");
}

TEST(Koophone, UtcOffsets) {
  int s = -1;
  EXPECT_TRUE(koophone::parse_utc_offset("+08:00", s));
  EXPECT_EQ(s, 8 * 3600);
  EXPECT_TRUE(koophone::parse_utc_offset("-0530", s));
  EXPECT_EQ(s, -(5 * 3600 + 30 * 60));
  EXPECT_TRUE(koophone::parse_utc_offset("UTC", s));
  EXPECT_EQ(s, 0);
  EXPECT_FALSE(koophone::parse_utc_offset("+8:0", s));
  EXPECT_FALSE(koophone::parse_utc_offset("08:00", s));
}

}  // namespace
}  // namespace fue::test
