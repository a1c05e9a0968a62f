#pragma once

#include <httplib.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "exporter/core/deadline.h"
#include "exporter/engine/engine.h"
#include "exporter/server/config_reloader.h"
#include "exporter/server/web_config.h"

namespace fue {

class BasicAuth;

// How the web server is built and which limits it enforces; the defaults suit tests and
// production alike (see docs/security.md).
struct WebServerOptions {
  // From --web.config.file: TLS and basic auth. nullptr serves plain HTTP without auth.
  std::shared_ptr<const WebConfig> web_config;
  // --web.enable-reload: false answers /-/reload with 403.
  bool enable_reload = true;
  // Connections are served by threads started on demand up to this many; more wait for one.
  size_t max_connections = 512;
  // Connections the kernel queues before they are accepted (cpp-httplib's own is 5).
  int listen_backlog = 1024;
  // One silence longer than this while reading a request (or a TLS handshake) closes it.
  int read_timeout_seconds = 5;
  int write_timeout_seconds = 10;
  // An idle keep-alive connection is closed after this; one connection serves at most
  // keep_alive_max_requests requests.
  int keep_alive_timeout_seconds = 5;
  size_t keep_alive_max_requests = 100;
  // A request's headers together (names, values) beyond this, or more of them, get 431. One
  // header line over 8 KiB is refused with 400 by cpp-httplib itself, a request line over 8 KiB
  // with 414.
  size_t max_header_bytes = 32 * 1024;
  size_t max_header_count = 100;
  // No endpoint takes a body beyond an empty POST: anything larger gets 413.
  size_t max_body_bytes = 64 * 1024;
};

// The shape checks every request passes before its route: header limits (431), then a query
// string that is not well-formed percent-encoding or carries control characters (400). nullopt
// lets the request through. After them come basic auth (401 with WWW-Authenticate) and the
// /-/reload rules (403 when disabled, 405 unless POST). Public for tests and fuzzers.
struct Rejection {
  int status;
  std::string body;
};
std::optional<Rejection> check_request_shape(const std::string& target,
                                             const httplib::Headers& headers,
                                             const WebServerOptions& options);
// The query part of a request target is well-formed: "%" followed by two hex digits, and neither
// the raw nor the decoded text has control characters.
bool valid_query_string(const std::string& target);

// The exporter's own HTTP endpoints: /metrics, /-/healthy, /-/ready, /-/reload, /probe and "/".
class WebServer {
 public:
  // Throws WebConfigError when the TLS settings cannot be applied.
  WebServer(Engine& engine, ConfigReloader& reloader, WebServerOptions options = {});
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
  void install_guards();
  void deepen_listen_queue();

  Engine& engine_;
  ConfigReloader& reloader_;
  const WebServerOptions options_;
  std::unique_ptr<BasicAuth> auth_;        // null without basic_auth_users
  std::unique_ptr<httplib::Server> owned_;  // httplib::SSLServer when TLS is configured
  httplib::Server& server_;
  std::thread thread_;
  int port_ = 0;
  int listen_socket_ = -1;
};

// The per-target deadline budget from X-Prometheus-Scrape-Timeout-Seconds minus `offset`;
// nullopt when the header is absent or not a positive number. When the offset would leave
// nothing, the header's own value is used.
std::optional<Duration> scrape_timeout_from_header(const std::string& header, Duration offset);

}  // namespace fue
