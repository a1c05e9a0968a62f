// A real Prometheus scrapes the real exporter serving the demo config against the real simulator:
// Prometheus itself must accept the exposition and see every target up.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

// Every "# HELP name text" line of an exposition whose text is over 120 characters.
std::vector<std::string> long_help(const std::string& exposition) {
  std::vector<std::string> out;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("# HELP ")) continue;
    const size_t text = line.find(' ', 7);
    if (text != std::string::npos && line.size() - text - 1 > 120) out.push_back(line);
  }
  return out;
}

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

// Prometheus asks for OpenMetrics first and gets it; ?format=text forces the text format. Two jobs
// scraping the same exporter, one each way, must store the same series with the same values.
TEST(PrometheusScrape, OpenMetricsAndTextStoreTheSameSamples) {
  SimProcess sim;
  std::string config = read_file(std::string(FUE_SOURCE_DIR) + "/config/demo.toml");
  config = std::regex_replace(config, std::regex("http://127\\.0\\.0\\.1:9099"), "{{SIM}}");
  // A long min_interval: both jobs read the same cached collection, so vendor values agree.
  config =
      std::regex_replace(config, std::regex("min_interval = \"[^\"]*\""), "min_interval = \"10m\"");
  ExporterProcess exporter(config, sim.base());
  httplib::Client client("127.0.0.1", exporter.port());
  client.set_read_timeout(60, 0);
  // Prometheus' headers: OpenMetrics first, and gzip (Prometheus 2.x always asks for gzip, so both
  // jobs below scrape gzip bodies: a cached deflate prefix plus the per-scrape tail).
  auto om = client.Get("/metrics", {{"Accept",
                                     "application/openmetrics-text;version=1.0.0,"
                                     "text/plain;version=0.0.4;q=0.5"},
                                    {"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(om);
  EXPECT_EQ(om->get_header_value("Content-Encoding"), "gzip");  // the body is httplib's inflation
  EXPECT_EQ(om->get_header_value("Content-Type"),
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_TRUE(om->body.ends_with("# EOF\n"));
  EXPECT_NE(om->body.find("# TYPE fleet_usage_exporter_build info\n"), std::string::npos);
  // One-of-N states are OpenMetrics StateSets, and gauges of the same samples in the text format.
  for (const char* state_set : {"koophone_instance_running_status",
                                "kakaocloud_bcs_instance_vm_state", "losant_instance_mfa_mode"}) {
    EXPECT_NE(om->body.find(std::string("# TYPE ") + state_set + " stateset\n"), std::string::npos)
        << state_set;
  }
  auto text = client.Get("/metrics");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  expect_promtool_ok(text->body);
  EXPECT_NE(text->body.find("# TYPE koophone_instance_running_status gauge\n"), std::string::npos);
  // The demo's whole exposition (vendor, self and process families, min_interval notes included)
  // keeps every HELP under 120 characters, in both formats.
  EXPECT_EQ(long_help(text->body), std::vector<std::string>{});
  EXPECT_EQ(long_help(om->body), std::vector<std::string>{});

  const std::string every = std::to_string(static_cast<int>(std::lround(time_scale()))) + "s";
  const std::string target = "['127.0.0.1:" + std::to_string(exporter.port()) + "']";
  PrometheusServer prometheus({.config_yaml = "global:\n  scrape_interval: " + every +
                                              "\n  scrape_timeout: " + every +
                                              "\nscrape_configs:\n"
                                              "  - job_name: om\n    static_configs: [{targets: " +
                                              target +
                                              "}]\n"
                                              "  - job_name: text\n    params: {format: [text]}\n"
                                              "    static_configs: [{targets: " +
                                              target + "}]\n"});
  ASSERT_TRUE(prometheus.wait_for_series("up == 1", patience(60), 2)) << prometheus.log();
  // Vendor series only: self-metrics (durations, request counts) move between the two scrapes.
  const std::string vendors =
      "{__name__=~\"(losant|notehub|thousandeyes|koophone|kakaocloud_bcs)_.+\"";
  ASSERT_TRUE(prometheus.wait_for_series("count(" + vendors + ",job=\"om\"})", patience(30)));
  ASSERT_TRUE(prometheus.wait_for_series("count(" + vendors + ",job=\"text\"})", patience(30)));
  // Each job's vendor series, keyed by their labels without `job`, with their values.
  const auto stored = [&](const std::string& job) {
    std::map<std::string, std::string> out;
    const auto a = prometheus.query(vendors + ",job=\"" + job + "\"}");
    EXPECT_EQ(a.value("status", ""), "success") << a.dump();
    if (!a.contains("data")) return out;
    for (const auto& r : a["data"]["result"]) {
      auto labels = r["metric"];
      labels.erase("job");
      out[labels.dump()] = r["value"][1].get<std::string>();
    }
    return out;
  };
  const auto om_series = stored("om");
  const auto text_series = stored("text");
  EXPECT_GT(om_series.size(), 1000u);
  EXPECT_EQ(om_series.size(), text_series.size());
  size_t differ = 0;
  for (const auto& [labels, value] : om_series) {
    const auto it = text_series.find(labels);
    if (it == text_series.end() || it->second != value) {
      if (++differ <= 5)
        ADD_FAILURE() << labels << " om=" << value
                      << " text=" << (it == text_series.end() ? "missing" : it->second);
    }
  }
  EXPECT_EQ(differ, 0u);
  // A StateSet keeps its samples: the state label is named as the family in both formats.
  const auto states = prometheus.query(
      "count by (job) (koophone_instance_running_status{koophone_instance_running_status="
      "\"running\"})");
  EXPECT_EQ(states["data"]["result"].size(), 2u) << states.dump();
  // The info type keeps its sample name.
  const auto info = prometheus.query("fleet_usage_exporter_build_info{job=\"om\"}");
  EXPECT_EQ(info["data"]["result"].size(), 1u) << info.dump();
}

}  // namespace
}  // namespace fue::test
