#include "exporter/engine/engine.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

#include "exporter/core/log.h"
#include "exporter/engine/target_runner.h"
#include "exporter/engine/worker_pool.h"

namespace fue {

struct Engine::Impl {
  explicit Impl(const VendorRegistry& v) : vendors(v) {}

  const VendorRegistry& vendors;
  mutable std::mutex mutex;
  std::shared_ptr<const ExporterConfig> config;
  std::vector<std::shared_ptr<TargetRunner>> runners;  // enabled targets, in config order
  struct Adhoc {
    std::string group;
    std::shared_ptr<TargetRunner> runner;
    Clock::time_point last_used;
  };
  std::map<std::string, Adhoc> adhoc;  // group + '\n' + target id; guarded by mutex
  // The threads that fetch a running target's pages: its concurrency - 1 helpers each. Sharing
  // the targets' pool left KooPhone's 100 pages 3 helpers of 7 while four targets ran.
  // Destroyed after `pool`, whose collections wait for their pages.
  std::unique_ptr<WorkerPool> page_pool;
  // Declared last so it is destroyed first: its threads finish their jobs while runners live.
  std::unique_ptr<WorkerPool> pool;

  std::vector<std::shared_ptr<TargetRunner>> snapshot() const {
    std::lock_guard lock(mutex);
    return runners;
  }
};

namespace {

Deadline deadline_for(const TargetConfig& target, std::optional<Duration> scrape_timeout) {
  Duration d = target.timeout;
  if (scrape_timeout) d = std::min(d, *scrape_timeout);
  return Deadline::after(d);
}

}  // namespace

Engine::Engine(const VendorRegistry& vendors, std::shared_ptr<SelfMetrics> self)
    : impl_(std::make_unique<Impl>(vendors)), self_(std::move(self)) {}

Engine::~Engine() = default;

namespace {

// Enough page helpers for the `running` targets with the highest concurrency to run at it.
int page_helpers(const std::vector<std::shared_ptr<TargetRunner>>& runners, int running) {
  std::vector<int> wanted;
  for (const auto& r : runners) wanted.push_back(std::max(0, r->target().http.concurrency - 1));
  std::sort(wanted.begin(), wanted.end(), std::greater<>());
  if (wanted.size() > static_cast<size_t>(running)) wanted.resize(running);
  const int sum = std::accumulate(wanted.begin(), wanted.end(), 0);
  return std::clamp(sum, 1, 256);
}

}  // namespace

void Engine::apply(std::shared_ptr<const ExporterConfig> config) {
  const std::string user_agent = user_agent_of(config->global);
  std::lock_guard lock(impl_->mutex);
  std::map<std::string, std::shared_ptr<TargetRunner>> old;
  for (auto& r : impl_->runners) old.emplace(r->target().id(), r);

  std::vector<std::shared_ptr<TargetRunner>> next;
  size_t kept = 0;
  for (const auto& t : config->targets) {
    if (!t.enabled) continue;
    auto it = old.find(t.id());
    if (it != old.end() && it->second->fingerprint() == target_fingerprint(t, user_agent)) {
      next.push_back(it->second);  // unchanged: keeps its connections and tokens
      old.erase(it);
      ++kept;
      continue;
    }
    const VendorDescriptor* vendor = impl_->vendors.find(t.vendor);
    if (!vendor) {
      log::error("unknown vendor", {{"vendor", t.vendor}, {"target", t.name}});
      continue;
    }
    self_->register_target(t.vendor, t.name);
    next.push_back(std::make_shared<TargetRunner>(t, *vendor, self_, user_agent));
  }
  // Runners of removed targets finish any collection in the background, then go away.
  for (const auto& [id, runner] : old) {
    // Named capture: clang before 16 cannot capture a structured binding implicitly.
    bool still_present = std::any_of(
        next.begin(), next.end(), [&, &id = id](const auto& r) { return r->target().id() == id; });
    if (!still_present) self_->forget_target(runner->target().vendor, runner->target().name);
  }
  impl_->runners = std::move(next);
  impl_->config = std::move(config);
  const int workers = std::max(1, impl_->config->global.max_concurrent_targets);
  if (!impl_->pool)
    impl_->pool = std::make_unique<WorkerPool>(workers);
  else
    impl_->pool->resize(workers);
  const int helpers = page_helpers(impl_->runners, workers);
  if (!impl_->page_pool)
    impl_->page_pool = std::make_unique<WorkerPool>(helpers);
  else
    impl_->page_pool->resize(helpers);
  log::debug("config applied",
             {{"targets", std::to_string(impl_->runners.size())}, {"kept", std::to_string(kept)}});
}

std::shared_ptr<const ExporterConfig> Engine::config() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->config;
}

