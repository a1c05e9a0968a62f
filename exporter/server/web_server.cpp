#include "exporter/server/web_server.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "exporter/core/log.h"
#include "exporter/core/memory.h"
#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/basic_auth.h"
#include "exporter/server/landing_page.h"
#include "exporter/server/listen_socket.h"
#include "exporter/server/probe_handler.h"
#include "exporter/server/shared_body.h"
#include "exporter/spend/spend_metrics.h"

namespace fue {
namespace {

// TLS context of the web config, or nullptr for plain HTTP. Throws WebConfigError.
std::shared_ptr<SSL_CTX> make_ssl_ctx(const WebConfig* web) {
  if (!web || !web->tls) return nullptr;
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) throw WebConfigError("web config " + web->path + ": cannot set up TLS");
  configure_ssl_ctx(ctx.get(), *web->tls, web->path);
  return ctx;
}

// Set while a worker answers a request that must be the connection's last: a refused request
// (4xx) may have left unread bytes behind it, which must never be parsed as a next request.
thread_local bool t_close_connection = false;
// Set while a worker answers a scrape (/metrics, /probe), from begin_scrape() to end_scrape().
thread_local bool t_in_scrape = false;

FrontEnd::Options front_end_options(const WebServerOptions& o) {
  FrontEnd::Options f;
  f.header_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(o.header_timeout_seconds * 1000));
  f.idle_timeout = std::chrono::seconds(o.keep_alive_timeout_seconds);
  f.read_timeout = std::chrono::seconds(o.read_timeout_seconds);
  f.write_timeout = std::chrono::seconds(o.write_timeout_seconds);
  f.max_connections = o.max_connections;
  f.max_workers = o.max_workers;
  f.keep_alive_max_requests = o.keep_alive_max_requests;
  return f;
}

// Prometheus asks for OpenMetrics first ("application/openmetrics-text;version=1.0.0,...;q=0.75,
// text/plain;version=0.0.4;q=0.5"); any client that lists it without q=0 gets it.
bool wants_openmetrics(const std::string& accept) {
  size_t at = 0;
  while ((at = accept.find("application/openmetrics-text", at)) != std::string::npos) {
    const size_t end = std::min(accept.find(',', at), accept.size());
    const std::string part = accept.substr(at, end - at);
    const auto q = part.find("q=");
    if (q == std::string::npos || std::strtod(part.c_str() + q + 2, nullptr) > 0) return true;
    at = end;
  }
  return false;
}

bool has_body(const httplib::Request& req) {
  const std::string length = req.get_header_value("Content-Length");
  return (!length.empty() && length != "0") || req.has_header("Transfer-Encoding");
}

// A Content-Length over `limit`, or one that is not a number.
bool length_over(const httplib::Request& req, size_t limit) {
  const std::string length = req.get_header_value("Content-Length");
  if (length.empty()) return false;
  if (length.size() > 18 || length.find_first_not_of("0123456789") != std::string::npos)
    return true;
  return std::stoull(length) > limit;
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
  if (status >= 400 && status < 500) {
    res.set_header("Connection", "close");
    t_close_connection = true;
  }
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

bool accepts_gzip(const std::string& accept_encoding) {
  size_t at = 0;
  while (at <= accept_encoding.size()) {
    const size_t end = std::min(accept_encoding.find(',', at), accept_encoding.size());
    std::string_view part(accept_encoding.data() + at, end - at);
    at = end + 1;
    const size_t semi = std::min(part.find(';'), part.size());
    std::string_view name = part.substr(0, semi);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "gzip" && lower != "x-gzip" && lower != "*") continue;
    const std::string params(part.substr(semi));
    const auto q = params.find("q=");
    if (q == std::string::npos || std::strtod(params.c_str() + q + 2, nullptr) > 0) return true;
  }
  return false;
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
      protection_(protection_of(options_.web_config.get())),
      front_(
          front_end_options(options_), [this] { return protection()->tls; },
          [this](httplib::Stream& stream, bool last) {
            t_close_connection = false;
            const bool keep = server_.serve_one(stream, last);
            // A /metrics body goes out after its head, and only then is its scrape's garbage freed.
            const bool sent = send_deferred_body(stream);
            end_scrape();
            return keep && sent && !t_close_connection;
          }) {
  install_guards();
  install_routes();
}

void WebServer::install_guards() {
  server_.set_payload_max_length(options_.max_body_bytes);
  // Only what the Keep-Alive header announces; the front end enforces both.
  server_.set_keep_alive_timeout(options_.keep_alive_timeout_seconds);
  server_.set_keep_alive_max_count(options_.keep_alive_max_requests);

  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using Result = httplib::Server::HandlerResponse;
    if (auto rejection = check_request_shape(req.target, req.headers, options_)) {
      reject(res, rejection->status, rejection->body);
      return Result::Handled;
    }
    // Bodies are read only where a route takes one: an unread GET body would otherwise be parsed
    // as the connection's next request (request smuggling behind a proxy that forwards it).
    if ((req.method == "GET" || req.method == "HEAD") && has_body(req)) {
      reject(res, 400, "a " + req.method + " request must not have a body\n");
      return Result::Handled;
    }
    const auto guard = protection();
    for (const auto& [name, value] : guard->headers) res.set_header(name, value);
    if (guard->auth && !guard->auth->check(req.get_header_value("Authorization"))) {
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
      if (length_over(req, options_.max_body_bytes)) {
        reject(res, 413,
               "request body too large: at most " + std::to_string(options_.max_body_bytes) +
                   " bytes\n");
        return Result::Handled;
      }
    }
    return Result::Unhandled;
  });
}

