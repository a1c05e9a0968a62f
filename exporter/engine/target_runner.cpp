#include "exporter/engine/target_runner.h"

#include <chrono>
#include <functional>
#include <map>
#include <sstream>

#include "build_info.h"
#include "exporter/core/clock.h"
#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/core/reasons.h"

namespace fue {

struct TargetRunner::Flight {
  explicit Flight(Deadline d) : deadline(d) {}
  std::mutex mutex;
  std::condition_variable done;
  const Deadline deadline;  // the deadline of the scrape that started it
  const Clock::time_point started = Clock::now();
  WorkerPool* page_pool = nullptr;  // lent to its listings' pages
  bool settled = false;
  TargetOutcome outcome;
};

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

TargetOutcome failure(std::string reason, std::string message) {
  return TargetOutcome{false, nullptr, std::move(reason), std::move(message)};
}

TargetOutcome deadline_exceeded(const Deadline& deadline, Clock::time_point started) {
  const auto ms = std::chrono::duration_cast<Duration>(deadline.at() - started).count();
  return failure("deadline_exceeded",
                 "collection did not finish within its deadline of " + std::to_string(ms) + "ms");
}

}  // namespace

std::string target_fingerprint(const TargetConfig& t, const std::string& user_agent) {
  std::ostringstream out;
  auto field = [&](std::string_view key, const auto& value) { out << key << '=' << value << '\n'; };
  field("vendor", t.vendor);
  field("name", t.name);
  field("enabled", t.enabled);
  field("base_url", t.base_url);
  field("timeout_ms", t.timeout.count());
  field("min_interval_ms", t.min_interval.count());
  for (const auto& g : t.groups) field("group", g);
  field("per_resource_series", t.per_resource_series);
  field("max_resources", t.max_resources);
  field("ca_file", t.http.ca_file);
  field("insecure_skip_verify", t.http.insecure_skip_verify);
  field("proxy_url", t.http.proxy_url);
  field("max_response_bytes", t.http.max_response_bytes);
  field("max_attempts", t.http.max_attempts);
  field("concurrency", t.http.concurrency);
  field("user_agent", user_agent);
  if (!t.settings) return out.str();
  std::vector<std::pair<std::string, std::string>> described;
  t.settings->describe(described);
  for (const auto& [k, v] : described) field(k, v);
  std::vector<const Secret*> secrets;
  t.settings->secrets(secrets);  // pure virtual: every vendor reports its credentials
  // Hashes, so the fingerprint never holds a credential itself.
  for (const Secret* s : secrets) field("secret", std::hash<std::string>{}(s->reveal()));
  return out.str();
}

TargetRunner::TargetRunner(TargetConfig target, const VendorDescriptor& vendor,
                           std::shared_ptr<SelfMetrics> self, std::string user_agent)
    : target_(std::move(target)),
      fingerprint_(target_fingerprint(target_, user_agent)),
      self_(std::move(self)) {
  client_ =
      std::make_unique<http::Client>(client_options_for(target_, vendor, std::move(user_agent)),
                                     self_->observer(target_.vendor, target_.name));
  try {
    scraper_ = make_scraper(vendor, target_, *client_);
  } catch (const std::exception& e) {
    create_error_ = e.what();
    log::error("cannot build the scraper",
               {{"vendor", target_.vendor}, {"target", target_.name}, {"error", create_error_}});
  }
  status_.vendor = target_.vendor;
  status_.name = target_.name;
}

TargetRunner::~TargetRunner() = default;

TargetRunner::Ticket TargetRunner::begin(const Deadline& deadline, WorkerPool& pool,
                                         WorkerPool* page_pool) {
  std::shared_ptr<Flight> flight;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (cached_ && target_.min_interval > Duration::zero() &&
        Clock::now() - cached_at_ < target_.min_interval) {
      self_->record_cache_hit(target_.vendor, target_.name, seconds_since(cached_at_));
      status_.up = true;
      return Ticket{nullptr, TargetOutcome{true, cached_, "", ""}, deadline};
    }
    if (!in_flight_) {
      in_flight_ = std::make_shared<Flight>(deadline);
      in_flight_->page_pool = page_pool;
      start = true;
    }
    flight = in_flight_;
  }
  if (start) pool.submit([self = shared_from_this(), flight] { self->run(flight); });
  return Ticket{flight, std::nullopt, deadline};
}

TargetOutcome TargetRunner::finish(Ticket& ticket) {
  if (ticket.immediate) return *ticket.immediate;
  Flight& f = *ticket.flight;
  const bool own_deadline_first = ticket.deadline.at() < f.deadline.at();
  const auto give_up_at = (own_deadline_first ? ticket.deadline : f.deadline).at() + kGrace;
  std::unique_lock lock(f.mutex);
  f.done.wait_until(lock, give_up_at, [&] { return f.settled; });
  if (f.settled) return f.outcome;
  // This waiter's own, shorter deadline passed: the flight itself may still succeed for others.
  if (own_deadline_first) return deadline_exceeded(ticket.deadline, f.started);
  settle(f, deadline_exceeded(f.deadline, f.started));
  f.done.notify_all();
  return f.outcome;
}

