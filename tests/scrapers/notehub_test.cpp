// Notehub specifics the golden cases cannot show: what reaches the simulator on the wire, how many
// calls one collection costs, the per-device cap, and that the PAT never leaks.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <set>

#include "scrapers/notehub/notehub_errors.h"
#include "scrapers/notehub/notehub_scraper_query.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

constexpr const char* kProject = "app:2606f411-dea6-44a0-9743-1130f57d77d8";

std::string config(const std::string& extra) {
  return std::string("[[notehub]]\nname = \"t\"\nbase_url = \"{{SIM}}/notehub\"\n") +
         "token = \"sim-notehub-pat\"\nprojects = [\"" + kProject + "\"]\n" + extra;
}

std::map<std::string, sim::VendorKnobs> fleet(int size) {
  sim::VendorKnobs k;
  k.fleet_size = size;
  return {{"notehub", k}};
}

// Device UIDs the simulator generated, read the way a client would.
std::vector<std::string> device_uids(InProcessSim& sim) {
  httplib::Client c("127.0.0.1", sim.port());
  c.set_read_timeout(60, 0);  // an instrumented simulator can be slow
  httplib::Headers h = {{"Authorization", "Bearer sim-notehub-pat"}};
  auto res = c.Get(std::string("/notehub/v1/projects/") + kProject + "/devices?pageSize=100", h);
  std::vector<std::string> out;
  if (!res || res->status != 200) {
    ADD_FAILURE() << "listing the simulator's devices failed";
    return out;
  }
  // Keep the parsed body alive: looping over parse(...)["devices"] would dangle.
  const auto body = nlohmann::json::parse(res->body);
  for (const auto& d : body["devices"]) out.push_back(d["uid"]);
  return out;
}

std::set<std::string> label_values(const std::string& text, const std::string& family,
                                   const std::string& label) {
  std::set<std::string> out;
  const std::regex re("^" + family + "\\{[^}]*" + label + "=\"([^\"]*)\"");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, re)) out.insert(m[1]);
  }
  return out;
}

TEST(Notehub, RepeatedDeviceUidFilterReachesTheSimulator) {
  InProcessSim sim(fleet(12));
  const auto uids = device_uids(sim);
  ASSERT_EQ(uids.size(), 12u);
  // Devices 0 and 1 are active; a comma-joined list would match neither and give no series.
  const auto out = collect_with(sim, config("metric_groups = [\"events\"]\ndevice_uids = [\"" +
                                            uids[0] + "\", \"" + uids[1] + "\"]\n"));
  ASSERT_TRUE(out.all_up) << out.status[0].last_error;
  EXPECT_EQ(label_values(out.vendor_text, "notehub_device_events_total", "device"),
            (std::set<std::string>{uids[0], uids[1]}));
  EXPECT_NE(out.vendor_text.find("notehub_usage_devices{target=\"t\",project=\"" +
                                 std::string(kProject) + "\",endpoint=\"events\"} 2"),
            std::string::npos)
      << out.vendor_text;
}

TEST(Notehub, UsageQueryRepeatsListKeys) {
  notehub::Settings s;
  s.device_uids = {"dev:1", "dev:2"};
  s.fleet_uids = {"fleet:a"};
  s.skip_recent_data = true;
  const auto q = notehub::usage_query(s, "data", 1763251200);
  int device_keys = 0;
  for (const auto& [k, v] : q) {
    device_keys += k == "deviceUID";
    EXPECT_NE(k, "skipRecentData") << "usage/data does not take skipRecentData";
  }
  EXPECT_EQ(device_keys, 2);
  // 2025-11-16T00:00:00Z is a Sunday: the ISO week began on Monday 2025-11-10.
  EXPECT_EQ(notehub::period_start("week", 1763251200 + 3600), 1762732800);
  EXPECT_EQ(notehub::period_start("month", 1763251200), 1761955200);
}

TEST(Notehub, OneCollectionCostsThreeUsageCallsPlusFleetsPlusDevicePages) {
  InProcessSim sim(fleet(25));
  const auto out = collect_with(sim, config("device_page_size = 10\n"));
  ASSERT_TRUE(out.all_up) << out.status[0].last_error;
  // data + events + sessions + fleets + ceil(25 / 10) device pages.
  EXPECT_EQ(sim.requests("notehub"), 3 + 1 + 3);
}

