// Multi-target /probe end to end: the real vendor-sim, the real exporter and a real Prometheus
// with blackbox-style relabelling, for both patterns: configured targets listed statically, and
// module accounts from file_sd, sharded over two jobs with hashmod as docs/probe.md shows.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

const char* kConfig = R"(
[global]
default_timeout = "8s"

[[thousandeyes]]
name = "te-static"
base_url = "{{SIM}}/thousandeyes"
token = "sim-thousandeyes-token"

[[notehub]]
name = "nh-static"
base_url = "{{SIM}}/notehub"
token = "sim-notehub-pat"
projects = ["app:2606f411-dea6-44a0-9743-1130f57d77d8"]
aggregate = "project"
metric_groups = ["data", "events", "sessions"]

[module.te_accounts]
vendor = "thousandeyes"
credentials_dir = "{{ACCOUNTS}}"
base_url = "{{SIM}}/thousandeyes"
max_accounts = 100
account_ttl = "10m"
)";

// The relabelling of docs/probe.md: the target becomes ?target= and instance, the exporter is
// the address; `shard` adds hashmod sharding (modulus 2, this job keeps `shard`).
std::string probe_job(const std::string& name, const std::string& exporter, const std::string& sd,
                      const std::string& module, int shard) {
  std::string job = "  - job_name: " + name +
                    "\n"
                    "    metrics_path: /probe\n";
  if (!module.empty()) job += "    params:\n      module: [" + module + "]\n";
  job += sd;
  job +=
      "    relabel_configs:\n"
      "      - source_labels: [__address__]\n"
      "        target_label: __param_target\n"
      "      - source_labels: [__param_target]\n"
      "        target_label: instance\n";
  if (shard >= 0) {
    job +=
        "      - source_labels: [__param_target]\n"
        "        modulus: 2\n"
        "        target_label: __tmp_hash\n"
        "        action: hashmod\n"
        "      - source_labels: [__tmp_hash]\n"
        "        regex: \"" +
        std::to_string(shard) +
        "\"\n"
        "        action: keep\n";
  }
  job +=
      "      - target_label: __address__\n"
      "        replacement: " +
      exporter + "\n";
  return job;
}

std::set<std::string> label_values(const nlohmann::json& answer, const std::string& label) {
  std::set<std::string> out;
  for (const auto& r : answer["data"]["result"]) out.insert(r["metric"].value(label, ""));
  return out;
}

