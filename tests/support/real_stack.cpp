#include "tests/support/real_stack.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/support/harness.h"

namespace fue::test {
namespace {

// Polls fn() every 50 ms until it returns true or `timeout` passes.
template <class Fn>
bool poll_until(std::chrono::milliseconds timeout, Fn&& fn) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (fn()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fn();
}

bool answers_200(int port, const char* path) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(1, 0);
  c.set_read_timeout(2, 0);
  auto r = c.Get(path);
  return r && r->status == 200;
}

std::string loopback(int port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

double time_scale() {
  const char* text = std::getenv("FUE_TEST_TIME_SCALE");
  const double scale = text ? std::atof(text) : 1.0;
  return scale >= 1.0 ? scale : 1.0;
}

std::string with_scaled_timeouts(const std::string& config_text) {
  const double scale = time_scale();
  if (scale == 1.0) return config_text;
  static const std::regex timeout(R"(((^|\n)\s*(default_)?timeout\s*=\s*")(\d+)s")");
  std::string out;
  auto last = config_text.cbegin();
  for (std::sregex_iterator it(config_text.begin(), config_text.end(), timeout), end; it != end;
       ++it) {
    const auto& m = *it;
    out.append(last, m[0].first);
    out += m[1].str() + std::to_string(std::lround(std::stod(m[4].str()) * scale)) + "s\"";
    last = m[0].second;
  }
  out.append(last, config_text.cend());
  return out;
}

int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

SimProcess::SimProcess(const std::vector<std::string>& args) {
  log_path_ = dir_.file("vendor-sim.log");
  std::vector<std::string> argv{FUE_SIM_BIN, "--listen-address", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<ChildProcess>(argv, log_path_);
  const std::string line = process_->read_line();
  std::smatch m;
  if (!std::regex_search(line, m, std::regex("listening on http://[^:]+:(\\d+)")))
    throw std::runtime_error("vendor-sim did not start: '" + line +
                             "', log: " + read_file(log_path_));
  port_ = std::stoi(m[1]);
}

std::string SimProcess::base() const { return loopback(port_); }

nlohmann::json SimProcess::post(const std::string& what, const nlohmann::json& body) {
  httplib::Client c("127.0.0.1", port_);
  auto r = c.Post("/_sim/" + what, body.dump(), "application/json");
  if (!r) throw std::runtime_error("vendor-sim did not answer POST /_sim/" + what);
  if (r->status >= 400)
    throw std::runtime_error("POST /_sim/" + what + " -> " + std::to_string(r->status) + ": " +
                             r->body);
  return r->body.empty() ? nlohmann::json() : nlohmann::json::parse(r->body, nullptr, false);
}

nlohmann::json SimProcess::stats() {
  httplib::Client c("127.0.0.1", port_);
  auto r = c.Get("/_sim/stats");
  if (!r) throw std::runtime_error("vendor-sim did not answer GET /_sim/stats");
  return nlohmann::json::parse(r->body);
}

ExporterProcess::ExporterProcess(const std::string& config_text, const std::string& sim_base,
                                 const std::vector<std::string>& extra_args) {
  config_path_ = dir_.file("config.toml");
  log_path_ = dir_.file("exporter.log");
  write_file(config_path_, with_scaled_timeouts(substitute(config_text, sim_base)));
  port_ = free_loopback_port();
  std::vector<std::string> argv{FUE_EXPORTER_BIN, "--config.file", config_path_,
                                "--web.listen-address", "127.0.0.1:" + std::to_string(port_)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ChildProcess>(argv, log_path_);
  // /-/healthy answers 200 over plain HTTP only; a TLS or auth config makes it fail, so accept
  // any answer on the port as "started" then.
  const bool started = poll_until(std::chrono::seconds(30), [&] {
    if (!process_->running()) return false;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  });
  if (!started)
    throw std::runtime_error("fleet-usage-exporter did not start; log: " + read_file(log_path_));
}

std::string ExporterProcess::base() const { return loopback(port_); }

std::string ExporterProcess::log() const { return read_file(log_path_); }

std::pair<int, std::string> ExporterProcess::get(const std::string& path_and_query,
                                                 int timeout_seconds) {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(timeout_seconds, 0);
  auto r = c.Get(path_and_query);
  if (!r) return {0, ""};
  return {r->status, r->body};
}

PrometheusServer::PrometheusServer(Options options) {
  for (const auto& [name, content] : options.files) write_file(dir_.file(name), content);
  write_file(dir_.file("prometheus.yml"), options.config_yaml);
  port_ = free_loopback_port();
  const std::string storage = options.storage_dir.empty() ? dir_.file("data") : options.storage_dir;
  std::vector<std::string> argv{"/usr/bin/prometheus",
                                "--config.file=" + dir_.file("prometheus.yml"),
                                "--storage.tsdb.path=" + storage,
                                "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                "--web.enable-lifecycle",
                                "--log.level=warn"};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  process_ = std::make_unique<ChildProcess>(argv, dir_.file("prometheus.log"));
  if (!poll_until(std::chrono::seconds(60),
                  [&] { return process_->running() && answers_200(port_, "/-/ready"); }))
    throw std::runtime_error("prometheus did not become ready; log: " + log());
}

PrometheusServer::~PrometheusServer() { process_->stop(); }

std::string PrometheusServer::base() const { return loopback(port_); }

std::string PrometheusServer::log() const { return read_file(dir_.file("prometheus.log")); }

nlohmann::json PrometheusServer::get_json(const std::string& path_and_query) {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(30, 0);
  auto r = c.Get(path_and_query);
  if (!r) throw std::runtime_error("prometheus did not answer " + path_and_query);
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded())
    throw std::runtime_error("prometheus answered " + path_and_query +
                             " with non-JSON: " + r->body.substr(0, 300));
  return j;
}

nlohmann::json PrometheusServer::query(const std::string& promql, std::optional<double> at_unix) {
  httplib::Params params{{"query", promql}};
  if (at_unix) params.emplace("time", std::to_string(*at_unix));
  return get_json(httplib::append_query_params("/api/v1/query", params));
}

bool PrometheusServer::wait_for_series(const std::string& promql, std::chrono::seconds timeout,
                                       size_t min_series) {
  return poll_until(timeout, [&] {
    const auto answer = query(promql);
    if (answer.value("status", "") != "success") return false;
    const auto& result = answer["data"]["result"];
    return result.is_array() ? result.size() >= min_series : !result.is_null();
  });
}

}  // namespace fue::test
