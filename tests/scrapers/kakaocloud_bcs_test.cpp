// KakaoCloud BCS end to end against the simulator: request counts, token reuse and refresh,
// error decoding, and secrets kept out of every output.
#include <gtest/gtest.h>

#include "exporter/config/config.h"
#include "exporter/metrics/serializer.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_errors.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_metrics.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_parse.h"
#include "scrapers/registry.h"
#include "tests/support/exposition.h"
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
            "NotFound: gone");
  EXPECT_EQ(kakaocloud_bcs::decode_error(
                422, R"({"detail":[{"loc":["query","limit"],"msg":"not an int","type":"t"}]})"),
            "validation error: query.limit: not an int");
  EXPECT_EQ(kakaocloud_bcs::decode_error(
                401, R"({"error":{"code":401,"title":"Unauthorized","message":"no"}})"),
            "Unauthorized: no");
  EXPECT_EQ(kakaocloud_bcs::decode_error(500, ""), "(empty body)");
}

// BCS's own metric rules, each named, so that a broken rule fails here and not only in a golden
// file: which JSON field feeds which dimension, how states are spelled, which flags split them.
kakaocloud_bcs::Vm vm(std::string id, std::string state, std::string status,
                      std::optional<bool> hadoop = false, std::optional<bool> k8se = false) {
  kakaocloud_bcs::Vm v;
  v.id = std::move(id);
  v.vm_state = std::move(state);
  v.status = std::move(status);
  v.is_hadoop = hadoop;
  v.is_k8se = k8se;
  return v;
}

TEST(KakaoCloudBcsRules, EachFieldOfARowIsReadIntoItsOwnPlace) {
  const auto body = nlohmann::json::parse(R"({"instances": [
    {"id": "vm-1", "name": "web-01", "flavor": {"name": "m2a.large"}, "image": {"name": "Ubuntu"},
     "instance_type": "GPU", "availability_zone": "kr-central-2-b",
     "addresses": [{"private_ip": null}, {"private_ip": "10.0.0.7"}, {"private_ip": "10.0.0.8"}],
     "vm_state": "SHELVED_OFFLOADED", "status": "Stopped", "is_hadoop": true, "is_k8se": false,
     "created_at": "2024-05-01T00:00:00Z"},
    {"id": "vm-2", "flavor": null, "is_hadoop": "yes", "vm_state": null},
    "not an object"],
    "pagination": {"total": 40, "limit": 7}})");
  const auto page = kakaocloud_bcs::parse_page(body.dump());
  EXPECT_EQ(page.total, 40);
  EXPECT_EQ(page.limit, 7);
  EXPECT_EQ(page.rows, 3u);
  ASSERT_EQ(page.vms.size(), 2u);
  const auto& a = page.vms[0];
  EXPECT_EQ(a.id, "vm-1");
  EXPECT_EQ(a.name, "web-01");
  EXPECT_EQ(a.flavor, "m2a.large");
  EXPECT_EQ(a.image, "Ubuntu");
  EXPECT_EQ(a.instance_type, "gpu");
  EXPECT_EQ(a.availability_zone, "kr-central-2-b");
  EXPECT_EQ(a.private_ip, "10.0.0.7") << "the first interface that has one";
  EXPECT_EQ(a.vm_state, "shelved_offloaded");
  EXPECT_EQ(a.status, "stopped");
  EXPECT_EQ(a.is_hadoop, true);
  EXPECT_EQ(a.is_k8se, false);
  EXPECT_EQ(a.created, 1714521600.0);
  const auto& b = page.vms[1];
  EXPECT_EQ(b.flavor, "");
  EXPECT_EQ(b.is_hadoop, std::nullopt) << "an unusable kind reads as absent";
  EXPECT_EQ(b.is_k8se, std::nullopt);
  EXPECT_EQ(b.vm_state, "");
}

