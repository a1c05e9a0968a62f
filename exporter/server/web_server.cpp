#include "exporter/server/web_server.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "exporter/core/log.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/landing_page.h"

namespace fue {

std::optional<Duration> scrape_timeout_from_header(const std::string& header, Duration offset) {
  if (header.empty()) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(header.c_str(), &end);
  if (end == header.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0)
    return std::nullopt;
  const auto given = Duration(static_cast<int64_t>(seconds * 1000));
  const auto reduced = given - offset;
  return reduced > Duration::zero() ? reduced : given;
}

WebServer::WebServer(Engine& engine, ConfigReloader& reloader)
    : engine_(engine), reloader_(reloader) {
  install_routes();
}

WebServer::~WebServer() { stop(); }

void WebServer::install_routes() {
  server_.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    const auto config = engine_.config();
    const Duration offset = config ? config->global.scrape_timeout_offset : Duration::zero();
    auto timeout = scrape_timeout_from_header(
        req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"), offset);
    auto result = engine_.collect_all(timeout);
    result.metrics.merge(engine_.self().collect());
    std::string body;
    serialize_text(result.metrics, body);
    // httplib gzips (or brotli-compresses) text/* bodies when the client accepts it.
    res.set_content(std::move(body), kTextContentType);
  });

  server_.Get("/probe", [this](const httplib::Request& req, httplib::Response& res) {
    const auto vendor = req.get_param_value("vendor");
    const auto target = req.get_param_value("target");
    const auto config = engine_.config();
    const Duration offset = config ? config->global.scrape_timeout_offset : Duration::zero();
    auto timeout = scrape_timeout_from_header(
        req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"), offset);
    auto result = engine_.collect_one(vendor, target, timeout);
    if (!result) {
      res.status = 404;
      res.set_content("unknown target: use /probe?vendor=<vendor>&target=<name>\n", "text/plain");
      return;
    }
    std::string body;
    serialize_text(result->metrics, body);
    res.set_content(std::move(body), kTextContentType);
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
  server_.Get("/-/reload", [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "POST");
    res.set_content("This endpoint requires a POST request.\n", "text/plain; charset=utf-8");
  });

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