WebServer::~WebServer() { stop(); }

std::shared_ptr<const WebServer::Protection> WebServer::protection_of(const WebConfig* web) {
  auto p = std::make_shared<Protection>();
  p->tls = make_ssl_ctx(web);
  if (web && !web->basic_auth_users.empty())
    p->auth = std::make_shared<BasicAuth>(web->basic_auth_users);
  if (web) p->headers = web->http.headers;
  return p;
}

std::shared_ptr<const WebServer::Protection> WebServer::protection() const {
  std::lock_guard lock(protection_mutex_);
  return protection_;
}

std::optional<std::string> WebServer::reload_web_config() {
  if (options_.web_config_file.empty()) return std::nullopt;
  try {
    const WebConfig web = load_web_config(options_.web_config_file);
    auto fresh = protection_of(&web);
    {
      std::lock_guard lock(protection_mutex_);
      protection_ = std::move(fresh);
    }
    log::info("web config reloaded",
              {{"file", options_.web_config_file}, {"settings", describe(web)}});
    return std::nullopt;
  } catch (const std::exception& e) {
    log::error("web config reload failed; keeping the previous one",
               {{"file", options_.web_config_file}, {"error", e.what()}});
    return std::string(e.what());
  }
}

void WebServer::begin_scrape() {
  scrapes_in_flight_.fetch_add(1);
  t_in_scrape = true;
}

// The last scrape in flight to finish frees what the scrapes left (grouping, self-metrics, small
// buffers), after its body is sent, not at the next collection, which may be min_interval away.
// One trim for concurrent scrapes: each trim's madvise and the faults after it were half of a
// cached scrape's CPU. And not as each target finishes: that handed back pages that the targets
// still collecting faulted in again.
void WebServer::end_scrape() {
  if (!t_in_scrape) return;
  t_in_scrape = false;
  if (scrapes_in_flight_.fetch_sub(1) != 1) return;
  exposition_cache_.prune();  // a collection nobody holds any more: its renderings go too
  memory::release_free_memory();
  memory_releases_.fetch_add(1);
}

void WebServer::install_routes() {
  // httplib routes by regex: the configured path matches literally.
  const std::string metrics_route =
      std::regex_replace(options_.telemetry_path, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  server_.Get(metrics_route, [this](const httplib::Request& req, httplib::Response& res) {
    begin_scrape();
    serve_metrics(req, res);
  });

  server_.Get("/probe", [this](const httplib::Request& req, httplib::Response& res) {
    begin_scrape();
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
  server_.Post("/-/reload",
               [this](const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& content) { serve_reload(req, res, content); });
  // Any other method on /-/reload gets 405 from the pre-routing handler (install_guards).

  server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        render_landing_page(engine_.status(), engine_.config() != nullptr, options_.telemetry_path),
        "text/html; charset=utf-8");
  });

  install_error_handlers();
}

