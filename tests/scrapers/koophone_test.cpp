// KooPhone end to end against the simulator: request counts, token reuse and refresh, concurrent
// paging, and secrets kept out of every output.
#include <gtest/gtest.h>

#include <array>

#include "exporter/config/config.h"
#include "exporter/core/errors.h"
#include "exporter/metrics/serializer.h"
#include "scrapers/koophone/koophone_errors.h"
#include "scrapers/koophone/koophone_metrics.h"
#include "scrapers/koophone/koophone_parse.h"
#include "scrapers/koophone/koophone_settings.h"
#include "scrapers/registry.h"
#include "tests/support/exposition.h"
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

TEST(Koophone, PagesGetTheirFullConcurrencyWhateverTheTargetLimit) {
  // The targets' pool has one thread, which this collection holds; its page helpers come from
  // the engine's page pool, so all 8 are in flight together (they once shared the one thread).
  InProcessSim sim({{"koophone", fleet_knobs(1000)}});
  sim::koophone_set_rendezvous(8);
  Exporter exporter(sim, "[global]\nmax_concurrent_targets = 1\n" +
                             config("concurrency = 8\nper_resource_series = false\n"));
  const bool up = exporter.collect().all_up;
  const int peak = sim::koophone_peak_in_flight();
  sim::koophone_set_rendezvous(0);
  ASSERT_TRUE(up) << exporter.last_error();
  EXPECT_GE(peak, 8) << "pages 2..10 should be in flight 8 at a time";
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
            "KOOPHONE.API.1004 (the KooPhone service is not subscribed): x");
  EXPECT_NE(koophone::decode_error(400, R"({"error_code":"KOOPHONE.API.4242","error_msg":""})")
                .find("KOOPHONE.API.4242 (unrecognised"),
            std::string::npos);
  EXPECT_EQ(koophone::decode_error(
                401, R"({"error":{"code":401,"title":"Unauthorized","message":"wrong"}})"),
            "Unauthorized: wrong");
  EXPECT_EQ(koophone::decode_error(502, "<html>bad gateway</html>"), "<html>bad gateway</html>");
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

// KooPhone's own metric rules, each named, so that a broken rule fails here and not only in a
// golden file: which JSON field feeds which dimension, which code maps to which label, which
// time is the latest. Codes are those of the batch-query field table (vendor-apis API.md).
koophone::Phone phone(std::string id, int running, int frozen, int login, int assign) {
  koophone::Phone p;
  p.instance_id = std::move(id);
  p.running_status = running;
  p.frozen_status = frozen;
  p.login_status = login;
  p.assign_status = assign;
  return p;
}

TEST(KoophoneRules, EachFieldOfARowIsReadIntoItsOwnPlace) {
  // Three phones whose codes differ per field, so that reading one field for another shows.
  const auto body = nlohmann::json::parse(R"({"error_code": "0", "error_msg": "",
    "total_count": 3, "page_size": 100, "page_no": 1, "result": [
    {"instance_id": "a", "instance_name": "phone-a", "region": "cn-south-1",
     "instance_sku": "Pro", "project_id": "p1", "project_name": "proj",
     "running_status": 4, "frozen_status": 1, "login_status": 0, "assign_status": 1,
     "backup_status": 2, "backup_time": "2024-05-01 08:00:00",
     "restore_status": 3, "restore_time": "2024-05-02 10:00:00"},
    {"instance_id": "b", "running_status": 1, "frozen_status": 0, "login_status": 1,
     "assign_status": 0, "backup_status": 0, "restore_status": 1},
    {"instance_id": "c", "running_status": 5, "frozen_status": 0, "login_status": 1,
     "assign_status": 1, "backup_status": 4, "restore_status": 4, "backup_time": "null"}]})");
  const auto page = koophone::parse_page(body.dump(), 8 * 3600);  // times read at UTC+8
  ASSERT_EQ(page.phones.size(), 3u);
  EXPECT_EQ(page.total_count, 3);
  EXPECT_EQ(page.page_size, 100);
  EXPECT_EQ(page.page_no, 1);
  const auto& a = page.phones[0];
  EXPECT_EQ(a.instance_id, "a");
  EXPECT_EQ(a.instance_name, "phone-a");
  EXPECT_EQ(a.region, "cn-south-1");
  EXPECT_EQ(a.sku, "Pro");
  EXPECT_EQ(a.project_id, "p1");
  EXPECT_EQ(a.project_name, "proj");
  std::vector<std::array<int, 6>> codes;
  for (const auto& p : page.phones)
    codes.push_back({p.running_status, p.frozen_status, p.login_status, p.assign_status,
                     p.backup_status, p.restore_status});
  EXPECT_EQ(codes, (std::vector<std::array<int, 6>>{
                       {4, 1, 0, 1, 2, 3}, {1, 0, 1, 0, 0, 1}, {5, 0, 1, 1, 4, 4}}));
  EXPECT_EQ(a.backup_time, 1714521600.0);   // 2024-05-01 00:00:00 UTC
  EXPECT_EQ(a.restore_time, 1714615200.0);  // 2024-05-02 02:00:00 UTC
  EXPECT_EQ(page.phones[2].backup_time, std::nullopt) << "the vendor's literal \"null\"";
}

