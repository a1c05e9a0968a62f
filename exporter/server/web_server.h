#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "exporter/core/deadline.h"
#include "exporter/engine/engine.h"
#include "exporter/server/config_reloader.h"
#include "exporter/server/exposition_cache.h"
#include "exporter/server/front_end.h"
#include "exporter/server/web_config.h"

namespace fue {

class BasicAuth;

// How the web server is built and which limits it enforces; the defaults suit tests and
// production alike (see docs/security.md).
struct WebServerOptions {
  // From --web.config.file: TLS and basic auth. nullptr serves plain HTTP without auth.
  std::shared_ptr<const WebConfig> web_config;
  // The file itself, read again by reload_web_config(); empty: nothing to reload.
  std::string web_config_file;
  // --web.telemetry-path: where the exposition is served.
  std::string telemetry_path = "/metrics";
  // --web.enable-reload: false answers /-/reload with 403.
  bool enable_reload = true;
  // Open connections at once (more are closed on accept), and requests processed at once by
  // worker threads started on demand.
  size_t max_connections = 8192;
  size_t max_workers = 64;
  // --web.read-header-timeout: a connection's whole request head must arrive within this, however
  // slowly it drips; it is closed otherwise. No thread waits for it meanwhile.
  double header_timeout_seconds = 10;
  // Connections the kernel queues before they are accepted (cpp-httplib's own is 5).
  int listen_backlog = 1024;
  // One silence longer than this while reading a request body closes it.
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

// Whether an Accept-Encoding header accepts gzip (gzip, x-gzip or *, with a q above 0).
bool accepts_gzip(const std::string& accept_encoding);

// The exporter's own HTTP endpoints: /metrics, /-/healthy, /-/ready, /-/reload, /probe and "/".
class WebServer {
 public:
  // Throws WebConfigError when the TLS settings cannot be applied.
  WebServer(Engine& engine, ConfigReloader& reloader, WebServerOptions options = {});
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds a listening socket; port 0 picks a free one. Call once per address. Throws
  // std::runtime_error in Go's words: "listen tcp 127.0.0.1:9867: bind: address already in use".
  void bind(const std::string& host, int port);
  // Serves on a socket already listening (systemd socket activation); takes ownership.
  void adopt(int listening_fd);
  // Reads the web config file again (SIGHUP, POST /-/reload): new connections get the new TLS
  // settings, every request the new users and headers. A bad file keeps the last good one and
  // returns its error.
  std::optional<std::string> reload_web_config();
  int port() const { return port_; }
  // Vendor expositions rendered so far (one per collection, format and encoding); for tests.
  size_t exposition_renders() const { return exposition_cache_.renders(); }
  size_t memory_releases() const { return memory_releases_.load(); }  // for tests
  // Serves until stop(); blocks.
  void serve();
  // Serves on a background thread (tests).
  void start();
  void stop();

 private:
  void install_routes();
  void install_error_handlers();
  void serve_reload(const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& content);
  void install_guards();
  void serve_metrics(const httplib::Request& req, httplib::Response& res);
  void begin_scrape();  // a /metrics or /probe request is being answered on this thread
  void end_scrape();    // its response is sent (no-op for other requests)

  // cpp-httplib's request handling, run by the front end on connections it has read a head from.
  class Processor : public httplib::Server {
   public:
    bool serve_one(httplib::Stream& stream, bool last) {
      bool closed = false;
      return process_request(stream, last, closed, nullptr) && !closed;
    }
  };

  Engine& engine_;
  ConfigReloader& reloader_;
  const WebServerOptions options_;
  // The web config in force, swapped whole by reload_web_config().
  struct Protection {
    std::shared_ptr<ssl_ctx_st> tls;  // nullptr: plain HTTP
    std::shared_ptr<BasicAuth>
        auth;  // nullptr: no basic auth (its check caches verified passwords)
    std::vector<std::pair<std::string, std::string>> headers;
  };
  static std::shared_ptr<const Protection> protection_of(const WebConfig* web);
  std::shared_ptr<const Protection> protection() const;
  mutable std::mutex protection_mutex_;
  std::shared_ptr<const Protection> protection_;
  ExpositionCache exposition_cache_;  // one rendering per collection, format and encoding
  std::atomic<int> scrapes_in_flight_{0};
  std::atomic<size_t> memory_releases_{0};
  Processor server_;
  FrontEnd front_;
  std::thread thread_;
  int port_ = 0;
};

// The per-target deadline budget from X-Prometheus-Scrape-Timeout-Seconds minus `offset`;
// nullopt when the header is absent or not a positive number. When the offset would leave
// nothing, the header's own value is used.
std::optional<Duration> scrape_timeout_from_header(const std::string& header, Duration offset);

}  // namespace fue
