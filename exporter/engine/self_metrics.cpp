#include "exporter/engine/self_metrics.h"

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <span>
#include <string_view>
#include <tuple>

#include "build_info.h"
#include "exporter/core/clock.h"

namespace fue {
namespace {

using Key = std::pair<std::string, std::string>;  // vendor, target

constexpr std::array<double, 11> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,    2.5,   5,    10};

// Reasons a target can fail with, made visible at 0 so that rate() and alerts see them early.
constexpr std::array<const char*, 10> kKnownErrorReasons = {
    "timeout",      "deadline_exceeded",  "connect_error",
    "tls_error",    "rate_limited",       "bad_json",
    "bad_response", "response_too_large", "token_exchange_failed",
    "internal"};

constexpr std::span<const std::string_view> kNoLabels;

const char* compiler() {
#if defined(__clang__)
  return "clang-" __clang_version__;
#elif defined(__GNUC__)
  return "gcc-" __VERSION__;
#else
  return "unknown";
#endif
}

struct Histogram {
  std::array<uint64_t, kDurationBuckets.size()> buckets{};  // cumulative
  double sum = 0;
  uint64_t count = 0;

  void observe(double v) {
    for (size_t i = 0; i < kDurationBuckets.size(); ++i)
      if (v <= kDurationBuckets[i]) ++buckets[i];
    sum += v;
    ++count;
  }
};

struct TargetStats {
  bool up = false;
  double scrape_duration = 0;
  double last_success = 0;
  double data_age = 0;
  uint64_t collections = 0;
  uint64_t cache_hits = 0;
  uint64_t retries = 0;
  uint64_t rate_limited = 0;
  uint64_t dropped_series = 0;
  std::map<std::string, uint64_t> errors;
  std::map<std::string, uint64_t> partial_errors;
  std::map<std::pair<std::string, std::string>, uint64_t> requests;  // endpoint, code
  std::map<std::string, Histogram> request_durations;                // endpoint
  std::map<std::string, SelfMetrics::ListingFigures> listings;       // endpoint
};

// Shared with the request observers, which live in the targets' HTTP clients and may outlive a
// reload that dropped their target.
struct State {
  mutable std::mutex mutex;
  std::map<Key, TargetStats> targets;
  uint64_t duplicates_removed = 0;
  bool last_reload_ok = false;
  double last_reload_success = 0;
  uint64_t reloads_ok = 0;
  uint64_t reloads_failed = 0;
  double scrape_duration = 0;

  // Runs fn on a registered target's stats; events for unknown (forgotten) targets are dropped.
  template <class Fn>
  void with(const std::string& vendor, const std::string& target, Fn&& fn) {
    std::lock_guard lock(mutex);
    auto it = targets.find({vendor, target});
    if (it != targets.end()) fn(it->second);
  }
};

class Observer : public http::RequestObserver {
 public:
  Observer(std::shared_ptr<State> impl, std::string vendor, std::string target)
      : impl_(std::move(impl)), vendor_(std::move(vendor)), target_(std::move(target)) {}

  void on_request(const std::string& endpoint, const std::string& code, double seconds) override {
    impl_->with(vendor_, target_, [&](TargetStats& s) {
      ++s.requests[{endpoint, code}];
      s.request_durations[endpoint].observe(seconds);
    });
  }
  void on_rate_limited() override {
    impl_->with(vendor_, target_, [](TargetStats& s) { ++s.rate_limited; });
  }
  void on_retry() override {
    impl_->with(vendor_, target_, [](TargetStats& s) { ++s.retries; });
  }

 private:
  std::shared_ptr<State> impl_;
  std::string vendor_;
  std::string target_;
};

}  // namespace

struct SelfMetrics::Impl {
  std::shared_ptr<State> state = std::make_shared<State>();
};

SelfMetrics::SelfMetrics() : impl_(std::make_unique<Impl>()) {}
SelfMetrics::~SelfMetrics() = default;

void SelfMetrics::register_target(const std::string& vendor, const std::string& target) {
  auto& st = *impl_->state;
  std::lock_guard lock(st.mutex);
  auto& stats = st.targets[{vendor, target}];
  for (const char* reason : kKnownErrorReasons) stats.errors.try_emplace(reason, 0);
}

void SelfMetrics::forget_target(const std::string& vendor, const std::string& target) {
  auto& st = *impl_->state;
  std::lock_guard lock(st.mutex);
  st.targets.erase({vendor, target});
}