TEST(KoophoneRules, AnOddCodeIsUnknownAndAnErrorCodeFailsThePage) {
  const auto page = koophone::parse_page(R"({"result": [{"running_status": null,
        "frozen_status": -1, "assign_status": 1000}]})",
                                         0);
  ASSERT_EQ(page.phones.size(), 1u);
  EXPECT_EQ(page.phones[0].running_status, -1);
  EXPECT_EQ(page.phones[0].frozen_status, -1);
  EXPECT_EQ(page.phones[0].login_status, -1);
  EXPECT_EQ(page.phones[0].assign_status, -1);
  try {
    koophone::parse_page(R"({"error_code": "KOOPHONE.API.1004"})", 0);
    ADD_FAILURE() << "a non-zero error_code must fail the page";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "vendor_error");
  }
}

TEST(KoophoneRules, RunningStatusCodesMapToTheirDocumentedNames) {
  const std::vector<std::string> names = {"unknown",  "stopped",   "running", "going_offline",
                                          "starting", "shut_down", "unknown", "unknown"};
  for (int code = 0; code < 6; ++code)
    EXPECT_EQ(koophone::running_status_name(code), names[code]) << code;
  EXPECT_EQ(koophone::running_status_name(6), "unknown");
  EXPECT_EQ(koophone::running_status_name(-1), "unknown");
}

TEST(KoophoneRules, TheFleetIsCountedByEachDimensionWithEveryStateSeeded) {
  std::vector<koophone::Phone> phones = {phone("a", 2, 1, 0, 1), phone("b", 2, 0, 1, 0),
                                         phone("c", 5, 0, 1, 1), phone("d", -1, 9, -1, 1)};
  phones[0].region = "cn-south-1";
  phones[1].region = "cn-south-1";
  phones[2].region = "ap-southeast-1";
  phones[0].sku = "Pro  |\t8 vCPUs";
  MetricSet set;
  koophone::emit_fleet(phones, set);
  const std::string text = test::text_of(set);
  auto count = [&](const std::string& family, const std::string& label, const std::string& v) {
    return test::sample_value(text,
                              "koophone_instances_by_" + family + "{" + label + "=\"" + v + "\"}");
  };
  EXPECT_EQ(test::sample_value(text, "koophone_instances"), 4) << text;
  EXPECT_EQ(count("running_status", "running_status", "running"), 2);
  EXPECT_EQ(count("running_status", "running_status", "shut_down"), 1);
  EXPECT_EQ(count("running_status", "running_status", "unknown"), 1);
  EXPECT_EQ(count("running_status", "running_status", "stopped"), 0) << "seeded at 0";
  EXPECT_EQ(count("frozen_status", "frozen_status", "frozen"), 1);
  EXPECT_EQ(count("frozen_status", "frozen_status", "normal"), 2);
  EXPECT_EQ(count("frozen_status", "frozen_status", "unknown"), 1);
  EXPECT_EQ(count("login_status", "login_status", "logged_in"), 2);
  EXPECT_EQ(count("login_status", "login_status", "not_logged_in"), 1);
  EXPECT_EQ(count("login_status", "login_status", "unknown"), 1);
  EXPECT_EQ(count("assign_status", "assign_status", "assigned"), 3);
  EXPECT_EQ(count("assign_status", "assign_status", "unassigned"), 1);
  EXPECT_EQ(count("region", "region", "cn-south-1"), 2);
  EXPECT_EQ(count("region", "region", "ap-southeast-1"), 1);
  EXPECT_EQ(count("region", "region", "unknown"), 1);
  EXPECT_EQ(count("sku", "sku", "Pro | 8 vCPUs"), 1);
  EXPECT_EQ(count("sku", "sku", "unknown"), 3);
  test::expect_promtool_ok(text);
}

