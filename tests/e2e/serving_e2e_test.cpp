// The real fleet-usage-exporter binary serving hostile and careless clients: one owner per port,
// slow and idle connections that must not starve a scrape, pipelined requests, bodies where none
// belong, refused requests that must end their connection, and the web flags of exporter-toolkit.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>
#include <vector>

#include "tests/support/harness.h"
#include "tests/support/raw_http.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kConfig =
    "[[losant]]\nname = \"losant-serving\"\nbase_url = \"{{SIM}}/losant\"\n"
    "token = \"sim-losant-token\"\ninstance_ids = [\"5ff89ff825013dc6c2856188\"]\n"
    "min_interval = \"1m\"\n";

size_t threads_of(int pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task"))
    ++n;
  return n;
}

double reloads_of(ExporterProcess& exporter) {
  const auto [status, body] = exporter.get("/metrics");
  std::smatch m;
  static const std::regex line(
      R"(fleet_usage_exporter_config_reloads_total\{result="success"\} (\d+))");
  return std::regex_search(body, m, line) ? std::stod(m[1]) : -1;
}

class Serving : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);
    sim_ = new SimProcess();
    // A short head deadline keeps the slow-client test short; the default is 10 s.
    exporter_ = new ExporterProcess(kConfig, sim_->base(), {"--web.read-header-timeout=3s"});
  }
  static void TearDownTestSuite() {
    delete exporter_;
    delete sim_;
  }
  static int port() { return exporter_->port(); }
  static SimProcess* sim_;
  static ExporterProcess* exporter_;
};
SimProcess* Serving::sim_ = nullptr;
ExporterProcess* Serving::exporter_ = nullptr;

TEST_F(Serving, ASecondProcessCannotShareThePort) {
  const std::string address = "127.0.0.1:" + std::to_string(port());
  std::string out;
  const int rc =
      run_command(std::string(FUE_EXPORTER_BIN) + " --config.file " + exporter_->config_path() +
                      " --web.listen-address " + address + " 2>&1",
                  &out);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("listen tcp " + address + ": bind: address already in use"), std::string::npos)
      << out;
  // Every scrape still reaches the one owner.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(exporter_->get("/-/healthy").first, 200);
}

TEST_F(Serving, PipelinedRequestsAreAllAnsweredInOrder) {
  const int fd = connect_raw(port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd,
                       "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n"
                       "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  const std::string got = read_until_closed(fd, 10s, &closed);
  close(fd);
  EXPECT_TRUE(closed);
  const auto healthy = got.find("Healthy\n"), ready = got.find("Ready\n");
  ASSERT_NE(healthy, std::string::npos) << got;
  ASSERT_NE(ready, std::string::npos) << got;
  EXPECT_LT(healthy, ready);
  EXPECT_NE(got.find("Healthy\n", ready), std::string::npos) << got;
}

TEST_F(Serving, AGetBodyIsRefusedAndNeverTakenForTheNextRequest) {
  const double before = reloads_of(*exporter_);
  const std::string smuggled = "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
  const int fd = connect_raw(port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                               std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled));
  bool closed = false;
  const std::string got = read_until_closed(fd, 10s, &closed);
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 400 ", 0), 0u) << got;
  EXPECT_EQ(got.find("config reloaded"), std::string::npos) << got;
  EXPECT_TRUE(closed);
  EXPECT_EQ(reloads_of(*exporter_), before);
}

