#include "exporter/engine/self_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "build_info.h"
#include "exporter/metrics/serializer.h"
#include "tests/support/harness.h"

namespace fue {
namespace {

double value(const MetricSet& set, const std::string& name, const std::vector<std::string>& labels,
             SampleKind kind = SampleKind::kPlain) {
  const MetricFamily* f = set.find(name);
  if (!f) return NAN;
  for (const auto& s : f->samples()) {
    if (s.kind != kind) continue;
    auto v = f->values_of(s);
    if (std::vector<std::string>(v.begin(), v.end()) == labels) return s.value;
  }
  return NAN;
}

// The cumulative count of the bucket whose upper bound is `le` (compared as a number).
double bucket(const MetricSet& set, const std::string& name, const std::vector<std::string>& labels,
              double le) {
  const MetricFamily* f = set.find(name);
  if (!f) return NAN;
  for (const auto& s : f->samples()) {
    if (s.kind != SampleKind::kBucket) continue;
    auto v = f->values_of(s);
    const double bound = v.back() == "+Inf" ? INFINITY : std::stod(std::string(v.back()));
    v.pop_back();
    if (std::vector<std::string>(v.begin(), v.end()) == labels && bound == le) return s.value;
  }
  return NAN;
}

TEST(SelfMetricsTest, RegisteredTargetsStartAtZero) {
  SelfMetrics self;
  self.register_target("losant", "prod");
  auto set = self.collect();
  for (const char* name :
       {"fleet_usage_exporter_target_up", "fleet_usage_exporter_target_scrape_duration_seconds",
        "fleet_usage_exporter_target_last_success_timestamp_seconds",
        "fleet_usage_exporter_target_data_age_seconds",
        "fleet_usage_exporter_target_collections_total",
        "fleet_usage_exporter_target_cache_hits_total", "fleet_usage_exporter_api_retries_total",
        "fleet_usage_exporter_api_rate_limited_total",
        "fleet_usage_exporter_dropped_series_total"}) {
    EXPECT_EQ(value(set, name, {"losant", "prod"}), 0) << name;
  }
  for (const char* reason :
       {"timeout", "deadline_exceeded", "connect_error", "rate_limited", "bad_json", "internal"}) {
    EXPECT_EQ(
        value(set, "fleet_usage_exporter_target_scrape_errors_total", {"losant", "prod", reason}),
        0)
        << reason;
  }
  EXPECT_EQ(value(set, "fleet_usage_exporter_config_reloads_total", {"success"}), 0);
  EXPECT_EQ(value(set, "fleet_usage_exporter_config_reloads_total", {"failure"}), 0);
  const auto* info = set.find("fleet_usage_exporter_build_info");
  ASSERT_NE(info, nullptr);
  const auto labels = info->values_of(info->samples()[0]);
  EXPECT_EQ(value(set, "fleet_usage_exporter_build_info",
                  {build::kVersion, build::kRevision, build::kBranch, std::string(labels[3]),
                   build::kPlatform}),
            1);
  EXPECT_NE(std::string(build::kPlatform).find('/'), std::string::npos);  // linux/amd64
}

TEST(SelfMetricsTest, CollectionsSetUpAndCountErrorsByReason) {
  SelfMetrics self;
  self.register_target("notehub", "p");
  self.record_collection("notehub", "p", true, 0.25, "");
  auto set = self.collect();
  EXPECT_EQ(value(set, "fleet_usage_exporter_target_up", {"notehub", "p"}), 1);
  EXPECT_EQ(value(set, "fleet_usage_exporter_target_scrape_duration_seconds", {"notehub", "p"}),
            0.25);
  EXPECT_GT(
      value(set, "fleet_usage_exporter_target_last_success_timestamp_seconds", {"notehub", "p"}),
      1.6e9);
  self.record_collection("notehub", "p", false, 1.5, "http_401");
  set = self.collect();
  EXPECT_EQ(value(set, "fleet_usage_exporter_target_up", {"notehub", "p"}), 0);
  EXPECT_EQ(value(set, "fleet_usage_exporter_target_collections_total", {"notehub", "p"}), 2);
  EXPECT_EQ(
      value(set, "fleet_usage_exporter_target_scrape_errors_total", {"notehub", "p", "http_401"}),
      1);
  self.record_cache_hit("notehub", "p", 12.5);
  set = self.collect();
  EXPECT_EQ(value(set, "fleet_usage_exporter_target_cache_hits_total", {"notehub", "p"}), 1);
  EXPECT_EQ(value(set, "fleet_usage_exporter_target_data_age_seconds", {"notehub", "p"}), 12.5);
}

TEST(SelfMetricsTest, ObserverFeedsRequestCountersAndHistogram) {
  SelfMetrics self;
  self.register_target("thousandeyes", "acct");
  auto observer = self.observer("thousandeyes", "acct");
  observer->on_request("usage", "200", 0.3);
  observer->on_request("usage", "200", 0.02);
  observer->on_request("usage", "429", 0.01);
  observer->on_rate_limited();
  observer->on_retry();
  auto set = self.collect();
  EXPECT_EQ(value(set, "fleet_usage_exporter_api_requests_total",
                  {"thousandeyes", "acct", "usage", "200"}),
            2);
  EXPECT_EQ(value(set, "fleet_usage_exporter_api_requests_total",
                  {"thousandeyes", "acct", "usage", "429"}),
            1);
  const std::string h = "fleet_usage_exporter_api_request_duration_seconds";
  EXPECT_EQ(bucket(set, h, {"thousandeyes", "acct", "usage"}, 0.005), 0);
  EXPECT_EQ(bucket(set, h, {"thousandeyes", "acct", "usage"}, 0.025), 2);
  EXPECT_EQ(bucket(set, h, {"thousandeyes", "acct", "usage"}, 0.5), 3);
  EXPECT_EQ(bucket(set, h, {"thousandeyes", "acct", "usage"}, INFINITY), 3);
  EXPECT_EQ(value(set, h, {"thousandeyes", "acct", "usage"}, SampleKind::kCount), 3);
  EXPECT_NEAR(value(set, h, {"thousandeyes", "acct", "usage"}, SampleKind::kSum), 0.33, 1e-9);
  EXPECT_EQ(value(set, "fleet_usage_exporter_api_rate_limited_total", {"thousandeyes", "acct"}), 1);
  EXPECT_EQ(value(set, "fleet_usage_exporter_api_retries_total", {"thousandeyes", "acct"}), 1);
}

TEST(SelfMetricsTest, ForgottenTargetsDisappearAndLateEventsAreIgnored) {
  SelfMetrics self;
  self.register_target("koophone", "a");
  auto observer = self.observer("koophone", "a");
  self.forget_target("koophone", "a");
  observer->on_request("list", "200", 0.1);
  self.record_collection("koophone", "a", true, 0.1, "");
  auto set = self.collect();
  EXPECT_TRUE(std::isnan(value(set, "fleet_usage_exporter_target_up", {"koophone", "a"})));
  EXPECT_EQ(set.find("fleet_usage_exporter_api_requests_total")->size(), 0u);
}

TEST(SelfMetricsTest, ReloadsAndDuplicatesAreCounted) {
  SelfMetrics self;
  self.record_reload(true);
  self.record_reload(false);
  self.record_duplicates_removed(3);
  self.record_scrape_duration(0.75);
  auto set = self.collect();
  EXPECT_EQ(value(set, "fleet_usage_exporter_config_last_reload_successful", {}), 0);
  EXPECT_GT(value(set, "fleet_usage_exporter_config_last_reload_success_timestamp_seconds", {}),
            1.6e9);
  EXPECT_EQ(value(set, "fleet_usage_exporter_config_reloads_total", {"success"}), 1);
  EXPECT_EQ(value(set, "fleet_usage_exporter_config_reloads_total", {"failure"}), 1);
  EXPECT_EQ(value(set, "fleet_usage_exporter_duplicate_series_dropped_total", {}), 3);
  EXPECT_EQ(value(set, "fleet_usage_exporter_scrape_duration_seconds", {}), 0.75);
}

TEST(SelfMetricsTest, ExpositionPassesPromtool) {
  SelfMetrics self;
  self.register_target("losant", "prod");
  self.register_target("kakaocloud_bcs", "kr \"central\"");
  self.observer("losant", "prod")->on_request("usage", "200", 0.2);
  self.record_partial_error("losant", "prod", "instance_not_found");
  self.record_collection("kakaocloud_bcs", "kr \"central\"", false, 2, "http_503");
  self.record_reload(true);
  std::string text;
  serialize_text(self.collect(), text);
  test::expect_promtool_ok(text);
}

}  // namespace
}  // namespace fue