namespace {

// Short, so that HELP stays under 120 characters; the age is in target_data_age_seconds.
constexpr std::string_view kCacheNote = " May be cached up to min_interval.";

// Collects `runners` concurrently and merges their good results.
Engine::Result collect(const std::vector<std::shared_ptr<TargetRunner>>& runners, WorkerPool& pool,
                       WorkerPool* page_pool, std::optional<Duration> scrape_timeout,
                       SelfMetrics& self) {
  std::vector<TargetRunner::Ticket> tickets;
  tickets.reserve(runners.size());
  for (const auto& r : runners)
    tickets.push_back(r->begin(deadline_for(r->target(), scrape_timeout), pool, page_pool));

  // Prometheus' guidance is to say in HELP that values may be cached. Said from the config, for
  // every family of a vendor that has a target with a min_interval, so that HELP is the same on
  // every scrape, fresh or cached, whichever target comes first.
  std::set<std::string> cached_vendors;
  for (const auto& r : runners)
    if (r->target().min_interval > Duration::zero()) cached_vendors.insert(r->target().vendor);

  Engine::Result result;
  for (size_t i = 0; i < runners.size(); ++i) {
    TargetOutcome outcome = runners[i]->finish(tickets[i]);
    if (!outcome.ok) {
      result.all_up = false;  // a failed target contributes only its self-metrics
      continue;
    }
    // Shared, not copied: the target's set is the one its cache holds.
    const bool cached = cached_vendors.count(runners[i]->target().vendor) > 0;
    const size_t conflicting =
        result.metrics.add(std::move(outcome.metrics), cached ? kCacheNote : std::string_view());
    if (conflicting > 0) {
      log::warn("dropped series whose family conflicts with another target's",
                {{"target", runners[i]->target().id()}, {"samples", std::to_string(conflicting)}});
      self.record_duplicates_removed(conflicting);
    }
  }
  return result;
}

}  // namespace

Engine::Result Engine::collect_all(std::optional<Duration> scrape_timeout) {
  const auto started = Clock::now();
  auto runners = impl_->snapshot();
  Result result;
  if (!runners.empty())
    result = collect(runners, *impl_->pool, impl_->page_pool.get(), scrape_timeout, *self_);
  self_->record_scrape_duration(std::chrono::duration<double>(Clock::now() - started).count());
  return result;
}

std::optional<Engine::Result> Engine::collect_one(const std::string& vendor,
                                                  const std::string& name,
                                                  std::optional<Duration> scrape_timeout) {
  for (const auto& r : impl_->snapshot())
    if (r->target().vendor == vendor && r->target().name == name)
      return collect({r}, *impl_->pool, impl_->page_pool.get(), scrape_timeout, *self_);
  return std::nullopt;
}

Engine::Result Engine::collect_adhoc(const std::string& group, const TargetConfig& target,
                                     const AdhocPolicy& policy,
                                     std::optional<Duration> scrape_timeout) {
  const VendorDescriptor* vendor = impl_->vendors.find(target.vendor);
  if (!vendor) throw std::invalid_argument("unknown vendor " + target.vendor);
  const auto now = Clock::now();
  std::shared_ptr<TargetRunner> runner;
  {
    std::lock_guard lock(impl_->mutex);
    const std::string user_agent =
        impl_->config ? user_agent_of(impl_->config->global) : user_agent_of(GlobalConfig{});
    auto& adhoc = impl_->adhoc;
    // Forgets a dropped runner's self-metrics unless another runner reports under its labels.
    auto drop = [&](std::map<std::string, Impl::Adhoc>::iterator it) {
      const TargetConfig dropped = it->second.runner->target();
      it = adhoc.erase(it);
      const bool shared =
          std::any_of(
              adhoc.begin(), adhoc.end(),
              [&](const auto& e) { return e.second.runner->target().id() == dropped.id(); }) ||
          std::any_of(impl_->runners.begin(), impl_->runners.end(),
                      [&](const auto& r) { return r->target().id() == dropped.id(); });
      if (!shared) self_->forget_target(dropped.vendor, dropped.name);
      return it;
    };
    for (auto it = adhoc.begin(); it != adhoc.end();) {
      if (it->second.group == group && now - it->second.last_used > policy.idle_ttl)
        it = drop(it);
      else
        ++it;
    }
    const std::string key = group + "\n" + target.id();
    auto it = adhoc.find(key);
    if (it != adhoc.end() &&
        it->second.runner->fingerprint() != target_fingerprint(target, user_agent)) {
      drop(it);  // settings or secrets changed: a fresh client and token
      it = adhoc.end();
    }
    if (it == adhoc.end()) {
      size_t in_group = 0;
      auto oldest = adhoc.end();
      for (auto e = adhoc.begin(); e != adhoc.end(); ++e) {
        if (e->second.group != group) continue;
        ++in_group;
        if (oldest == adhoc.end() || e->second.last_used < oldest->second.last_used) oldest = e;
      }
      if (in_group >= policy.max_entries && oldest != adhoc.end()) drop(oldest);
      self_->register_target(target.vendor, target.name);
      it = adhoc
               .emplace(key, Impl::Adhoc{group,
                                         std::make_shared<TargetRunner>(target, *vendor, self_,
                                                                        user_agent),
                                         now})
               .first;
    }
    it->second.last_used = now;
    runner = it->second.runner;
    if (!impl_->pool) impl_->pool = std::make_unique<WorkerPool>(1);
  }
  return collect({runner}, *impl_->pool, impl_->page_pool.get(), scrape_timeout, *self_);
}

size_t Engine::adhoc_runners() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->adhoc.size();
}

const VendorRegistry& Engine::vendors() const { return impl_->vendors; }

std::vector<TargetStatus> Engine::status() const {
  std::vector<TargetStatus> out;
  for (const auto& r : impl_->snapshot()) out.push_back(r->status());
  return out;
}

}  // namespace fue
