// `fleet-usage-exporter backfill` end to end: the real binary fetches history from the real
// simulator, promtool turns the OpenMetrics output into TSDB blocks, a real Prometheus serves
// them, and a known day's value over the HTTP API equals what the simulator served for that day.
// Also: a run stopped half-way (a failing target, a torn write, a kill) resumes to exactly the
// output of an uninterrupted run, every day once.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "exporter/backfill/plan.h"
#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

constexpr const char* kAlpha = "5ff89ff825013dc6c2856188";
constexpr const char* kBeta = "6a0b1c2d3e4f5a6b7c8d9e0f";
constexpr const char* kProject = "app:2606f411-dea6-44a0-9743-1130f57d77d8";

// Two Losant targets, one Notehub and one ThousandEyes target; the range spans a month boundary,
// so each target has two ranges (Losant and Notehub fetches never cross a UTC month).
std::string config_text(const std::string& sim) {
  return substitute(std::string(R"([[losant]]
name = "alpha"
base_url = "{{SIM}}/losant"
token = "sim-losant-token"
instance_ids = [")") + kAlpha +
                        R"("]
payload_as_bytes = true
max_attempts = 1

[[losant]]
name = "beta"
base_url = "{{SIM}}/losant"
token = "sim-losant-token"
instance_ids = [")" + kBeta +
                        R"("]
max_attempts = 1

[[notehub]]
name = "hub"
base_url = "{{SIM}}/notehub"
token = "sim-notehub-pat"
projects = [")" + kProject +
                        R"("]
aggregate = "project"
metric_groups = ["data", "events", "sessions"]
max_attempts = 1

[[thousandeyes]]
name = "te"
base_url = "{{SIM}}/thousandeyes"
token = "sim-thousandeyes-token"
max_attempts = 1
)",
                    sim);
}

const std::string kFrom = "2026-01-28", kTo = "2026-02-03";

struct Run {
  int code;
  std::string output;  // stdout and stderr
};

Run backfill(const std::string& config_path, const std::string& out,
             const std::vector<std::string>& extra = {}) {
  std::string cmd = std::string(FUE_EXPORTER_BIN) + " backfill --config.file " + config_path +
                    " --from " + kFrom + " --to " + kTo + " --output " + out;
  for (const auto& a : extra) cmd += " " + a;
  Run r;
  r.code = run_command(cmd, &r.output);
  return r;
}

// Series (name and labels) of an exposition, with values and timestamps cut off, and how many
// samples each (series, timestamp) pair has.
void append_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

std::map<std::string, int> samples_of(const std::string& text, std::set<std::string>* series) {
  std::map<std::string, int> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t brace = line.rfind('}');
    const size_t value_at = line.find(' ', brace == std::string::npos ? 0 : brace);
    const std::string name = line.substr(0, value_at);
    if (series) series->insert(name);
    const size_t ts_at = line.find(' ', value_at + 1);
    out[name + (ts_at == std::string::npos ? "" : " @" + line.substr(ts_at + 1))]++;
  }
  return out;
}

// `promtool check metrics` on an OpenMetrics file. promtool (2.42) parses it with the 0.0.4 text
// parser, so it refuses a family repeated in the file ("second HELP line", exit 1), and its
// linter sees an OpenMetrics counter's `foo_total` samples apart from the family `foo` that
// carries the HELP and says "foo_total no help text" (exit 3). Only that artefact is forgiven,
// and only for a `# TYPE foo counter` family with its `# HELP foo` line in the file.
void expect_promtool_check_metrics_ok(const std::string& path) {
  std::string output;
  const int rc = run_command("promtool check metrics < " + path + " 2>&1", &output);
  if (rc == 0) return;
  ASSERT_EQ(rc, 3) << "promtool check metrics failed:\n" << output;
  const std::string text = read_file(path);
  std::istringstream lines(output);
  int problems = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    ++problems;
    const std::string suffix = "_total no help text";
    ASSERT_TRUE(line.ends_with(suffix)) << "promtool check metrics: " << output;
    const std::string family = line.substr(0, line.size() - suffix.size());
    EXPECT_NE(text.find("\n# TYPE " + family + " counter\n"), std::string::npos) << line;
    EXPECT_NE(text.find("# HELP " + family + " "), std::string::npos) << line;
  }
  EXPECT_GT(problems, 0) << output;
}

