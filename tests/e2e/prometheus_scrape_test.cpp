// A real Prometheus scrapes the real exporter serving the demo config against the real simulator:
// Prometheus itself must accept the exposition and see every target up.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

std::chrono::seconds patience(int seconds) {
  return std::chrono::seconds(static_cast<int>(std::lround(seconds * time_scale())));
}

TEST(PrometheusScrape, EveryDemoTargetIsUpInPrometheus) {
  SimProcess sim;
  std::string config = read_file(std::string(FUE_SOURCE_DIR) + "/config/demo.toml");
  config = std::regex_replace(config, std::regex("http://127\\.0\\.0\\.1:9099"), "{{SIM}}");
  ExporterProcess exporter(config, sim.base());

  // Instrumented binaries (scripts/sanitize) get a longer scrape timeout.
  const std::string every = std::to_string(static_cast<int>(std::lround(time_scale()))) + "s";
  PrometheusServer prometheus({.config_yaml = "global:\n"
                                              "  scrape_interval: " +
                                              every +
                                              "\n"
                                              "  scrape_timeout: " +
                                              every +
                                              "\n"
                                              "scrape_configs:\n"
                                              "  - job_name: fleet-usage-exporter\n"
                                              "    static_configs:\n"
                                              "      - targets: ['127.0.0.1:" +
                                              std::to_string(exporter.port()) + "']\n"});

  ASSERT_TRUE(prometheus.wait_for_series("up{job=\"fleet-usage-exporter\"} == 1", patience(60)))
      << prometheus.log() << exporter.log();
  ASSERT_TRUE(prometheus.wait_for_series("fleet_usage_exporter_target_up == 1", patience(30), 10))
      << prometheus.query("fleet_usage_exporter_target_up").dump();
  for (const char* vendor : {"losant", "notehub", "thousandeyes", "koophone", "kakaocloud_bcs"}) {
    const auto answer = prometheus.query(std::string("count({__name__=~\"") + vendor + "_.+\"})");
    ASSERT_EQ(answer["status"], "success") << answer.dump();
    EXPECT_FALSE(answer["data"]["result"].empty()) << vendor << " has no series in Prometheus";
  }
  EXPECT_TRUE(exporter.running());
}

}  // namespace
}  // namespace fue::test
