#include "exporter/engine/listing.h"

#include <condition_variable>
#include <exception>
#include <memory>

#include "exporter/core/log.h"
#include "exporter/core/reasons.h"
#include "exporter/engine/worker_pool.h"

namespace fue::listing {
namespace {

// For scrapers run outside an engine (tests, tools): small, so it bounds their threads too.
WorkerPool& default_pool() {
  static WorkerPool pool(4);
  return pool;
}

// Shared with the helpers, which may start after the caller has returned: they then find the
// listing closed and never touch `job`, which lives on the caller's stack.
struct Shared {
  std::mutex mutex;
  std::condition_variable idle;
  const std::function<void(int)>* job = nullptr;
  int count = 0;
  int next = 0;
  int active = 0;
  bool closed = false;
  bool failed = false;
  std::exception_ptr error;
};

void work(Shared& s) {
  for (;;) {
    int i;
    {
      std::lock_guard lock(s.mutex);
      if (s.closed || s.failed || s.next >= s.count) return;
      i = s.next++;
      ++s.active;
    }
    try {
      (*s.job)(i);
    } catch (...) {
      std::lock_guard lock(s.mutex);
      if (!s.error) s.error = std::current_exception();
      s.failed = true;
    }
    {
      std::lock_guard lock(s.mutex);
      --s.active;
    }
    s.idle.notify_all();
  }
}

}  // namespace

void run_bounded(WorkerPool* pool, int count, int concurrency,
                 const std::function<void(int)>& job) {
  if (count <= 0) return;
  auto s = std::make_shared<Shared>();
  s->job = &job;
  s->count = count;
  WorkerPool& p = pool ? *pool : default_pool();
  const int helpers = std::min(std::max(concurrency, 1), count) - 1;
  for (int h = 0; h < helpers; ++h) p.submit([s] { work(*s); });
  work(*s);
  std::unique_lock lock(s->mutex);
  s->closed = true;  // helpers not yet started leave without a job
  s->idle.wait(lock, [&] { return s->active == 0; });
  if (s->error) std::rethrow_exception(s->error);
}

namespace detail {

ScrapeError runaway(const Spec& spec, const std::string& why) {
  return ScrapeError(reason::kRunawayPaging, spec.endpoint + ": " + why + ", more than max_pages " +
                                                 std::to_string(spec.max_pages) + "; stopped");
}

void report(ScrapeContext& ctx, const Spec& spec, size_t listed, std::optional<int64_t> reported,
            size_t duplicates, int listings, bool incomplete, const std::string& why) {
  if (ctx.listing) ctx.listing(spec.endpoint, listed, reported);
  if (duplicates > 0)
    log::debug("listing shifted while paging; repeats dropped",
               {{"target", ctx.target.name},
                {"endpoint", spec.endpoint},
                {"duplicates", std::to_string(duplicates)}});
  if (!incomplete) return;
  const std::string message =
      spec.endpoint + ": listed " + std::to_string(listed) + " unique resources, the server " +
      "reported " + std::to_string(*reported) + " (" + why + "; " + std::to_string(listings) +
      " listings, " + std::to_string(duplicates) + " repeats dropped)";
  if (ctx.partial_error) ctx.partial_error(reason::kListingIncomplete, message);
}

}  // namespace detail
}  // namespace fue::listing
