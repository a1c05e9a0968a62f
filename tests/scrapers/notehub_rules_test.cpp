// Notehub's own rules, each named: only the current (latest) bucket counts, which JSON field is
// summed into which sum (the legacy bytes_sent/bytes_received names included), and the data
// endpoint's device gauge summing device_count over transports.
#include <gtest/gtest.h>

#include "scrapers/notehub/notehub_metrics.h"
#include "scrapers/notehub/notehub_parse.h"
#include "tests/support/exposition.h"

namespace fue::test {
namespace {

using nlohmann::json;

TEST(NotehubRules, DataSumsTheLatestBucketOfEverySeriesByTransport) {
  notehub::ProjectUsage u;
  notehub::fold_data_usage(json::parse(R"({"data": [
    {"type": "cellular", "device": "dev:1", "device_count": 1, "data": [
      {"period": "2025-07-23T00:00:00Z", "total_bytes": 1000000, "uplink_bytes": 600000},
      {"period": "2025-07-24T00:00:00Z", "total_bytes": 300, "uplink_bytes": 200,
       "downlink_bytes": 100}]},
    {"type": "cellular", "device": "dev:2", "device_count": 1, "data": [
      {"period": "2025-07-24T00:00:00Z", "total_bytes": 50, "bytes_sent": 30,
       "bytes_received": 20}]},
    {"type": "satellite", "device": "dev:3", "device_count": 2, "data": [
      {"period": "2025-07-24T00:00:00Z", "total_bytes": 9, "billable_bytes_total": 8,
       "uplink_packets": 3, "downlink_packets": 1}]},
    {"type": "satellite", "device": "dev:4", "device_count": 5, "data": [
      {"period": "2025-07-23T00:00:00Z", "total_bytes": 777}]}],
    "truncated": true})"),
                           u);
  const auto& cell = u.project.data.at("cellular");
  EXPECT_EQ(cell.total_bytes.value, 350) << "the 2025-07-23 bucket is not the current one";
  EXPECT_EQ(cell.uplink_bytes.value, 230) << "uplink_bytes, or the legacy bytes_sent";
  EXPECT_EQ(cell.downlink_bytes.value, 120) << "downlink_bytes, or the legacy bytes_received";
  EXPECT_EQ(cell.devices.value, 2);
  const auto& sat = u.project.data.at("satellite");
  EXPECT_EQ(sat.total_bytes.value, 9);
  EXPECT_EQ(sat.billable_bytes.value, 8);
  EXPECT_EQ(sat.uplink_packets.value, 3);
  EXPECT_EQ(sat.downlink_packets.value, 1);
  EXPECT_EQ(sat.devices.value, 2) << "dev:4 has no bucket in the current period";
  EXPECT_EQ(u.devices.at("dev:1").data.at("cellular").total_bytes.value, 300);
  EXPECT_TRUE(u.truncated.at("data"));

  MetricSet set;
  SeriesCap cap(true, 100);
  notehub::emit_usage("app:p", u, false, cap, set);
  const std::string text = text_of(set);
  EXPECT_EQ(sample_value(text, R"(notehub_usage_devices{project="app:p",endpoint="data"})"), 4)
      << "device_count summed over the transports: " << text;
  EXPECT_EQ(sample_value(text, R"(notehub_data_bytes_total{project="app:p",transport="cellular"})"),
            350);
  EXPECT_EQ(sample_value(text, R"(notehub_usage_truncated{project="app:p",endpoint="data"})"), 1);
}

TEST(NotehubRules, EventsCountTheLatestBucketFieldByField) {
  notehub::ProjectUsage u;
  notehub::fold_events_usage(json::parse(R"({"data": [
    {"period": "2025-07-23T00:00:00Z", "device": "dev:1", "total_events": 42,
     "platform_events": 15, "billable_events": 27, "watchdog_events": 9, "total_devices": 1},
    {"period": "2025-07-24T00:00:00Z", "device": "dev:1", "total_events": 30,
     "platform_events": 10, "billable_events": 20, "watchdog_events": 2, "total_devices": 1,
     "total_reboots": 4, "total_fw_updates": null, "notefiles": {"sensors.qo": 20}}]})"),
                             u);
  ASSERT_TRUE(u.project.events);
  const auto& e = *u.project.events;
  EXPECT_EQ(e.total.value, 30);
  EXPECT_EQ(e.platform.value, 10);
  EXPECT_EQ(e.billable.value, 20);
  EXPECT_EQ(e.watchdog.value, 2);
  EXPECT_EQ(e.reboots.value, 4);
  EXPECT_EQ(e.fw_updates.value, std::nullopt) << "null is no figure, not zero";
  EXPECT_EQ(e.devices.value, 1);
  EXPECT_EQ(e.notefiles.at("sensors.qo"), 20);
}

TEST(NotehubRules, SessionsCountTheLatestBucketFieldByField) {
  notehub::ProjectUsage u;
  notehub::fold_sessions_usage(json::parse(R"({"sessions": [
    {"period": "2025-07-23T00:00:00Z", "sessions": 99, "total_bytes": 9999},
    {"period": "2025-07-24T00:00:00Z", "sessions": 12, "first_sync_sessions": 2,
     "tls_sessions": 11, "total_bytes": 4096, "total_devices": 3,
     "sessions_by_transport": {"cell": 10, "wifi": 2}}]})"),
                               u);
  ASSERT_TRUE(u.project.sessions);
  const auto& s = *u.project.sessions;
  EXPECT_EQ(s.sessions.value, 12);
  EXPECT_EQ(s.first_sync.value, 2);
  EXPECT_EQ(s.tls.value, 11);
  EXPECT_EQ(s.bytes.value, 4096);
  EXPECT_EQ(s.devices.value, 3);
  EXPECT_EQ(s.by_transport.at("wifi"), 2);
}

}  // namespace
}  // namespace fue::test