TEST_F(Serving, ReloadBodiesOverTheLimitGet413) {
  EXPECT_EQ(raw_status(port(),
                       "POST /-/reload HTTP/1.1\r\nHost: x\r\n"
                       "Content-Length: 100000000000000000000\r\n\r\n"),
            413);
  EXPECT_EQ(
      raw_status(port(), "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" +
                             std::string(1 << 20, 'x')),
      413);
  std::string chunked = "POST /-/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i) chunked += "10000\r\n" + std::string(65536, 'x') + "\r\n";
  EXPECT_EQ(raw_status(port(), chunked + "0\r\n\r\n"), 413);
  // No body at all (a bare `curl -X POST`: no Content-Length) is a reload, as before.
  EXPECT_EQ(raw_status(port(), "POST /-/reload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            200);
  // A small body is read and ignored.
  EXPECT_EQ(raw_status(port(),
                       "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                       "Connection: close\r\n\r\n{}"),
            200);
}

TEST_F(Serving, RefusedRequestsEndTheirConnection) {
  for (const std::string request :
       {"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", "GET /-/reload HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /metrics?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    const int fd = connect_raw(port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, request));
    const auto started = Clock::now();
    bool closed = false;
    const std::string got = read_until_closed(fd, 4s, &closed);
    close(fd);
    EXPECT_TRUE(closed) << request << got;
    EXPECT_LT(Clock::now() - started, 2s) << request;
    EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  }
}

// 2,000 connections that drip their head a byte at a time, then 2,000 that send nothing: a scrape
// still answers within a second, no thread is spent on them, and each is closed at the head
// deadline (3 s here).
TEST_F(Serving, SlowAndIdleClientsNeitherStarveScrapesNorHoldThreads) {
  ASSERT_EQ(exporter_->get("/metrics").first, 200);  // warm: the cache serves later scrapes
  const size_t idle_threads = threads_of(exporter_->pid());
  constexpr int kClients = 2000;
  for (const bool drip : {true, false}) {
    SCOPED_TRACE(drip ? "dripping" : "idle");
    std::vector<int> fds;
    for (int i = 0; i < kClients; ++i) {
      const int fd = connect_raw(port());
      ASSERT_GE(fd, 0) << i;
      if (drip) send_all(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      fds.push_back(fd);
    }
    std::vector<double> took;
    size_t most_threads = 0;
    for (int round = 0; round < 5; ++round) {
      if (drip)
        for (int fd : fds) send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      const auto t0 = Clock::now();
      EXPECT_EQ(exporter_->get("/metrics", 10).first, 200);
      took.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      most_threads = std::max(most_threads, threads_of(exporter_->pid()));
      std::this_thread::sleep_for(300ms);
    }
    std::sort(took.begin(), took.end());
    EXPECT_LT(took.back(), 1.0 * time_scale()) << "slowest scrape " << took.back() << " s";
    EXPECT_LE(most_threads, idle_threads + 2) << "threads grew with the connections";
    // Every one of them is closed by the head deadline, however it drips.
    const auto deadline = Clock::now() + 15s;
    int closed = 0;
    for (int fd : fds) {
      bool gone = false;
      while (!gone && Clock::now() < deadline) {
        if (drip) send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        gone = closed_by_peer(fd, 100);
      }
      closed += gone ? 1 : 0;
      close(fd);
    }
    EXPECT_EQ(closed, kClients);
  }
  EXPECT_LE(threads_of(exporter_->pid()), idle_threads + 2);
  EXPECT_TRUE(exporter_->running());
}

TEST_F(Serving, TelemetryPathAndLandingPageLinks) {
  ExporterProcess exporter(kConfig, sim_->base(), {"--web.telemetry-path=/usage"});
  EXPECT_EQ(exporter.get("/usage").first, 200);
  EXPECT_EQ(exporter.get("/metrics").first, 404);
  const auto [status, page] = exporter.get("/");
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("href=\"./usage\""), std::string::npos) << page;
  EXPECT_NE(page.find("href=\"./probe?target=losant/losant-serving\""), std::string::npos) << page;
}

TEST_F(Serving, EveryListenAddressServesAndPortOnlyMeansIPv6AndIPv4) {
  const int second = free_loopback_port();
  ExporterProcess exporter(kConfig, sim_->base(),
                           {"--web.listen-address", ":" + std::to_string(second)});
  // The first address (127.0.0.1:<port>, from the harness) and the dual-stack one both serve.
  EXPECT_EQ(exporter.get("/-/healthy").first, 200);
  httplib::Client v4("127.0.0.1", second);
  auto r = v4.Get("/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const int probe = socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) GTEST_SKIP() << "no IPv6 on this machine";
  close(probe);
  httplib::Client v6("::1", second);
  r = v6.Get("/-/healthy");
  ASSERT_TRUE(r) << "no answer on [::1]:" << second;
  EXPECT_EQ(r->status, 200);
}

TEST(ServingStart, AnEmptyConfigIsServedWithAWarning) {
  TempDir dir;
  write_file(dir.file("empty.toml"), "# nothing yet\n");
  std::string out;
  EXPECT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " --config.check --config.file " +
                            dir.file("empty.toml") + " 2>&1",
                        &out),
            0);
  EXPECT_NE(out.find("warning: " + dir.file("empty.toml") + " has no enabled targets"),
            std::string::npos)
      << out;
  ExporterProcess exporter("# nothing yet\n", "http://127.0.0.1:1");
  EXPECT_EQ(exporter.get("/-/ready").first, 200);
  EXPECT_NE(exporter.log().find("level=warn msg=\"the configuration has no enabled targets"),
            std::string::npos)
      << exporter.log();
}

TEST(ServingStart, VersionIsPrometheusStyle) {
  std::string out;
  ASSERT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " --version", &out), 0);
  EXPECT_TRUE(std::regex_search(
      out,
      std::regex(R"(^fleet-usage-exporter, version \d+\.\d+\.\d+ \(branch: \S+, revision: \S+\)\n)"
                 R"(  build user: +\S+\n  build date: +\d{8}-\d\d:\d\d:\d\d\n)"
                 R"(  compiler: +.+\n  platform: +[a-z0-9]+/[a-z0-9]+\n$)")))
      << out;
}

}  // namespace
}  // namespace fue::test