nlohmann::json sim_get(const std::string& sim_base, const std::string& path) {
  httplib::Client c(sim_base);
  c.set_read_timeout(30, 0);
  auto r = c.Get(path, {{"Authorization", "Bearer sim-losant-token"}});
  if (!r || r->status != 200) throw std::runtime_error("simulator did not answer " + path);
  return nlohmann::json::parse(r->body);
}

double query_at(PrometheusServer& prometheus, const std::string& promql, int64_t at) {
  const auto answer = prometheus.query(promql, static_cast<double>(at));
  EXPECT_EQ(answer["status"], "success") << answer.dump();
  const auto& result = answer["data"]["result"];
  if (result.size() != 1) {
    ADD_FAILURE() << promql << " at " << at << ": " << answer.dump();
    return -1;
  }
  return std::stod(result[0]["value"][1].get<std::string>());
}

TEST(BackfillE2E, HistoryReachesPrometheusWithTheSimulatorsDailyValues) {
  SimProcess sim;
  TempDir dir("fue-backfill");
  write_file(dir.file("config.toml"), with_scaled_timeouts(config_text(sim.base())));
  const auto run = backfill(dir.file("config.toml"), dir.file("out.om"));
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("8 of 8 ranges done, 0 to do"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("requests in all"), std::string::npos) << run.output;
  const std::string om = read_file(dir.file("out.om"));
  ASSERT_TRUE(om.ends_with("# EOF\n"));
  // OpenMetrics counters: the family without _total, samples with it.
  EXPECT_NE(om.find("# TYPE losant_instance_payloads counter\n"), std::string::npos);
  // Each family once per file, although it was fetched in six ranges of several days each.
  {
    std::map<std::string, int> headers;
    std::istringstream lines(om);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) ++headers[line];
    ASSERT_GT(headers.size(), 10u);
    for (const auto& [line, n] : headers) EXPECT_EQ(n, 1) << line;
  }
  expect_promtool_check_metrics_ok(dir.file("out.om"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.om.pieces")))
      << "the pieces file is removed once the output is complete";
  EXPECT_NE(om.find("\nlosant_instance_payloads_total{target=\"alpha\""), std::string::npos);

  // The same series as a live scrape: history and live data form one series.
  std::string live;
  ASSERT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " --once --log.level=error --config.file " +
                            dir.file("config.toml") + " 2>/dev/null",
                        &live),
            0)
      << live;
  std::set<std::string> history_series, live_series;
  samples_of(om, &history_series);
  samples_of(live, &live_series);
  ASSERT_GT(history_series.size(), 10u);
  for (const auto& s : history_series)
    EXPECT_TRUE(live_series.count(s)) << s << " is not a series of the live /metrics";
  for (const char* family :
       {"losant_instance_devices{", "losant_instance_payloads_total{",
        "losant_instance_payload_bytes_total{", "losant_instance_notebook_runs_total{",
        "notehub_events_total{", "notehub_data_bytes_total{", "notehub_sessions_total{",
        "thousandeyes_test_breakdown_cloud_units_used_total{",
        "thousandeyes_enterprise_agent_breakdown_units_used_total{"}) {
    EXPECT_NE(om.find(std::string("\n") + family), std::string::npos) << family << " missing";
  }

  std::string promtool;
  ASSERT_EQ(run_command("promtool tsdb create-blocks-from openmetrics " + dir.file("out.om") + " " +
                            dir.file("blocks"),
                        &promtool),
            0)
      << promtool;
  PrometheusServer prometheus(
      {.extra_args = {"--storage.tsdb.retention.time=100y"}, .storage_dir = dir.file("blocks")});

  // A known day: what the simulator serves for 2026-01-30 alone.
  const int64_t day = *backfill::parse_date("2026-01-30");
  const auto served = sim_get(sim.base(), std::string("/losant/instances/") + kAlpha +
                                              "/deviceCounts?start=" + std::to_string(day * 1000) +
                                              "&end=" + std::to_string((day + 86400) * 1000 - 1));
  ASSERT_EQ(served["counts"].size(), 1u) << served.dump();
  const double devices = served["counts"][0]["total"].get<double>();
  EXPECT_EQ(
      query_at(prometheus, "losant_instance_devices{target=\"alpha\"}", backfill::sample_time(day)),
      devices);

  // A counter, period to date: the sum of the simulator's daily payloads from 2026-02-01 to 02-02.
  const int64_t feb1 = *backfill::parse_date("2026-02-01"), feb2 = feb1 + 86400;
  const auto payloads = sim_get(
      sim.base(),
      std::string("/losant/instances/") + kAlpha +
          "/payloadCountsBreakdown?resolution=86400000&start=" + std::to_string(feb1 * 1000) +
          "&end=" + std::to_string((feb2 + 86400) * 1000 - 1));
  ASSERT_EQ(payloads["counts"].size(), 2u) << payloads.dump();
  const double month_to_date =
      payloads["counts"][0]["value"].get<double>() + payloads["counts"][1]["value"].get<double>();
  EXPECT_EQ(query_at(prometheus,
                     "losant_instance_payloads_total{target=\"alpha\",payload_scope=\"billable\"}",
                     backfill::sample_time(feb2)),
            month_to_date);
  // The previous day is a different figure, and the history covers every day of the range.
  EXPECT_NE(query_at(prometheus, "losant_instance_devices{target=\"alpha\"}",
                     backfill::sample_time(day - 86400)),
            -1);
  const auto count =
      prometheus.query("count_over_time(losant_instance_devices{target=\"beta\"}[7d])",
                       static_cast<double>(backfill::sample_time(*backfill::parse_date(kTo))));
  ASSERT_EQ(count["data"]["result"].size(), 1u) << count.dump();
  EXPECT_EQ(count["data"]["result"][0]["value"][1], "7");
  EXPECT_GE(
      query_at(prometheus, "notehub_events_total{target=\"hub\"}", backfill::sample_time(day)), 0);
}