TEST(Notehub, DevicesBeyondTheCapAreCountedAsDropped) {
  InProcessSim sim(fleet(12));
  const auto out = collect_with(sim, config("max_resources = 3\nmetric_groups = [\"events\"]\n"));
  ASSERT_TRUE(out.all_up) << out.status[0].last_error;
  // The simulator's active devices (8 of 12) each add events + billable events series.
  EXPECT_EQ(label_values(out.vendor_text, "notehub_device_events_total", "device").size(), 3u);
  EXPECT_TRUE(std::regex_search(
      out.self_text,
      std::regex("fleet_usage_exporter_dropped_series_total\\{[^}]*target=\"t\"[^}]*\\} 10\\b")))
      << out.self_text;
}

TEST(Notehub, PerResourceSeriesOffGivesTotalsOnly) {
  InProcessSim sim(fleet(12));
  const auto out = collect_with(sim, config("per_resource_series = false\n"));
  ASSERT_TRUE(out.all_up);
  EXPECT_EQ(out.vendor_text.find("notehub_device_"), std::string::npos);
  EXPECT_NE(out.vendor_text.find("notehub_events_total{"), std::string::npos);
}

TEST(Notehub, LimitHitShowsAsTruncated) {
  InProcessSim sim(fleet(12));
  const auto out = collect_with(sim, config("limit = 2\nmetric_groups = [\"sessions\"]\n"));
  ASSERT_TRUE(out.all_up);
  EXPECT_NE(out.vendor_text.find("notehub_usage_truncated{target=\"t\",project=\"" +
                                 std::string(kProject) + "\",endpoint=\"sessions\"} 1"),
            std::string::npos)
      << out.vendor_text;
}

TEST(Notehub, TokenNeverAppearsInOutputOrErrors) {
  InProcessSim sim(fleet(5));
  const auto good = collect_with(sim, config(""));
  ASSERT_TRUE(good.all_up);
  for (const auto* text : {&good.vendor_text, &good.self_text})
    EXPECT_EQ(text->find("sim-notehub-pat"), std::string::npos);
  const std::string wrong = "wrong-pat-0123456789";
  auto bad_config = config("");
  bad_config.replace(bad_config.find("sim-notehub-pat"), 15, wrong);
  const auto bad = collect_with(sim, bad_config);
  ASSERT_FALSE(bad.all_up);
  EXPECT_NE(bad.status[0].last_error.find("HTTP 401: Unauthorized"), std::string::npos)
      << bad.status[0].last_error;
  for (const auto& text : {bad.vendor_text, bad.self_text, bad.status[0].last_error})
    EXPECT_EQ(text.find(wrong), std::string::npos);
}

TEST(Notehub, ErrorBodyBecomesOneLineReason) {
  EXPECT_EQ(notehub::decode_error(
                401, R"({"err":"authentication failed","code":401,"status":"Unauthorized"})"),
            "Unauthorized: authentication failed");
  EXPECT_EQ(notehub::decode_error(401, R"({"error":"invalid_client","error_description":"no"})"),
            "invalid_client: no");
  EXPECT_EQ(notehub::decode_error(502, "<html>bad gateway</html>"), "<html>bad gateway</html>");
  EXPECT_EQ(notehub::decode_error(500, ""), "(empty body)");
}

TEST(Notehub, SimulatorRequiresPeriodAndKnowsMissingProjects) {
  InProcessSim sim(fleet(3));
  httplib::Client c("127.0.0.1", sim.port());
  httplib::Headers h = {{"Authorization", "Bearer sim-notehub-pat"}};
  auto res = c.Get(std::string("/notehub/v1/projects/") + kProject + "/usage/events", h);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(nlohmann::json::parse(res->body)["status"], "Bad Request");
  res = c.Get("/notehub/v1/projects/app:00000000-0000-0000-0000-000000000000/fleets", h);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(nlohmann::json::parse(res->body)["code"], 404);
}

TEST(Notehub, BrokenBodyFailsOnlyThisTargetWithAReason) {
  InProcessSim sim(fleet(3));
  sim::Fault f;
  f.vendor = "notehub";
  f.path_prefix = std::string("/v1/projects/") + kProject + "/usage/sessions";
  f.status = 200;
  f.body = R"({"sessions": [{"sessions": 3}], "truncated": false})";  // no period
  sim.add_fault(f);
  const auto out = collect_with(sim, config(""));
  ASSERT_FALSE(out.all_up);
  EXPECT_NE(out.status[0].last_error.find("period"), std::string::npos) << out.status[0].last_error;
}

}  // namespace
}  // namespace fue::test
