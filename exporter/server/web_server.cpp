#include "exporter/server/web_server.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "exporter/core/log.h"
#include "exporter/core/memory.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/basic_auth.h"
#include "exporter/server/landing_page.h"
#include "exporter/server/probe_handler.h"

namespace fue {
namespace {

// Serves each connection on a thread of its own, started on demand and kept for the next one, up
// to `max_threads`. cpp-httplib's default pool has max(8, cores - 1) threads, so eight idle
// keep-alive or slowloris connections would make every other client wait for a read timeout.
class OnDemandThreadPool : public httplib::TaskQueue {
 public:
  explicit OnDemandThreadPool(size_t max_threads) : max_threads_(max_threads) {}
  ~OnDemandThreadPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && threads_.size() < max_threads_)
      threads_.emplace_back([this] { work(); });
    cond_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    cond_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ++idle_;
        cond_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        --idle_;
        if (jobs_.empty()) return;  // stopping, and nothing left to serve
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  const size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable cond_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

std::unique_ptr<httplib::Server> make_server(const WebServerOptions& options) {
  const WebConfig* web = options.web_config.get();
  if (!web || !web->tls) return std::make_unique<httplib::Server>();
  std::string error;
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    try {
      configure_ssl_ctx(&ctx, *web->tls, web->path);
      return true;
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
  });
  if (!server->is_valid())
    throw WebConfigError(error.empty() ? "web config " + web->path + ": cannot set up TLS" : error);
  return server;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

void reject(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "text/plain; charset=utf-8");
}

}  // namespace

bool valid_query_string(const std::string& target) {
  const auto q = target.find('?');
  if (q == std::string::npos) return true;
  for (size_t i = q + 1; i < target.size(); ++i) {
    const auto c = static_cast<unsigned char>(target[i]);
    if (is_control(c)) return false;
    if (c == '%') {
      if (i + 2 >= target.size()) return false;
      if (!is_hex(target[i + 1]) || !is_hex(target[i + 2])) return false;
      const auto decoded =
          static_cast<unsigned char>(hex_value(target[i + 1]) * 16 + hex_value(target[i + 2]));
      if (is_control(decoded)) return false;
      i += 2;
    }
  }
  return true;
}

std::optional<Rejection> check_request_shape(const std::string& target,
                                             const httplib::Headers& headers,
                                             const WebServerOptions& options) {
  size_t bytes = 0;
  for (const auto& [name, value] : headers) bytes += name.size() + value.size() + 4;
  if (headers.size() > options.max_header_count || bytes > options.max_header_bytes)
    return Rejection{431, "request header fields too large: at most " +
                              std::to_string(options.max_header_count) + " headers and " +
                              std::to_string(options.max_header_bytes) + " bytes\n"};
  if (!valid_query_string(target))
    return Rejection{400,
                     "bad query string: use percent-encoding (%XX) and no control characters\n"};
  return std::nullopt;
}

std::optional<Duration> scrape_timeout_from_header(const std::string& header, Duration offset) {
  if (header.empty()) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(header.c_str(), &end);
  if (end == header.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0)
    return std::nullopt;
  // Clamped before the conversion: a huge header value would overflow the integer (undefined
  // behaviour, found by the http_params fuzzer) and a tiny one would round to a zero deadline.
  const auto given =
      Duration(std::max<int64_t>(1, static_cast<int64_t>(std::min(seconds * 1000, 1e12))));
  const auto reduced = given - offset;
  return reduced > Duration::zero() ? reduced : given;
}

WebServer::WebServer(Engine& engine, ConfigReloader& reloader, WebServerOptions options)
    : engine_(engine),
      reloader_(reloader),
      options_(std::move(options)),
      owned_(make_server(options_)),
      server_(*owned_) {
  if (options_.web_config && !options_.web_config->basic_auth_users.empty())
    auth_ = std::make_unique<BasicAuth>(options_.web_config->basic_auth_users);
  install_guards();
  install_routes();
}