std::shared_ptr<http::RequestObserver> SelfMetrics::observer(const std::string& vendor,
                                                             const std::string& target) {
  return std::make_shared<Observer>(impl_->state, vendor, target);
}

void SelfMetrics::record_collection(const std::string& vendor, const std::string& target,
                                    bool success, double duration_seconds,
                                    const std::string& error_reason) {
  const double now = unix_now();
  impl_->state->with(vendor, target, [&](TargetStats& s) {
    ++s.collections;
    s.up = success;
    s.scrape_duration = duration_seconds;
    if (success) {
      s.last_success = now;
      s.data_age = 0;
    } else {
      ++s.errors[error_reason.empty() ? "internal" : error_reason];
    }
  });
}

void SelfMetrics::record_cache_hit(const std::string& vendor, const std::string& target,
                                   double data_age_seconds) {
  impl_->state->with(vendor, target, [&](TargetStats& s) {
    ++s.cache_hits;
    s.up = true;
    s.data_age = data_age_seconds;
  });
}

void SelfMetrics::record_partial_error(const std::string& vendor, const std::string& target,
                                       const std::string& reason) {
  impl_->state->with(vendor, target, [&](TargetStats& s) { ++s.partial_errors[reason]; });
}

void SelfMetrics::record_dropped_series(const std::string& vendor, const std::string& target,
                                        uint64_t series) {
  impl_->state->with(vendor, target, [&](TargetStats& s) { s.dropped_series += series; });
}

void SelfMetrics::record_listings(const std::string& vendor, const std::string& target,
                                  std::map<std::string, ListingFigures> listings) {
  impl_->state->with(vendor, target, [&](TargetStats& s) { s.listings = std::move(listings); });
}

void SelfMetrics::record_duplicates_removed(uint64_t samples) {
  auto& st = *impl_->state;
  std::lock_guard lock(st.mutex);
  st.duplicates_removed += samples;
}

void SelfMetrics::record_reload(bool success) {
  auto& st = *impl_->state;
  std::lock_guard lock(st.mutex);
  st.last_reload_ok = success;
  if (success) {
    ++st.reloads_ok;
    st.last_reload_success = unix_now();
  } else {
    ++st.reloads_failed;
  }
}

void SelfMetrics::record_scrape_duration(double seconds) {
  auto& st = *impl_->state;
  std::lock_guard lock(st.mutex);
  st.scrape_duration = seconds;
}