TEST(ProbeE2E, BothPatternsArriveInPrometheusWithTheirLabels) {
  TempDir accounts("fue-probe-accounts");
  const std::vector<std::string> names{"acme", "globex", "initech", "umbrella", "hooli", "wonka"};
  for (const auto& a : names) {
    if (a == "globex") {  // the Kubernetes Secret directory layout: one file per key
      std::filesystem::create_directories(accounts.file(a));
      write_file(accounts.file(a + "/token"), "sim-thousandeyes-token\n");
    } else {
      write_file(accounts.file(a + ".toml"), "token = \"sim-thousandeyes-token\"\n");
    }
  }
  SimProcess sim;
  const std::string config =
      std::regex_replace(std::string(kConfig), std::regex("\\{\\{ACCOUNTS\\}\\}"), accounts.path());
  ExporterProcess exporter(config, sim.base());
  const std::string address = "127.0.0.1:" + std::to_string(exporter.port());

  // Directly: each answer is valid, holds its target only, and no other self-metrics.
  for (const std::string q :
       {"target=te-static", "target=notehub/nh-static", "module=te_accounts&target=globex"}) {
    auto [status, body] = exporter.get("/probe?" + q);
    ASSERT_EQ(status, 200) << q << ": " << body << exporter.log();
    EXPECT_NE(body.find("\nprobe_success 1\n"), std::string::npos) << q << ": " << body;
    EXPECT_EQ(body.find("fleet_usage_exporter_build_info"), std::string::npos) << q;
    EXPECT_EQ(body.find("fleet_usage_exporter_api_requests_total"), std::string::npos) << q;
    EXPECT_EQ(body.find("sim-thousandeyes-token"), std::string::npos) << q;
    expect_promtool_ok(body);
  }
  {
    auto [status, body] = exporter.get("/probe?target=te-static");
    EXPECT_EQ(body.find("notehub_"), std::string::npos) << "another target's series in the answer";
  }
  for (const std::string q : {"target=nobody", "module=te_accounts&target=nobody",
                              "module=nomodule&target=acme", "module=te_accounts&target=..%2Fx"}) {
    auto [status, body] = exporter.get("/probe?" + q);
    EXPECT_EQ(status, 400) << q << ": " << body;
  }

  // file_sd with the accounts, as a discovery mechanism would write it.
  std::string sd_json = "[{\"targets\": [";
  for (size_t i = 0; i < names.size(); ++i) sd_json += (i ? ", \"" : "\"") + names[i] + "\"";
  sd_json += "]}]";

  const std::string file_sd =
      "    file_sd_configs:\n      - files: [accounts.json]\n        refresh_interval: 1s\n";
  const std::string yaml =
      "global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\n"
      "scrape_configs:\n" +
      probe_job("fue_static", address,
                "    static_configs:\n"
                "      - targets: [te-static, notehub/nh-static]\n",
                "", -1) +
      probe_job("fue_shard0", address, file_sd, "te_accounts", 0) +
      probe_job("fue_shard1", address, file_sd, "te_accounts", 1) +
      "  - job_name: fue_exporter\n"
      "    static_configs:\n      - targets: ['" +
      address + "']\n";
  PrometheusServer prometheus({.config_yaml = yaml, .files = {{"accounts.json", sd_json}}});

  ASSERT_TRUE(prometheus.wait_for_series("probe_success{job=\"fue_static\"} == 1",
                                         std::chrono::seconds(60), 2))
      << prometheus.query("up").dump() << prometheus.log() << exporter.log();
  ASSERT_TRUE(prometheus.wait_for_series("probe_success{job=~\"fue_shard.\"} == 1",
                                         std::chrono::seconds(60), names.size()))
      << prometheus.query("probe_success").dump() << exporter.log();

  // Static pattern: instance is the ?target= value; the vendor series carry target=<name>.
  auto answer = prometheus.query("fleet_usage_exporter_target_up{job=\"fue_static\"} == 1");
  EXPECT_EQ(label_values(answer, "instance"),
            (std::set<std::string>{"te-static", "notehub/nh-static"}))
      << answer.dump();
  answer = prometheus.query(
      "count by (instance, target) ({job=\"fue_static\",__name__=~\"thousandeyes_.+\"})");
  EXPECT_EQ(label_values(answer, "instance"), std::set<std::string>{"te-static"}) << answer.dump();
  EXPECT_EQ(label_values(answer, "target"), std::set<std::string>{"te-static"});
  answer = prometheus.query(
      "count by (instance, target) ({job=\"fue_static\",__name__=~\"notehub_.+\"})");
  EXPECT_EQ(label_values(answer, "instance"), std::set<std::string>{"notehub/nh-static"})
      << answer.dump();
  EXPECT_EQ(label_values(answer, "target"), std::set<std::string>{"nh-static"});

  // Module pattern: every account's series arrive, each account in exactly one shard.
  answer = prometheus.query(
      "count by (instance, target) ({job=~\"fue_shard.\",__name__=~\"thousandeyes_.+\"})");
  EXPECT_EQ(label_values(answer, "instance"), std::set<std::string>(names.begin(), names.end()))
      << answer.dump();
  for (const auto& r : answer["data"]["result"])
    EXPECT_EQ(r["metric"]["instance"], r["metric"]["target"]) << r.dump();
  answer = prometheus.query("count by (instance) (probe_success{job=~\"fue_shard.\"}) > 1");
  EXPECT_TRUE(answer["data"]["result"].empty()) << "an account in two shards: " << answer.dump();
  for (const char* job : {"fue_shard0", "fue_shard1"}) {
    answer = prometheus.query(std::string("probe_success{job=\"") + job + "\"}");
    EXPECT_FALSE(answer["data"]["result"].empty()) << job << " got no account";
  }

  // Self-metrics come from /metrics only: the probe jobs have none but the target's up.
  answer = prometheus.query(
      "{job=~\"fue_static|fue_shard.\",__name__=~\"fleet_usage_exporter_.+\","
      "__name__!=\"fleet_usage_exporter_target_up\"}");
  EXPECT_TRUE(answer["data"]["result"].empty()) << answer.dump();
  ASSERT_TRUE(prometheus.wait_for_series(
      "fleet_usage_exporter_target_collections_total{job=\"fue_exporter\",target=\"acme\"}",
      std::chrono::seconds(30)))
      << "module accounts' self-metrics belong on /metrics";
  EXPECT_TRUE(exporter.running());
}

}  // namespace
}  // namespace fue::test
