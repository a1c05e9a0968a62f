#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/core/deadline.h"
#include "exporter/core/errors.h"

namespace fue::http {

using Headers = httplib::Headers;                                // case-insensitive multimap
using Query = std::vector<std::pair<std::string, std::string>>;  // order kept, keys may repeat

struct Request {
  std::string method = "GET";
  std::string path;  // appended to the base URL's own path, e.g. "/v7/usage"
  Query query;
  Headers headers;
  std::string body;
  std::string content_type;  // for a body
  // Low-cardinality name for self-metrics, e.g. "usage_data"; defaults to the path.
  std::string endpoint;
  bool authenticate = true;  // false for the token exchange itself
  // Another origin for this one request, e.g. an IAM host: "https://iam.example.com[/prefix]".
  std::string base_url;
  // Called on the request before each attempt, retries included, e.g. for a fresh request id.
  std::function<void(Request&)> each_attempt{};
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  std::string header(const std::string& name) const;  // "" when absent
};

// The names of a vendor's rate-limit headers; empty names mean the vendor sends none.
struct RateLimitHeaders {
  std::string limit;
  std::string remaining;
  std::string reset;
  bool reset_is_epoch = true;  // Unix seconds; otherwise seconds from now
};

// The latest rate-limit figures a vendor sent, if any.
struct RateLimitState {
  std::optional<double> limit;
  std::optional<double> remaining;
  std::optional<double> reset_epoch_seconds;
};

// Receives one event per upstream request; the engine's self-metrics implement it.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // `code` is the HTTP status as text, or "error" / "timeout" when there was no response.
  virtual void on_request(const std::string& endpoint, const std::string& code, double seconds) = 0;
  virtual void on_rate_limited() = 0;
  virtual void on_retry() = 0;
};

class Client;

// Adds credentials to each request. A token-based one can refresh after a 401.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual void apply(Request& req, Client& client, const Deadline& deadline) = 0;
  // Called once after a 401 to `rejected` (the request as sent, credentials included): true if
  // the credentials were renewed and the request should be retried.
  virtual bool refresh_after_unauthorized(const Request& rejected, Client& client,
                                          const Deadline& deadline) {
    return false;
  }
};

// Turns a vendor's error body into a one-line reason, e.g. "404 NotFound: Instance was not found".
using ErrorDecoder = std::function<std::string(int status, const std::string& body)>;

struct ClientOptions {
  std::string base_url;  // scheme://host[:port][/path]
  HttpSettings settings;
  std::string user_agent;
  Duration connect_timeout{3000};
  Duration backoff_base{200};
  Duration backoff_max{2000};
  Duration max_rate_limit_wait{60000};  // never past the deadline either
  RateLimitHeaders rate_limit_headers;
  std::string vendor;  // for log lines
  std::string target;
};

// One long-lived client per target: a small pool of keep-alive connections (one per concurrent
// request), TLS verification, proxy, deadline-bound timeouts, a response size cap, retries with
// jittered backoff for connection errors and 5xx, and 429 handling that honours Retry-After or
// the vendor's reset headers. Thread-safe.
class Client {
 public:
  Client(ClientOptions options, std::shared_ptr<RequestObserver> observer);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void set_authenticator(std::shared_ptr<Authenticator> auth);
  void set_error_decoder(ErrorDecoder decoder);

  // Returns the final response whatever its status. Throws ScrapeError for transport failures
  // ("connect_error", "timeout", "response_too_large", "tls_error") and for a 429 that cannot be
  // waited out before the deadline ("rate_limited").
  Response send(Request req, const Deadline& deadline);
  // send(), then requires 2xx (else ScrapeError "http_<status>" with the decoded reason) and
  // parses the body as JSON (else ScrapeError "bad_json").
  nlohmann::json get_json(Request req, const Deadline& deadline);
  // get_json() with the caller's parser: parse(body), a const std::string&, of a 2xx body, its
  // bad_json errors prefixed with the request like get_json's. For listing pages read with simdjson
  // (json_simd.h).
  template <class Parse>
  auto get_parsed(Request req, const Deadline& deadline, Parse&& parse) {
    const std::string what = describe(req);
    const std::string body = get_body(std::move(req), deadline, what);
    try {
      return parse(body);
    } catch (const ScrapeError& e) {
      if (e.reason() != reason::kBadJson) throw;
      throw ScrapeError(reason::kBadJson, what + ": " + e.what());
    }
  }

  RateLimitState rate_limit() const;
  const ClientOptions& options() const { return options_; }

 private:
  struct Pool;
  Response attempt(const Request& req, const Deadline& deadline);
  static std::string describe(const Request& req);  // "GET endpoint", for error texts
  // send(), then the body of a 2xx response; any other status throws as get_json documents,
  // its text starting with `what` (describe(req)).
  std::string get_body(Request req, const Deadline& deadline, const std::string& what);

  ClientOptions options_;
  std::shared_ptr<RequestObserver> observer_;
  std::shared_ptr<Authenticator> auth_;
  ErrorDecoder decoder_;
  std::unique_ptr<Pool> pool_;
  mutable std::mutex rate_mutex_;
  RateLimitState rate_;
};

// "Authorization: Bearer <secret>".
std::shared_ptr<Authenticator> bearer_auth(Secret token);
// "<header>: <secret>" for a pre-issued token, e.g. X-Auth-Token from a token file.
std::shared_ptr<Authenticator> static_header_auth(std::string header, Secret token);

}  // namespace fue::http