namespace {

// A family of one value per target, read from its TargetStats.
struct PerTargetScalar {
  std::string_view name;
  std::string_view help;
  MetricType type;
  double (*value_of)(const TargetStats&);
};

const std::vector<PerTargetScalar>& per_target_scalars() {
  static const std::vector<PerTargetScalar> kScalars = {
      {"fleet_usage_exporter_target_up",
       "Whether the last collection of the target succeeded (1) or failed (0).", MetricType::kGauge,
       +[](const TargetStats& s) -> double { return s.up ? 1.0 : 0.0; }},
      {"fleet_usage_exporter_target_scrape_duration_seconds",
       "How long the last upstream collection of the target took, in seconds.", MetricType::kGauge,
       +[](const TargetStats& s) -> double { return s.scrape_duration; }},
      {"fleet_usage_exporter_target_last_success_timestamp_seconds",
       "Unix time of the target's last successful upstream collection; 0 when never.",
       MetricType::kGauge, +[](const TargetStats& s) -> double { return s.last_success; }},
      {"fleet_usage_exporter_target_data_age_seconds",
       "Age of the served data in seconds: 0 when freshly collected, more when served from "
       "the min_interval cache.",
       MetricType::kGauge, +[](const TargetStats& s) -> double { return s.data_age; }},
      {"fleet_usage_exporter_target_collections_total",
       "Upstream collections of the target actually run (shared single-flight waits and "
       "cache hits excluded).",
       MetricType::kCounter,
       +[](const TargetStats& s) -> double { return static_cast<double>(s.collections); }},
      {"fleet_usage_exporter_target_cache_hits_total",
       "Scrapes of the target served from the min_interval cache.", MetricType::kCounter,
       +[](const TargetStats& s) -> double { return static_cast<double>(s.cache_hits); }},
      {"fleet_usage_exporter_api_retries_total",
       "Upstream API requests retried after a connection error or 5xx.", MetricType::kCounter,
       +[](const TargetStats& s) -> double { return static_cast<double>(s.retries); }},
      {"fleet_usage_exporter_api_rate_limited_total",
       "Upstream API responses that were rate limited (HTTP 429).", MetricType::kCounter,
       +[](const TargetStats& s) -> double { return static_cast<double>(s.rate_limited); }},
      {"fleet_usage_exporter_dropped_series_total",
       "Per-resource series not exported because the target's max_resources cap was "
       "reached.",
       MetricType::kCounter,
       +[](const TargetStats& s) -> double { return static_cast<double>(s.dropped_series); }},
  };
  return kScalars;
}

// Families of one value per target and reason, endpoint or listing source.
void add_per_target_breakdowns(const std::map<Key, TargetStats>& targets, MetricSet& set) {
  auto& errors =
      set.counter("fleet_usage_exporter_target_scrape_errors_total",
                  "Failed collections of the target by reason.", {"vendor", "target", "reason"});
  auto& partial =
      set.counter("fleet_usage_exporter_target_partial_errors_total",
                  "Problems that failed part of a collection but not the whole target, by reason.",
                  {"vendor", "target", "reason"});
  auto& requests = set.counter("fleet_usage_exporter_api_requests_total",
                               "Upstream API requests by endpoint and HTTP status code (or "
                               "\"error\" / \"timeout\" without a response).",
                               {"vendor", "target", "endpoint", "code"});
  auto& durations = set.family("fleet_usage_exporter_api_request_duration_seconds",
                               "Upstream API request durations in seconds, by endpoint.",
                               MetricType::kHistogram, {"vendor", "target", "endpoint"});
  auto& listings =
      set.gauge("fleet_usage_exporter_listing_resources",
                "Resources the last listings found (source=\"listed\") and the vendor reported "
                "(source=\"reported\").",
                {"vendor", "target", "endpoint", "source"});
  for (const auto& [key, s] : targets) {
    for (const auto& [endpoint, l] : s.listings) {
      listings.add({key.first, key.second, endpoint, "listed"}, l.listed);
      if (l.reported) listings.add({key.first, key.second, endpoint, "reported"}, *l.reported);
    }
    for (const auto& [reason, n] : s.errors)
      errors.add({key.first, key.second, reason}, static_cast<double>(n));
    for (const auto& [reason, n] : s.partial_errors)
      partial.add({key.first, key.second, reason}, static_cast<double>(n));
    for (const auto& [ep, n] : s.requests)
      requests.add({key.first, key.second, ep.first, ep.second}, static_cast<double>(n));
    for (const auto& [endpoint, h] : s.request_durations) {
      const std::array<std::string_view, 3> values = {key.first, key.second, endpoint};
      durations.add_histogram(values, kDurationBuckets, h.buckets, h.sum, h.count);
    }
  }
}

}  // namespace

MetricSet SelfMetrics::collect() const {
  const auto& st = *impl_->state;
  std::lock_guard lock(st.mutex);
  MetricSet set;
  for (const auto& scalar : per_target_scalars()) {
    auto& f = set.family(scalar.name, scalar.help, scalar.type, {"vendor", "target"});
    for (const auto& [key, s] : st.targets) f.add({key.first, key.second}, scalar.value_of(s));
  }
  add_per_target_breakdowns(st.targets, set);
  set.counter("fleet_usage_exporter_duplicate_series_dropped_total",
              "Samples removed because another sample had the same metric name and labels.")
      .add(kNoLabels, static_cast<double>(st.duplicates_removed));
  set.gauge("fleet_usage_exporter_config_last_reload_successful",
            "Whether the last configuration load (start-up or reload) succeeded.")
      .add(kNoLabels, st.last_reload_ok ? 1.0 : 0.0);
  set.gauge("fleet_usage_exporter_config_last_reload_success_timestamp_seconds",
            "Unix time of the last successful configuration load; 0 when never.")
      .add(kNoLabels, st.last_reload_success);
  auto& reloads = set.counter("fleet_usage_exporter_config_reloads_total",
                              "Configuration loads (start-up included) by result.", {"result"});
  reloads.add({"success"}, static_cast<double>(st.reloads_ok));
  reloads.add({"failure"}, static_cast<double>(st.reloads_failed));
  set.gauge("fleet_usage_exporter_build_info", "Build facts of the running exporter; always 1.",
            {"version", "revision", "branch", "compiler", "platform"})
      .add({build::kVersion, build::kRevision, build::kBranch, compiler(), build::kPlatform}, 1);
  set.gauge("fleet_usage_exporter_scrape_duration_seconds",
            "How long the last whole collection of every target took, in seconds.")
      .add(kNoLabels, st.scrape_duration);
  return set;
}

}  // namespace fue
