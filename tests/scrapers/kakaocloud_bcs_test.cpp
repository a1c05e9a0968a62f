// KakaoCloud BCS end to end against the simulator: request counts, token reuse and refresh,
// error decoding, and secrets kept out of every output.
#include <gtest/gtest.h>

#include "exporter/config/config.h"
#include "exporter/metrics/serializer.h"
#include "scrapers/kakaocloud_bcs/bcs_errors.h"
#include "scrapers/registry.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

constexpr const char* kRoutePages = "GET /kakaocloud_bcs/api/v1/instances";
constexpr const char* kRouteIam = "POST /kakaocloud_bcs/identity/v3/auth/tokens";

std::string config(const std::string& extra = "") {
  return R"([[kakaocloud_bcs]]
name = "vms"
base_url = "{{SIM}}/kakaocloud_bcs"
iam_url = "{{SIM}}/kakaocloud_bcs"
application_credential_id = "sim-kakao-id"
application_credential_secret = "sim-kakao-secret"
)" + extra;
}

using Exporter = TestExporter;

std::string text_of(const Engine::Result& r) {
  std::string text;
  serialize_text(r.metrics, text);
  return text;
}

TEST(KakaoCloudBcs, OneTokenExchangeThenOneRequestPerPageAndTheTokenIsReused) {
  InProcessSim sim({{"kakaocloud_bcs", fleet_knobs(2501)}});
  Exporter exporter(sim, config("per_resource_series = false\n"));
  auto first = exporter.collect();
  ASSERT_TRUE(first.all_up) << exporter.last_error();
  // Default page size 1000: offsets 0, 1000 and 2000 (a last page of one item).
  EXPECT_EQ(sim.route_requests(kRouteIam), 1);
  EXPECT_EQ(sim.route_requests(kRoutePages), 3);
  EXPECT_NE(text_of(first).find("kakaocloud_bcs_instances{target=\"vms\"} 2501"),
            std::string::npos);
  ASSERT_TRUE(exporter.collect().all_up);
  EXPECT_EQ(sim.route_requests(kRouteIam), 1) << "the cached token must be reused";
  EXPECT_EQ(sim.route_requests(kRoutePages), 6);
}

TEST(KakaoCloudBcs, PerVmSeriesAreCapped) {
  InProcessSim sim({{"kakaocloud_bcs", fleet_knobs(40)}});
  Exporter exporter(sim, config("page_size = 7\nmax_resources = 5\n"));
  auto r = exporter.collect();
  ASSERT_TRUE(r.all_up) << exporter.last_error();
  const std::string text = text_of(r);

  size_t infos = 0;
  for (size_t p = text.find("kakaocloud_bcs_instance_info{"); p != std::string::npos;
       p = text.find("kakaocloud_bcs_instance_info{", p + 1))
    ++infos;
  EXPECT_EQ(infos, 5u);
  EXPECT_NE(text.find("kakaocloud_bcs_instances{target=\"vms\"} 40"), std::string::npos);
  EXPECT_EQ(sim.route_requests(kRoutePages), 6);  // ceil(40 / 7)
}

TEST(KakaoCloudBcs, A401OnACachedTokenRefreshesOnceAndRetries) {
  InProcessSim sim({{"kakaocloud_bcs", fleet_knobs(30)}});
  Exporter exporter(sim, config());
  ASSERT_TRUE(exporter.collect().all_up);
  sim::Fault f;
  f.vendor = "kakaocloud_bcs";
  f.path_prefix = "/api/v1/instances";
  f.times = 1;
  f.status = 401;  // the vendor's ErrorResponseModel body
  sim.add_fault(f);
  ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  EXPECT_EQ(sim.route_requests(kRouteIam), 2);
  EXPECT_EQ(sim.route_requests(kRoutePages), 3);
}

TEST(KakaoCloudBcs, SecretsNeverAppearInOutputs) {
  InProcessSim sim({{"kakaocloud_bcs", fleet_knobs(10)}});
  Exporter good(sim, config());
  auto ok = good.collect();
  ASSERT_TRUE(ok.all_up);
  Exporter bad(sim, R"([[kakaocloud_bcs]]
name = "vms"
base_url = "{{SIM}}/kakaocloud_bcs"
iam_url = "{{SIM}}/kakaocloud_bcs"
application_credential_id = "sim-kakao-id"
application_credential_secret = "not-the-right-secret"
)");
  EXPECT_FALSE(bad.collect().all_up);
  std::string self_text;
  serialize_text(good.self->collect(), self_text);
  const std::string everything = text_of(ok) + self_text + bad.last_error() +
                                 good.engine.config()->summary() + bad.engine.config()->summary();
  EXPECT_EQ(everything.find("sim-kakao-secret"), std::string::npos);
  EXPECT_EQ(everything.find("not-the-right-secret"), std::string::npos);
  EXPECT_EQ(everything.find("gAAAAsim-kakao-"), std::string::npos) << "an issued token leaked";
  EXPECT_NE(bad.last_error().find("401"), std::string::npos) << bad.last_error();
}

TEST(KakaoCloudBcs, CredentialOrTokenIsRequired) {
  EXPECT_THROW(parse_config(config("token = \"abc-token\"\n"), "t.toml", builtin_vendors()),
               config::ConfigError);
  EXPECT_THROW(parse_config("[[kakaocloud_bcs]]\nname = \"x\"\napplication_credential_id = \"i\"\n",
                            "t.toml", builtin_vendors()),
               config::ConfigError);
  EXPECT_THROW(parse_config(config("instance_type = \"tpu\"\n"), "t.toml", builtin_vendors()),
               config::ConfigError);
}

TEST(KakaoCloudBcs, ErrorBodiesBecomeClearReasons) {
  EXPECT_EQ(kakaocloud_bcs::decode_error(404, R"({"error":{"code":"NotFound","message":"gone"}})"),
            "404 NotFound: gone");
  EXPECT_EQ(kakaocloud_bcs::decode_error(
                422, R"({"detail":[{"loc":["query","limit"],"msg":"not an int","type":"t"}]})"),
            "422 validation error: query.limit: not an int");
  EXPECT_EQ(kakaocloud_bcs::decode_error(
                401, R"({"error":{"code":401,"title":"Unauthorized","message":"no"}})"),
            "401 Unauthorized: no");
  EXPECT_EQ(kakaocloud_bcs::decode_error(500, ""), "500");
}

}  // namespace
}  // namespace fue::test