TEST(BackfillE2E, ResumeAfterAFailureATornWriteAndAKillWritesEveryDayOnce) {
  SimProcess sim;
  TempDir dir("fue-backfill");
  write_file(dir.file("config.toml"), with_scaled_timeouts(config_text(sim.base())));
  const auto clean = backfill(dir.file("config.toml"), dir.file("reference.om"));
  ASSERT_EQ(clean.code, 0) << clean.output;
  const std::string reference = read_file(dir.file("reference.om"));
  {
    const auto counts = samples_of(reference, nullptr);
    for (const auto& [key, n] : counts) ASSERT_EQ(n, 1) << key;
  }

  // 1. Target beta fails: alpha's ranges are kept, the run stops with a hint.
  sim.post(
      "faults",
      {{"vendor", "losant"}, {"path_prefix", std::string("/instances/") + kBeta}, {"status", 500}});
  auto first = backfill(dir.file("config.toml"), dir.file("out.om"));
  EXPECT_EQ(first.code, 1) << first.output;
  EXPECT_NE(first.output.find("run the same command again to resume"), std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("2 of 8 ranges done, 6 to do"), std::string::npos) << first.output;
  const std::string state = read_file(dir.file("out.om.state"));
  EXPECT_NE(state.find("losant/alpha 2026-02-01"), std::string::npos) << state;
  EXPECT_EQ(state.find("losant/beta 2026"), std::string::npos) << state;

  // 2. A torn write after the last recorded range, and a torn state line.
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.om"))) << "no output before it is complete";
  append_file(dir.file("out.om.pieces"),
              "losant_instance_devices{target=\"beta\",instance_id=\"x\"} 4");
  append_file(dir.file("out.om.state"), "done 99999 losant/beta 2026-");

  // 3. A run killed while it works (each request is slow now), after at least one range.
  sim.post("reset", nlohmann::json::object());
  sim.post("faults", {{"vendor", "notehub"}, {"latency_ms", 400}});
  {
    ChildProcess child({FUE_EXPORTER_BIN, "backfill", "--config.file", dir.file("config.toml"),
                        "--from", kFrom, "--to", kTo, "--output", dir.file("out.om")},
                       dir.file("killed.log"));
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until &&
           read_file(dir.file("out.om.state")).find("losant/beta 2026-02-01") == std::string::npos)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    child.stop();  // SIGTERM: the default action ends it at once, mid-range
  }
  const std::string killed_log = read_file(dir.file("killed.log"));
  EXPECT_NE(killed_log.find("resuming from"), std::string::npos) << killed_log;
  EXPECT_EQ(read_file(dir.file("out.om.state")).find("complete"), std::string::npos)
      << "the killed run finished before it was stopped; the test proves less";

  // 4. The last run finishes the rest.
  sim.post("reset", nlohmann::json::object());
  const auto last = backfill(dir.file("config.toml"), dir.file("out.om"));
  ASSERT_EQ(last.code, 0) << last.output;
  EXPECT_NE(last.output.find("resuming from"), std::string::npos) << last.output;
  const std::string resumed = read_file(dir.file("out.om"));
  EXPECT_EQ(resumed, reference) << "the resumed output differs from an uninterrupted run";
  expect_promtool_check_metrics_ok(dir.file("out.om"));
  for (const auto& [key, n] : samples_of(resumed, nullptr)) EXPECT_EQ(n, 1) << key;

  // 5. Once complete, a rerun changes nothing and makes no request.
  sim.post("reset", nlohmann::json::object());
  const auto again = backfill(dir.file("config.toml"), dir.file("out.om"));
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("already complete"), std::string::npos) << again.output;
  EXPECT_EQ(read_file(dir.file("out.om")), reference);
  EXPECT_EQ(sim.stats()["total"], 0) << sim.stats().dump();

  // Another run's flags on the same state file are refused, not mixed in.
  const auto other =
      backfill(dir.file("config.toml"), dir.file("out.om"), {"--target losant/alpha"});
  EXPECT_EQ(other.code, 1) << other.output;
  EXPECT_NE(other.output.find("records another run"), std::string::npos) << other.output;
}

TEST(BackfillE2E, BadFlagsAndVendorsWithoutHistoryAreExplained) {
  TempDir dir("fue-backfill");
  write_file(dir.file("config.toml"), config_text("http://127.0.0.1:9"));
  auto r = backfill(dir.file("config.toml"), "-", {"--state.file", dir.file("s")});
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--state.file needs --output FILE"), std::string::npos) << r.output;
  std::string out;
  EXPECT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " backfill --from 2026-02-30", &out), 2);
  EXPECT_NE(out.find("expected a date YYYY-MM-DD"), std::string::npos) << out;
  EXPECT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " backfill --config.file " +
                            dir.file("config.toml") + " --from 2026-02-03 --to 2026-02-01",
                        &out),
            2);
  EXPECT_NE(out.find("is after --to"), std::string::npos) << out;
  EXPECT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " backfill --help", &out), 0);
  EXPECT_NE(out.find("--state.file"), std::string::npos) << out;
  EXPECT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " --help", &out), 0);
  EXPECT_NE(out.find("backfill"), std::string::npos) << out;
}

}  // namespace
}  // namespace fue::test
