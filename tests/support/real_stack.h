#pragma once

// The real processes end-to-end tests run: the vendor-sim binary, the fleet-usage-exporter binary
// and Debian's Prometheus server, each on a free loopback port, each stopped by its destructor.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/process.h"

namespace fue::test {

// A port that was free a moment ago on 127.0.0.1.
int free_loopback_port();

// How much slower than a plain build the binaries under test run: $FUE_TEST_TIME_SCALE (default
// 1). scripts/sanitize sets it, so tests that assert a 1-3 s deadline stretch those deadlines
// (and the configured timeouts behind them) rather than fail on an instrumented binary.
double time_scale();
// `config_text` with every `timeout`/`default_timeout = "<n>s"` multiplied by time_scale().
std::string with_scaled_timeouts(const std::string& config_text);

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "fue-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The vendor-sim binary on 127.0.0.1:<free port>. `args` are extra flags, e.g.
// {"--fleet-size", "koophone=1200", "--latency-ms", "100"}.
class SimProcess {
 public:
  explicit SimProcess(const std::vector<std::string>& args = {});
  int port() const { return port_; }
  std::string base() const;  // "http://127.0.0.1:PORT"
  // POST /_sim/<what> with a JSON body (faults, knobs, reset); throws on transport failure.
  nlohmann::json post(const std::string& what, const nlohmann::json& body);
  nlohmann::json stats();
  const std::string& log_path() const { return log_path_; }

 private:
  TempDir dir_{"fue-sim"};
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

// The fleet-usage-exporter binary serving `config_text` (with every "{{SIM}}" replaced by
// `sim_base`) on 127.0.0.1:<free port>; waits until /-/healthy answers (throws after 30 s).
class ExporterProcess {
 public:
  ExporterProcess(const std::string& config_text, const std::string& sim_base,
                  const std::vector<std::string>& extra_args = {});
  int port() const { return port_; }
  std::string base() const;
  const std::string& config_path() const { return config_path_; }
  const std::string& log_path() const { return log_path_; }
  std::string log() const;
  bool running() const { return process_->running(); }
  int pid() const { return process_->pid(); }
  // GET path on the exporter; returns {status, body}; status 0 on a transport failure.
  std::pair<int, std::string> get(const std::string& path_and_query, int timeout_seconds = 30);

 private:
  TempDir dir_{"fue-exporter"};
  std::string config_path_, log_path_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

// Debian's /usr/bin/prometheus on 127.0.0.1:<free port> with its own data directory.
class PrometheusServer {
 public:
  struct Options {
    std::string config_yaml{};  // prometheus.yml; relative paths resolve against dir()
    std::vector<std::pair<std::string, std::string>> files{};  // written into dir() first
    std::vector<std::string> extra_args{};                     // e.g. retention flags
    std::string storage_dir{};  // empty: dir()/data; set it to serve pre-made TSDB blocks
  };
  explicit PrometheusServer(Options options);  // waits for /-/ready (throws after 60 s)
  ~PrometheusServer();
  int port() const { return port_; }
  std::string base() const;
  const std::string& dir() const { return dir_.path(); }
  std::string log() const;

  // GET /api/v1/query; returns the whole JSON answer ("status", "data", "error").
  nlohmann::json query(const std::string& promql, std::optional<double> at_unix = {});
  // GET any API path, e.g. "/api/v1/targets"; returns the parsed JSON.
  nlohmann::json get_json(const std::string& path_and_query);
  // Polls `promql` until it returns at least `min_series` series; false after `timeout`.
  bool wait_for_series(const std::string& promql, std::chrono::seconds timeout,
                       size_t min_series = 1);

 private:
  TempDir dir_{"fue-prometheus"};
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace fue::test