void TargetRunner::run(const std::shared_ptr<Flight>& flight) {
  TargetOutcome outcome = flight->deadline.expired()
                              ? failure("deadline_exceeded", "queued until past the deadline")
                              : collect_upstream(flight->deadline, flight->page_pool);
  {
    std::lock_guard lock(flight->mutex);
    if (!flight->settled) {
      settle(*flight, std::move(outcome));
    } else if (outcome.ok) {
      log::debug("discarding a late result",
                 {{"vendor", target_.vendor}, {"target", target_.name}});
    }
    // Cleared before any waiter wakes, so a scrape that follows never joins this finished
    // flight; only now may a new collection start, so one scraper never runs twice at once.
    std::lock_guard runner_lock(mutex_);
    if (in_flight_ == flight) in_flight_.reset();
  }
  flight->done.notify_all();
}

TargetOutcome TargetRunner::collect_upstream(const Deadline& deadline, WorkerPool* page_pool) {
  auto out = std::make_shared<MetricSet>(
      std::vector<std::pair<std::string, std::string>>{{"target", target_.name}});
  SeriesCap cap(target_.per_resource_series, target_.max_resources);
  ScrapeContext ctx{target_,
                    *client_,
                    deadline,
                    *out,
                    cap,
                    [this](std::string_view reason, std::string_view message) {
                      log::warn("partial collection error", {{"vendor", target_.vendor},
                                                             {"target", target_.name},
                                                             {"reason", reason},
                                                             {"error", message}});
                      self_->record_partial_error(target_.vendor, target_.name,
                                                  std::string(reason));
                    }};
  // Summed per endpoint over the collection's listings (one per project, instance, filter...).
  std::mutex listings_mutex;
  std::map<std::string, SelfMetrics::ListingFigures> listings;
  ctx.listing = [&](std::string_view endpoint, size_t listed, std::optional<int64_t> reported) {
    std::lock_guard lock(listings_mutex);
    auto [it, fresh] = listings.try_emplace(std::string(endpoint));
    auto& l = it->second;
    l.listed += static_cast<double>(listed);
    if (fresh && reported)
      l.reported = static_cast<double>(*reported);
    else if (l.reported && reported)
      *l.reported += static_cast<double>(*reported);
    else
      l.reported.reset();  // a listing without a total: no sum to compare with
  };
  ctx.pool = page_pool;
  TargetOutcome outcome;
  try {
    if (!scraper_) throw ScrapeError(reason::kInternal, "scraper unavailable: " + create_error_);
    scraper_->collect(ctx);
    // Once per collection, not per scrape: the set is then served, shared, until the next one.
    if (const size_t removed = out->remove_duplicates(); removed > 0)
      self_->record_duplicates_removed(removed);
    outcome = TargetOutcome{true, std::move(out), "", ""};
  } catch (const ScrapeError& e) {
    outcome = failure(e.reason().empty() ? "internal" : e.reason(), e.what());
  } catch (const std::exception& e) {
    outcome = failure("internal", e.what());
  } catch (...) {
    outcome = failure("internal", "unknown exception");
  }
  if (cap.dropped_series() > 0)
    self_->record_dropped_series(target_.vendor, target_.name, cap.dropped_series());
  self_->record_listings(target_.vendor, target_.name, std::move(listings));
  return outcome;
}

void TargetRunner::settle(Flight& f, TargetOutcome outcome) {
  f.settled = true;
  f.outcome = std::move(outcome);
  const double duration = seconds_since(f.started);
  const auto& o = f.outcome;
  self_->record_collection(target_.vendor, target_.name, o.ok, duration, o.reason);
  if (o.ok) {
    log::debug("target collected", {{"vendor", target_.vendor},
                                    {"target", target_.name},
                                    {"duration_seconds", std::to_string(duration)}});
  } else {
    log::warn("target collection failed", {{"vendor", target_.vendor},
                                           {"target", target_.name},
                                           {"reason", o.reason},
                                           {"error", o.message},
                                           {"duration_seconds", std::to_string(duration)}});
  }
  std::lock_guard lock(mutex_);
  status_.up = o.ok;
  status_.last_duration_seconds = duration;
  if (o.ok) {
    status_.ever_succeeded = true;
    status_.last_success_unix = unix_now();
    status_.last_error.clear();
    if (target_.min_interval > Duration::zero()) {
      // The same set, shared rather than copied; its HELP gets the note when served from here.
      cached_ = o.metrics;
      cached_at_ = Clock::now();
    }
  } else {
    status_.last_error = log::redact(o.reason + ": " + o.message);
  }
}

TargetStatus TargetRunner::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace fue
