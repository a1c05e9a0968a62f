#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "exporter/config/config.h"
#include "exporter/core/deadline.h"
#include "exporter/engine/engine.h"
#include "exporter/engine/scraper.h"
#include "exporter/engine/self_metrics.h"
#include "exporter/engine/worker_pool.h"
#include "exporter/http/http_client.h"
#include "exporter/metrics/metric_set.h"

namespace fue {

// How one target's part of one scrape ended.
struct TargetOutcome {
  bool ok = false;
  std::shared_ptr<const MetricSet> metrics;  // set when ok; shared by every waiter and the cache
  std::string reason;                        // failure reason token
  std::string message;
};

// A canonical description of everything that shapes a target's client and scraper; two targets
// with equal fingerprints can share one runner across a reload.
std::string target_fingerprint(const TargetConfig& target, const std::string& user_agent);

// One target's long-lived client and scraper, with a single-flight gate and the min_interval
// cache. Collections run on the engine's pool; waiters give up at their deadline (plus a grace)
// while an overrunning scraper finishes in the background and its late result is discarded.
class TargetRunner : public std::enable_shared_from_this<TargetRunner> {
 public:
  static constexpr Duration kGrace{200};

  TargetRunner(TargetConfig target, const VendorDescriptor& vendor,
               std::shared_ptr<SelfMetrics> self, std::string user_agent);
  ~TargetRunner();

  const TargetConfig& target() const { return target_; }
  const std::string& fingerprint() const { return fingerprint_; }

  struct Flight;
  struct Ticket {
    std::shared_ptr<Flight> flight;          // null when served from the cache
    std::optional<TargetOutcome> immediate;  // the cached result
    Deadline deadline{Clock::time_point{}};  // this waiter's own deadline
  };
  // Serves from the cache, joins the collection in flight, or starts one on `pool` whose pages
  // are fetched on `page_pool` (null: listing.h's small process-wide pool).
  Ticket begin(const Deadline& deadline, WorkerPool& pool, WorkerPool* page_pool);
  // Waits for the ticket's collection until its deadline plus the grace.
  TargetOutcome finish(Ticket& ticket);

  TargetStatus status() const;

 private:
  void run(const std::shared_ptr<Flight>& flight);
  // `page_pool` runs the collection's concurrent pages (see listing::run_bounded).
  TargetOutcome collect_upstream(const Deadline& deadline, WorkerPool* page_pool);
  // Records the flight's one result; the caller holds the flight's lock.
  void settle(Flight& flight, TargetOutcome outcome);

  const TargetConfig target_;
  const std::string fingerprint_;
  std::shared_ptr<SelfMetrics> self_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<Scraper> scraper_;
  std::string create_error_;  // why the scraper could not be built, if it could not

  mutable std::mutex mutex_;  // guards the fields below; taken after a flight's lock, never before
  std::shared_ptr<Flight> in_flight_;
  std::shared_ptr<const MetricSet> cached_;  // last good result, served with a HELP note
  Clock::time_point cached_at_{};
  TargetStatus status_;
};

}  // namespace fue