void WebServer::install_guards() {
  const size_t max_connections = options_.max_connections;
  server_.new_task_queue = [max_connections] { return new OnDemandThreadPool(max_connections); };
  server_.set_read_timeout(options_.read_timeout_seconds, 0);
  // A response's headers and body are separate writes: no Nagle wait between them.
  server_.set_tcp_nodelay(true);
  server_.set_write_timeout(options_.write_timeout_seconds, 0);
  server_.set_keep_alive_timeout(options_.keep_alive_timeout_seconds);
  server_.set_keep_alive_max_count(options_.keep_alive_max_requests);
  server_.set_payload_max_length(options_.max_body_bytes);
  // cpp-httplib listens with a backlog of 5, so a burst of connections waits for SYN retries
  // (1 s, 3 s, ...). Remember the socket so bind() can listen again with a deeper queue.
  server_.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;
  });

  // Runs once a response is written: a scrape's garbage (grouping, self-metrics, small buffers)
  // goes back to the kernel now, not at the next collection, which may be min_interval away.
  server_.set_logger([](const httplib::Request& req, const httplib::Response&) {
    if (req.path == "/metrics" || req.path == "/probe") memory::release_free_memory();
  });

  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using Result = httplib::Server::HandlerResponse;
    if (auto rejection = check_request_shape(req.target, req.headers, options_)) {
      reject(res, rejection->status, rejection->body);
      return Result::Handled;
    }
    if (auth_ && !auth_->check(req.get_header_value("Authorization"))) {
      log::debug("request refused: bad or missing basic auth credentials",
                 {{"path", req.path}, {"remote_addr", req.remote_addr}});
      res.set_header("WWW-Authenticate", BasicAuth::kChallenge);
      reject(res, 401, "Unauthorized\n");
      return Result::Handled;
    }
    if (req.path == "/-/reload") {
      if (!options_.enable_reload) {
        reject(res, 403, "Reloading over HTTP is disabled (--web.enable-reload=false).\n");
        return Result::Handled;
      }
      if (req.method != "POST") {
        res.set_header("Allow", "POST");
        reject(res, 405, "This endpoint requires a POST request.\n");
        return Result::Handled;
      }
    }
    return Result::Unhandled;
  });
}

WebServer::~WebServer() { stop(); }

void WebServer::install_routes() {
  server_.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    const auto config = engine_.config();
    const Duration offset = config ? config->global.scrape_timeout_offset : Duration::zero();
    auto timeout = scrape_timeout_from_header(
        req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"), offset);
    auto result = engine_.collect_all(timeout);
    result.metrics.add(engine_.self().collect());
    auto body = std::make_shared<std::string>();
    serialize_text(result.metrics, *body);
    const std::string encodings = req.get_header_value("Accept-Encoding");
    if (encodings.find("gzip") == std::string::npos && encodings.find("br") == std::string::npos) {
      res.set_content(std::move(*body), kTextContentType);
      return;
    }
    // Handed to httplib in 64 KiB chunks, which it compresses one by one as it sends them: the
    // compressed text is never held whole next to the plain one (set_content would).
    res.set_chunked_content_provider(
        kTextContentType, [body](size_t offset, httplib::DataSink& sink) {
          if (offset >= body->size()) {
            sink.done();
            return true;
          }
          const size_t n = std::min<size_t>(64 * 1024, body->size() - offset);
          return sink.write(body->data() + offset, n);
        });
  });

  server_.Get("/probe", [this](const httplib::Request& req, httplib::Response& res) {
    handle_probe(engine_, req, res);
  });

  server_.Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Healthy\n", "text/plain; charset=utf-8");
  });
  server_.Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (engine_.config()) {
      res.set_content("Ready\n", "text/plain; charset=utf-8");
    } else {
      res.status = 503;
      res.set_content("Not ready: no configuration loaded\n", "text/plain; charset=utf-8");
    }
  });

  // The content-reader form: a bare `curl -X POST` (no Content-Length) must not be a 400.
  server_.Post("/-/reload", [this](const httplib::Request&, httplib::Response& res,
                                   const httplib::ContentReader&) {
    log::info("reload requested over HTTP");
    if (auto error = reloader_.reload()) {
      res.status = 500;
      res.set_content("failed to reload config: " + *error + "\n", "text/plain; charset=utf-8");
    } else {
      res.set_content("config reloaded\n", "text/plain; charset=utf-8");
    }
  });
  // Any other method on /-/reload gets 405 from the pre-routing handler (install_guards).

  server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_landing_page(engine_.status(), engine_.config() != nullptr),
                    "text/html; charset=utf-8");
  });

  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log::error("request failed", {{"path", req.path}, {"error", what}});
        res.status = 500;
        res.set_content("internal error\n", "text/plain; charset=utf-8");
      });
}

void WebServer::bind(const std::string& host, int port) {
  if (port == 0) {
    port_ = server_.bind_to_any_port(host);
    if (port_ < 0) throw std::runtime_error("cannot listen on " + host + ": no free port");
  } else {
    if (!server_.bind_to_port(host, port))
      throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
    port_ = port;
  }
  deepen_listen_queue();
}

void WebServer::deepen_listen_queue() {
  // Linux lets listen() be called again on a listening socket to change its backlog.
  if (listen_socket_ >= 0) ::listen(listen_socket_, options_.listen_backlog);
}

void WebServer::serve() { server_.listen_after_bind(); }

void WebServer::start() {
  thread_ = std::thread([this] { serve(); });
  // httplib 0.11 has no wait_until_ready(); the socket is bound already, so this is brief.
  for (int i = 0; i < 5000 && !server_.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void WebServer::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace fue