TEST(KoophoneRules, BackupAndRestoreCountTheirOwnStatusAndReportTheLatestTime) {
  std::vector<koophone::Phone> phones(3);
  phones[0].backup_status = 2;
  phones[0].restore_status = 3;
  phones[0].backup_time = 200;
  phones[1].backup_status = 2;
  phones[1].restore_status = 0;
  phones[1].backup_time = 100;
  phones[1].restore_time = 50;
  phones[2].backup_status = 4;
  phones[2].restore_time = 40;
  MetricSet set;
  koophone::emit_backup(phones, set);
  const std::string text = test::text_of(set);
  EXPECT_EQ(
      test::sample_value(text, R"(koophone_instances_by_backup_status{backup_status="succeeded"})"),
      2)
      << text;
  EXPECT_EQ(
      test::sample_value(text, R"(koophone_instances_by_backup_status{backup_status="other"})"), 1);
  EXPECT_EQ(
      test::sample_value(text, R"(koophone_instances_by_backup_status{backup_status="failed"})"),
      0);
  EXPECT_EQ(
      test::sample_value(text, R"(koophone_instances_by_restore_status{restore_status="failed"})"),
      1);
  EXPECT_EQ(test::sample_value(
                text, R"(koophone_instances_by_restore_status{restore_status="preparing"})"),
            1);
  EXPECT_EQ(
      test::sample_value(text, R"(koophone_instances_by_restore_status{restore_status="unknown"})"),
      1);
  EXPECT_EQ(test::sample_value(text, "koophone_last_backup_timestamp_seconds"), 200);
  EXPECT_EQ(test::sample_value(text, "koophone_last_restore_timestamp_seconds"), 50);
}

TEST(KoophoneRules, PerPhoneSeriesAreAStateSetAndInfoUnderTheCap) {
  std::vector<koophone::Phone> phones = {phone("a", 3, 0, 0, 0), phone("", 2, 0, 0, 0),
                                         phone("b", 2, 0, 0, 0), phone("c", 1, 0, 0, 0)};
  phones[0].instance_name = "phone-a";
  phones[0].sku = "Pro\n";
  phones[0].project_id = "p";
  phones[0].project_name = "proj";
  phones[0].region = "r";
  phones[0].backup_time = 123;
  phones[0].restore_time = 456;
  MetricSet set;
  SeriesCap cap(true, 2);
  koophone::emit_per_phone(phones, true, set, cap);
  const std::string text = test::text_of(set);
  auto state = [&](const std::string& id, const std::string& s) {
    return test::sample_value(text, "koophone_instance_running_status{instance_id=\"" + id +
                                        "\",koophone_instance_running_status=\"" + s + "\"}");
  };
  EXPECT_EQ(state("a", "going_offline"), 1) << text;
  EXPECT_EQ(state("a", "running"), 0);
  EXPECT_EQ(state("a", "unknown"), 0);
  EXPECT_EQ(state("b", "running"), 1);
  EXPECT_EQ(state("c", "stopped"), std::nullopt)
      << "over the cap of 2; the id-less phone is skipped";
  EXPECT_EQ(
      test::sample_value(
          text,
          R"(koophone_instance_info{instance_id="a",instance_name="phone-a",sku="Pro",project_id="p",project_name="proj",region="r"})"),
      1);
  EXPECT_EQ(test::sample_value(
                text, R"(koophone_instance_last_backup_timestamp_seconds{instance_id="a"})"),
            123);
  EXPECT_EQ(test::sample_value(
                text, R"(koophone_instance_last_restore_timestamp_seconds{instance_id="a"})"),
            456);
  EXPECT_EQ(cap.dropped_series(), 7u) << "c: six states and its info";

  MetricSet without;
  SeriesCap uncapped(true, 10);
  koophone::emit_per_phone(phones, false, without, uncapped);
  EXPECT_EQ(test::text_of(without).find("koophone_instance_last_backup"), std::string::npos);
}

TEST(KoophoneRules, SkusAreCollapsedAndCutOnACharacterBoundary) {
  EXPECT_EQ(koophone::sanitize_sku("  Pro\t\tedition \n| 8 vCPUs  "), "Pro edition | 8 vCPUs");
  EXPECT_EQ(koophone::sanitize_sku(" \t\n"), "unknown");
  std::string chinese = "a";
  for (int i = 0; i < 60; ++i) chinese += "\xe4\xb8\xad";  // U+4E2D, three bytes
  const std::string cut = koophone::sanitize_sku(chinese);
  EXPECT_EQ(cut.size(), 118u) << "1 + 39 whole characters; the 40th would straddle byte 120";
  EXPECT_EQ(cut, chinese.substr(0, 118));
  EXPECT_EQ(koophone::sanitize_sku(std::string(130, 'x')), std::string(120, 'x'));
}

}  // namespace
}  // namespace fue::test
