// The real fleet-usage-exporter binary against the real vendor-sim binary, over loopback HTTP, on
// the shipped demo config: what a newcomer sees after scripts/demo.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/e2e/process.h"
#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

class ExporterE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{FUE_SIM_BIN, "--listen-address", "127.0.0.1:0", "--fleet-size",
                                 "thousandeyes=340", "--fleet-size", "koophone=1200",
                                 "--fleet-size", "kakaocloud_bcs=800"},
        "/tmp/fue-e2e-sim.log");
    std::smatch m;
    const std::string line = sim_->read_line();
    ASSERT_TRUE(std::regex_search(line, m, std::regex(":(\\d+)"))) << "simulator said: " << line;
    sim_port_ = std::stoi(m[1]);
    // The demo config, pointed at this run's simulator.
    std::string config = read_file(std::string(FUE_SOURCE_DIR) + "/config/demo.toml");
    config = std::regex_replace(config, std::regex("127\\.0\\.0\\.1:9099"),
                                "127.0.0.1:" + std::to_string(sim_port_));
    // No caching here: these tests count upstream collections.
    config = std::regex_replace(config, std::regex("min_interval = \"[^\"]*\""),
                                "min_interval = \"0s\"");
    config_path_ = "/tmp/fue-e2e-" + std::to_string(getpid()) + ".toml";
    write_file(config_path_, with_scaled_timeouts(config));
    port_ = free_loopback_port();
    exporter_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{FUE_EXPORTER_BIN, "--config.file", config_path_,
                                 "--web.listen-address", "127.0.0.1:" + std::to_string(port_)},
        "/tmp/fue-e2e-exporter.log");
    for (int i = 0; i < 100 && !client().Get("/-/ready"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(client().Get("/-/ready")) << "exporter did not start";
  }
  void TearDown() override { std::remove(config_path_.c_str()); }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(static_cast<time_t>(30 * time_scale()), 0);
    return c;
  }
  httplib::Client sim() const { return httplib::Client("127.0.0.1", sim_port_); }
  int upstream_requests() {
    auto r = sim().Get("/_sim/stats");
    return nlohmann::json::parse(r->body)["total"].get<int>();
  }

  std::unique_ptr<ChildProcess> sim_, exporter_;
  int sim_port_ = 0, port_ = 0;
  std::string config_path_;
};

int count_up(const std::string& body, int value) {
  int n = 0;
  const std::regex up("fleet_usage_exporter_target_up\\{[^}]*\\} " + std::to_string(value) + "\n");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), up); it != std::sregex_iterator();
       ++it)
    ++n;
  return n;
}

TEST_F(ExporterE2E, ServesEveryDemoTargetAndPassesPromtool) {
  auto r = client().Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(count_up(r->body, 1), 10) << r->body.substr(0, 2000);
  EXPECT_EQ(count_up(r->body, 0), 0);
  for (const char* prefix :
       {"losant_", "notehub_", "thousandeyes_", "koophone_", "kakaocloud_bcs_"})
    EXPECT_NE(r->body.find(std::string("\n") + prefix), std::string::npos) << prefix;
  expect_promtool_ok(r->body);
  EXPECT_TRUE(exporter_->running());
}

TEST_F(ExporterE2E, TwoConcurrentScrapesMakeOneUpstreamCollection) {
  client().Get("/metrics");  // warm up: tokens are exchanged once
  sim().Post("/_sim/reset", "", "application/json");
  ASSERT_TRUE(client().Get("/metrics"));
  const int one_scrape = upstream_requests();
  ASSERT_GT(one_scrape, 0);
  // Slow every vendor down so that the two scrapes certainly overlap.
  sim().Post(
      "/_sim/knobs",
      R"({"losant":{"latency_ms":300},"notehub":{"latency_ms":300},"thousandeyes":{"latency_ms":300},)"
      R"("koophone":{"latency_ms":300},"kakaocloud_bcs":{"latency_ms":300}})",
      "application/json");
  sim().Post("/_sim/reset", "", "application/json");
  auto a = std::async(std::launch::async, [&] { return client().Get("/metrics"); });
  auto b = std::async(std::launch::async, [&] { return client().Get("/metrics"); });
  auto ra = a.get();
  auto rb = b.get();
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(count_up(ra->body, 1), 10);
  EXPECT_EQ(count_up(rb->body, 1), 10);
  EXPECT_EQ(upstream_requests(), one_scrape);
}

TEST_F(ExporterE2E, AHangingVendorIsDownInsideTheScrapeTimeoutWhileOthersAreServed) {
  sim().Post("/_sim/faults", R"({"vendor":"notehub","latency_ms":60000})", "application/json");
  const auto start = std::chrono::steady_clock::now();
  const double timeout = 3 * time_scale();
  auto r =
      client().Get("/metrics", {{"X-Prometheus-Scrape-Timeout-Seconds", std::to_string(timeout)}});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(seconds, timeout);
  EXPECT_EQ(count_up(r->body, 0), 2);  // the two notehub demo targets
  EXPECT_EQ(count_up(r->body, 1), 8);
  EXPECT_NE(
      r->body.find("fleet_usage_exporter_target_up{vendor=\"notehub\",target=\"notehub-demo\"} 0"),
      std::string::npos);
  expect_promtool_ok(r->body);
  sim().Delete("/_sim/faults");
}

TEST_F(ExporterE2E, ReloadWithABadConfigKeepsTheLastGoodOne) {
  write_file(config_path_, "[[losant]]\nname = 42\n");
  auto r = client().Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find(config_path_ + ":2"), std::string::npos) << r->body;
  auto m = client().Get("/metrics");
  EXPECT_EQ(count_up(m->body, 1), 10);
  EXPECT_NE(m->body.find("fleet_usage_exporter_config_last_reload_successful 0"),
            std::string::npos);
}

TEST_F(ExporterE2E, OnceWritesTheExpositionAndChecksConfig) {
  std::string out;
  EXPECT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " --once --config.file " + config_path_ +
                            " 2>/dev/null",
                        &out),
            0);
  EXPECT_EQ(count_up(out, 1), 10);
  EXPECT_EQ(
      run_command(std::string(FUE_EXPORTER_BIN) + " --config.check --config.file " + config_path_,
                  &out),
      0);
  EXPECT_EQ(out.find("sim-losant-token"), std::string::npos) << "a secret leaked into the summary";
  EXPECT_EQ(out.find("sim-huawei-password"), std::string::npos);
}

}  // namespace
}  // namespace fue::test