TEST(KakaoCloudBcsRules, TheFleetIsCountedByEachDimensionAndSplitByPlatformFlags) {
  std::vector<kakaocloud_bcs::Vm> vms = {vm("1", "active", "active"),
                                         vm("2", "active", "stopped", true, false),
                                         vm("3", "stopped", "stopped", false, true),
                                         vm("4", "rescued", "", std::nullopt, std::nullopt)};
  vms[0].flavor = "m2a.large";
  vms[1].flavor = "m2a.large";
  vms[0].instance_type = "vm";
  vms[1].instance_type = "bm";
  vms[2].instance_type = "gpu";
  vms[0].availability_zone = "kr-central-2-a";
  vms[1].availability_zone = "kr-central-2-c";
  MetricSet set;
  kakaocloud_bcs::emit_fleet(vms, set);
  const std::string text = test::text_of(set);
  auto count = [&](const std::string& dim, const std::string& v, const std::string& hadoop,
                   const std::string& k8se) {
    return test::sample_value(text, "kakaocloud_bcs_instances_by_" + dim + "{" + dim + "=\"" + v +
                                        "\",is_hadoop=\"" + hadoop + "\",is_k8se=\"" + k8se +
                                        "\"}");
  };
  EXPECT_EQ(test::sample_value(text, "kakaocloud_bcs_instances"), 4) << text;
  EXPECT_EQ(count("vm_state", "active", "false", "false"), 1) << text;
  EXPECT_EQ(count("vm_state", "active", "true", "false"), 1);
  EXPECT_EQ(count("vm_state", "stopped", "false", "true"), 1);
  EXPECT_EQ(count("vm_state", "rescued", "unknown", "unknown"), 1) << "kept as it comes";
  EXPECT_EQ(count("vm_state", "error", "false", "false"), 0) << "seeded at 0";
  EXPECT_EQ(count("vm_state", "shelved_offloaded", "false", "false"), 0);
  EXPECT_EQ(count("status", "active", "false", "false"), 1);
  EXPECT_EQ(count("status", "stopped", "true", "false"), 1);
  EXPECT_EQ(count("status", "stopped", "false", "true"), 1);
  EXPECT_EQ(count("status", "unknown", "unknown", "unknown"), 1);
  EXPECT_EQ(count("flavor", "m2a.large", "false", "false"), 1);
  EXPECT_EQ(count("flavor", "m2a.large", "true", "false"), 1);
  EXPECT_EQ(count("instance_type", "vm", "false", "false"), 1);
  EXPECT_EQ(count("instance_type", "bm", "true", "false"), 1);
  EXPECT_EQ(count("instance_type", "gpu", "false", "true"), 1);
  EXPECT_EQ(count("instance_type", "bm", "false", "false"), 0) << "seeded at 0";
  EXPECT_EQ(count("availability_zone", "kr-central-2-a", "false", "false"), 1);
  EXPECT_EQ(count("availability_zone", "kr-central-2-c", "true", "false"), 1);
  EXPECT_EQ(count("availability_zone", "kr-central-2-b", "false", "false"), 0);
  EXPECT_EQ(count("availability_zone", "unknown", "false", "true"), 1);
  test::expect_promtool_ok(text);
}

TEST(KakaoCloudBcsRules, PerVmSeriesAreAStateSetInfoAndCreationTimeUnderTheCap) {
  std::vector<kakaocloud_bcs::Vm> vms = {vm("a", "stopped", "stopped"), vm("", "active", ""),
                                         vm("b", "rescued", ""), vm("c", "active", "")};
  vms[0].name = "web";
  vms[0].flavor = "m2a.large";
  vms[0].image = "Ubuntu";
  vms[0].instance_type = "vm";
  vms[0].availability_zone = "kr-central-2-a";
  vms[0].private_ip = "10.0.0.7";
  vms[0].created = 1714521600;
  MetricSet set;
  SeriesCap cap(true, 2);
  kakaocloud_bcs::emit_per_vm(vms, set, cap);
  const std::string text = test::text_of(set);
  auto state = [&](const std::string& id, const std::string& s) {
    return test::sample_value(text, "kakaocloud_bcs_instance_vm_state{instance_id=\"" + id +
                                        "\",kakaocloud_bcs_instance_vm_state=\"" + s + "\"}");
  };
  EXPECT_EQ(state("a", "stopped"), 1) << text;
  EXPECT_EQ(state("a", "active"), 0);
  EXPECT_EQ(state("a", "error"), 0);
  EXPECT_EQ(state("b", "rescued"), 1) << "an undocumented state is its own sample";
  EXPECT_EQ(state("b", "active"), 0);
  EXPECT_EQ(state("c", "active"), std::nullopt) << "over the cap of 2; the id-less VM is skipped";
  EXPECT_EQ(cap.dropped_series(), 5u) << "c: four states and its info";
  EXPECT_EQ(
      test::sample_value(
          text,
          R"(kakaocloud_bcs_instance_info{instance_id="a",name="web",flavor="m2a.large",image="Ubuntu",instance_type="vm",availability_zone="kr-central-2-a",private_ip="10.0.0.7"})"),
      1);
  EXPECT_EQ(test::sample_value(
                text, R"(kakaocloud_bcs_instance_created_timestamp_seconds{instance_id="a"})"),
            1714521600);
  EXPECT_EQ(test::sample_value(
                text, R"(kakaocloud_bcs_instance_created_timestamp_seconds{instance_id="b"})"),
            std::nullopt);
}

}  // namespace
}  // namespace fue::test