void WebServer::serve_reload(const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& content) {
  // The body means nothing, but it is read (within the limit) so that no byte of it is left
  // to be taken for the next request; a chunked one has no Content-Length to check up front.
  // Without Content-Length or chunking (a bare `curl -X POST`) there is no body to read.
  size_t body_bytes = 0;
  const bool read = !has_body(req) || content([&](const char*, size_t n) {
    body_bytes += n;
    return body_bytes <= options_.max_body_bytes;
  });
  if (!read) {
    return reject(
        res, 413,
        "request body too large: at most " + std::to_string(options_.max_body_bytes) + " bytes\n");
  }
  log::info("reload requested over HTTP");
  auto error = reloader_.reload();
  if (auto web_error = reload_web_config()) error = error ? *error + "; " + *web_error : *web_error;
  if (error) {
    res.status = 500;
    res.set_content("failed to reload config: " + *error + "\n", "text/plain; charset=utf-8");
  } else {
    res.set_content("config reloaded\n", "text/plain; charset=utf-8");
  }
}

// Refusals end the connection; an exception is a 500 that names nothing internal.
void WebServer::install_error_handlers() {
  // A refusal cpp-httplib makes itself (404, 400, 413, 414) ends the connection as ours do.
  server_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (res.status >= 400 && res.status < 500) {
          if (!res.has_header("Connection")) res.set_header("Connection", "close");
          t_close_connection = true;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      }));

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

void WebServer::serve_metrics(const httplib::Request& req, httplib::Response& res) {
  const auto config = engine_.config();
  const Duration offset = config ? config->global.scrape_timeout_offset : Duration::zero();
  auto timeout = scrape_timeout_from_header(
      req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"), offset);
  const auto result = engine_.collect_all(timeout);
  // ?format= overrides negotiation, so one Prometheus can scrape both forms side by side.
  const std::string param = req.get_param_value("format");
  const bool openmetrics = param == "openmetrics" ||
                           (param != "text" && wants_openmetrics(req.get_header_value("Accept")));
  const auto format = openmetrics ? ExpositionFormat::kOpenMetrics : ExpositionFormat::kText;
  const bool gzip = accepts_gzip(req.get_header_value("Accept-Encoding"));
  // The vendor families: one rendering per collection, shared by every scrape that serves it.
  const auto vendor = exposition_cache_.get(result.metrics, format, gzip);
  // What changes with every scrape goes after them, rendered for this response alone. Their names
  // (fleet_usage_exporter_*, process_*) are never a vendor's, so no family is split in two.
  MetricView live;
  live.add(engine_.self().collect());
  live.add(collect_process_metrics());
  if (config) live.add(spend_metrics(*config));  // prices from the config, periods from now
  std::string tail;
  render_exposition(live, format, tail);
  if (openmetrics) tail += "# EOF\n";
  // The encoding is decided here (gzip or none): cpp-httplib would otherwise compress the body
  // (again) on its own reading of the header. The request is its own object, not a const one.
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  // The shared rendering is sent from the cache: each response adds only its own part around it.
  SharedBody body;
  body.owner = vendor;
  if (gzip) {
    body.head = gzip_header();
    body.shared = vendor->deflate.deflate;
    write_gzip_end(vendor->deflate, tail, body.tail);
    res.set_header("Content-Encoding", "gzip");
  } else {
    body.shared = vendor->text;
    body.tail = std::move(tail);
  }
  res.set_header("Vary", "Accept-Encoding");
  defer_body(req, res, std::move(body), openmetrics ? kOpenMetricsContentType : kTextContentType);
}

void WebServer::bind(const std::string& host, int port) {
  const int fd = open_listen_socket(host, port, options_.listen_backlog);
  front_.add_listener(fd);
  port_ = bound_port(fd);
}

void WebServer::adopt(int listening_fd) {
  front_.add_listener(listening_fd);
  if (port_ == 0) port_ = bound_port(listening_fd);
}

void WebServer::serve() { front_.run(); }

void WebServer::start() {
  thread_ = std::thread([this] { serve(); });
  for (int i = 0; i < 5000 && !front_.running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void WebServer::stop() {
  front_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace fue
