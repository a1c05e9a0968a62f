#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <thread>

#include "exporter/core/deadline.h"
#include "exporter/engine/engine.h"
#include "exporter/server/config_reloader.h"

namespace fue {

// The exporter's own HTTP endpoints: /metrics, /-/healthy, /-/ready, /-/reload, /probe and "/".
class WebServer {
 public:
  WebServer(Engine& engine, ConfigReloader& reloader);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds the listening socket; port 0 picks a free one. Throws std::runtime_error on failure.
  void bind(const std::string& host, int port);
  int port() const { return port_; }
  // Serves until stop(); blocks.
  void serve();
  // Serves on a background thread (tests).
  void start();
  void stop();

 private:
  void install_routes();

  Engine& engine_;
  ConfigReloader& reloader_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// The per-target deadline budget from X-Prometheus-Scrape-Timeout-Seconds minus `offset`;
// nullopt when the header is absent or not a positive number. When the offset would leave
// nothing, the header's own value is used.
std::optional<Duration> scrape_timeout_from_header(const std::string& header, Duration offset);

}  // namespace fue
