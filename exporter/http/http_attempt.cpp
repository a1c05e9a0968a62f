// One HTTP exchange of the vendor client: deadline-bound timeouts, a size-capped body, and
// transport failures turned into ScrapeError reasons.
#include <algorithm>
#include <chrono>

#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"
#include "exporter/http/body_inflater.h"
#include "exporter/http/client_pool.h"
#include "exporter/http/http_client.h"
#include "exporter/http/url.h"

namespace fue::http {

namespace {

constexpr const char* kDefaultUserAgent = "fleet-usage-exporter";

// Why the body receiver stopped reading, when it did.
struct BodySink {
  std::string body;
  std::unique_ptr<BodyInflater> inflater;  // for a gzip or deflate body
  std::string corrupt;                     // why the compressed body could not be read
  size_t received = 0;                     // bytes as they came, compressed or not
  bool too_large = false;
  bool expired = false;

  // Takes one received piece; false stops the transfer.
  bool take(const char* data, size_t size, size_t max_bytes) {
    received += size;
    if (!inflater) {
      if (body.size() + size > max_bytes) return !(too_large = true);
      body.append(data, size);
      return true;
    }
    try {
      return inflater->feed({data, size}, body, max_bytes) || !(too_large = true);
    } catch (const std::runtime_error& e) {
      corrupt = e.what();
      return false;
    }
  }
};

httplib::Request to_httplib(const Request& req, const Url& base, const std::string& user_agent) {
  httplib::Request out;
  out.method = req.method;
  out.path = request_target(base.path, req.path, req.query);
  out.headers = req.headers;
  if (!out.has_header("User-Agent"))
    out.set_header("User-Agent", user_agent.empty() ? kDefaultUserAgent : user_agent);
  if (!out.has_header("Accept-Encoding")) out.set_header("Accept-Encoding", "gzip");
  if (!out.has_header("Accept")) out.set_header("Accept", "application/json");
  out.body = req.body;
  if (!req.body.empty() || !req.content_type.empty())
    out.set_header("Content-Type",
                   req.content_type.empty() ? "application/json" : req.content_type);
  return out;
}

// The socket's read timeout is set to the time left, and select() may wake a moment before the
// deadline clock agrees; a failure that close to the deadline is the deadline's doing.
bool at_deadline(const Deadline& deadline) { return deadline.remaining() <= Duration(50); }

[[noreturn]] void throw_transport(httplib::Error error, const BodySink& sink,
                                  const Deadline& deadline, const std::string& what,
                                  const ClientOptions& options) {
  using E = httplib::Error;
  if (!sink.corrupt.empty()) throw ScrapeError(reason::kBadResponse, what + ": " + sink.corrupt);
  if (sink.too_large)
    throw ScrapeError(reason::kResponseTooLarge,
                      what + ": response body exceeds " +
                          std::to_string(options.settings.max_response_bytes) + " bytes");
  if (sink.expired || at_deadline(deadline))
    throw ScrapeError(reason::kTimeout, what + ": deadline exceeded");
  if (error == E::SSLConnection || error == E::SSLLoadingCerts || error == E::SSLServerVerification)
    throw ScrapeError(reason::kTlsError,
                      what + ": TLS failure (" + httplib::to_string(error) +
                          "); check ca_file, or set insecure_skip_verify explicitly");
  throw ScrapeError(reason::kConnectError, what + ": " + httplib::to_string(error));
}

}  // namespace

Response Client::attempt(const Request& req, const Deadline& deadline) {
  const std::string what = req.method + " " + (req.endpoint.empty() ? req.path : req.endpoint);
  const auto remaining = deadline.remaining();
  if (remaining <= Duration::zero())
    throw ScrapeError(reason::kTimeout, what + ": deadline exceeded before the request");
  const Url url = req.base_url.empty() ? pool_->base : parse_url(req.base_url);
  auto lease = pool_->connections.borrow(url);
  lease->set_connection_timeout(std::min(options_.connect_timeout, remaining));
  lease->set_read_timeout(remaining);
  lease->set_write_timeout(remaining);

  httplib::Request hreq = to_httplib(req, url, options_.user_agent);
  BodySink sink;
  const size_t max_bytes = options_.settings.max_response_bytes;
  // The connection pool turns httplib's own (zlib) decompression off: bodies inflate here.
  hreq.response_handler = [&](const httplib::Response& res) {
    try {
      sink.inflater = inflater_for(res.get_header_value("Content-Encoding"));
    } catch (const std::runtime_error& e) {
      sink.corrupt = e.what();
      return false;
    }
    return true;
  };
  hreq.content_receiver = [&](const char* data, size_t size, uint64_t offset, uint64_t total) {
    // The whole body at once when its length is announced (and allowed): a megabyte page
    // otherwise regrows and copies itself a dozen times. A compressed one is reserved at 32x,
    // which costs nothing where it is not written; the spare 64 bytes let simdjson read the
    // body in place (json_simd.h).
    if (offset == 0 && total > size && total <= max_bytes)
      sink.body.reserve(std::min<uint64_t>(max_bytes, sink.inflater ? total * 32 : total) + 64);
    if (deadline.expired())
      return !(sink.expired = true);  // a slow drip must not outlive the scrape
    return sink.take(data, size, max_bytes);
  };

  const auto started = Clock::now();
  auto result = lease->send(hreq);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const std::string endpoint = req.endpoint.empty() ? req.path : req.endpoint;
  // A compressed body cut short would otherwise read as a shorter body.
  if (sink.inflater && sink.received > 0 && result && !sink.inflater->finished() &&
      sink.corrupt.empty())
    sink.corrupt = "compressed body ends before its end of stream";
  if (!result || sink.too_large || sink.expired || !sink.corrupt.empty()) {
    const bool timed_out = sink.expired || (!sink.too_large && at_deadline(deadline));
    if (observer_) observer_->on_request(endpoint, timed_out ? "timeout" : "error", seconds);
    throw_transport(result.error(), sink, deadline, what + " (" + url.origin() + ")", options_);
  }
  if (observer_) observer_->on_request(endpoint, std::to_string(result->status), seconds);
  return Response{result->status, result->headers, std::move(sink.body)};
}

}  // namespace fue::http
