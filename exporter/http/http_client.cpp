#include "exporter/http/http_client.h"

#include <algorithm>
#include <cmath>

#include "exporter/core/clock.h"
#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/core/reasons.h"
#include "exporter/http/backoff.h"
#include "exporter/http/client_pool.h"
#include "exporter/http/error_body.h"
#include "exporter/http/json_util.h"
#include "exporter/http/rate_limit.h"
#include "exporter/http/url.h"

namespace fue::http {

namespace {

std::optional<Url> parse_proxy(const std::string& proxy_url) {
  if (proxy_url.empty()) return std::nullopt;
  return parse_url(proxy_url);
}

std::string endpoint_of(const Request& req) {
  return req.endpoint.empty() ? req.path : req.endpoint;
}

std::string seconds_text(double seconds) {
  return std::to_string(static_cast<long long>(std::ceil(seconds)));
}

bool is_success(int status) { return status >= 200 && status < 300; }

// Sleeps as long as a 429 asks (capped), or throws "rate_limited" when that cannot end before the
// deadline: failing fast leaves the rest of the scrape its time.
void wait_out_rate_limit(const Response& res, const ClientOptions& options,
                         const std::string& endpoint, bool last_attempt, const Deadline& deadline) {
  if (last_attempt)
    throw ScrapeError(reason::kRateLimited,
                      "rate limited by vendor on " + endpoint + "; attempts exhausted");
  auto asked = rate_limit_wait_seconds(res, options.rate_limit_headers, unix_now());
  auto wait = asked ? Duration(static_cast<Duration::rep>(std::ceil(*asked * 1000)))
                    : backoff_delay(1, options.backoff_base, options.backoff_max);
  wait = std::min(wait, options.max_rate_limit_wait);
  if (!sleep_within(wait, deadline)) {
    const double shown = asked ? *asked : std::chrono::duration<double>(wait).count();
    throw ScrapeError(reason::kRateLimited, "rate limited by vendor; retry after " +
                                                seconds_text(shown) +
                                                "s exceeds the scrape deadline");
  }
}

}  // namespace

std::string Response::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

Client::Client(ClientOptions options, std::shared_ptr<RequestObserver> observer)
    : options_(std::move(options)), observer_(std::move(observer)) {
  pool_ = std::make_unique<Pool>(parse_url(options_.base_url), options_.settings,
                                 parse_proxy(options_.settings.proxy_url));
}

Client::~Client() = default;

void Client::set_authenticator(std::shared_ptr<Authenticator> auth) { auth_ = std::move(auth); }
void Client::set_error_decoder(ErrorDecoder decoder) { decoder_ = std::move(decoder); }

RateLimitState Client::rate_limit() const {
  std::lock_guard lock(rate_mutex_);
  return rate_;
}

Response Client::send(Request req, const Deadline& deadline) {
  auto prepare = [&] {
    Request prepared = req;
    if (req.authenticate && auth_) auth_->apply(prepared, *this, deadline);
    return prepared;
  };
  Request prepared = prepare();
  bool reauthenticated = false;
  const int max_attempts = std::max(1, options_.settings.max_attempts);
  for (int attempt_no = 1;; ++attempt_no) {
    if (req.each_attempt) req.each_attempt(prepared);
    Response res;
    try {
      res = attempt(prepared, deadline);
    } catch (const ScrapeError& e) {
      // Only a failed connection is worth another try; timeouts and TLS failures would repeat.
      if (e.reason() != reason::kConnectError || attempt_no >= max_attempts) throw;
      if (!sleep_within(backoff_delay(attempt_no, options_.backoff_base, options_.backoff_max),
                        deadline))
        throw;
      if (observer_) observer_->on_retry();
      continue;
    }
    {
      std::lock_guard lock(rate_mutex_);
      record_rate_limit(res, options_.rate_limit_headers, unix_now(), rate_);
    }
    if (res.status == 401 && req.authenticate && auth_ && !reauthenticated) {
      reauthenticated = true;  // one renewal per request, so a bad credential cannot loop
      if (auth_->refresh_after_unauthorized(prepared, *this, deadline)) {
        prepared = prepare();
        --attempt_no;  // the renewed credential gets its own attempt
        if (observer_) observer_->on_retry();
        continue;
      }
    }
    if (res.status == 429) {
      if (observer_) observer_->on_rate_limited();
      wait_out_rate_limit(res, options_, endpoint_of(req), attempt_no >= max_attempts, deadline);
      if (observer_) observer_->on_retry();
      continue;
    }
    if (res.status >= 500 && attempt_no < max_attempts &&
        sleep_within(backoff_delay(attempt_no, options_.backoff_base, options_.backoff_max),
                     deadline)) {
      log::debug("retrying vendor request", {{"vendor", options_.vendor},
                                             {"target", options_.target},
                                             {"endpoint", endpoint_of(req)},
                                             {"status", std::to_string(res.status)}});
      if (observer_) observer_->on_retry();
      continue;
    }
    return res;
  }
}

std::string Client::describe(const Request& req) { return req.method + " " + endpoint_of(req); }

std::string Client::get_body(Request req, const Deadline& deadline, const std::string& what) {
  Response res = send(std::move(req), deadline);
  if (!is_success(res.status)) {
    auto reason =
        decoder_ ? one_line(decoder_(res.status, res.body)) : describe_error_body(res.body);
    throw ScrapeError(reason::http_status(res.status),
                      what + ": HTTP " + std::to_string(res.status) + ": " + reason);
  }
  return std::move(res.body);
}

nlohmann::json Client::get_json(Request req, const Deadline& deadline) {
  return get_parsed(std::move(req), deadline,
                    [](const std::string& body) { return json::parse(body); });
}

}  // namespace fue::http
