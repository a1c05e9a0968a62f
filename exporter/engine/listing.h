#pragma once

// The one way a vendor lists a paginated collection: offset/limit, page number/page size, or
// cursor. It pages by what the server returned (the echoed page size, or the rows received),
// never by what was asked for; drops repeats by the scraper's key; and reconciles the unique
// rows with any total the server reported. A disagreement left after a bounded re-listing is a
// partial error `listing_incomplete` naming both numbers: never a silent undercount.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/errors.h"
#include "exporter/engine/scraper.h"
#include "exporter/http/page_merge.h"

namespace fue {
class WorkerPool;
}

namespace fue::listing {

// Runs job(0) .. job(count - 1), at most `concurrency` at once. The calling thread works too and
// up to concurrency - 1 helpers are borrowed from `pool` (null: a small process-wide pool), so a
// listing never starts threads of its own and never waits on a pool that is busy with its caller.
// The first failure stops new jobs and is rethrown once the jobs already running have finished.
void run_bounded(WorkerPool* pool, int count, int concurrency, const std::function<void(int)>& job);

// Collects fn(i) for i in [0, count) with run_bounded, in index order.
template <class R>
std::vector<R> map_bounded(ScrapeContext& ctx, int count, const std::function<R(int)>& fn) {
  std::vector<R> out(std::max(count, 0));
  run_bounded(ctx.pool, count, ctx.target.http.concurrency, [&](int i) { out[i] = fn(i); });
  return out;
}

// One page as the scraper parsed it.
template <class T>
struct Page {
  std::vector<T> rows;               // the usable rows
  size_t received = 0;               // rows in the body, usable or not (at least rows.size())
  std::optional<int64_t> total;      // the total the server reported
  std::optional<int64_t> page_size;  // the page size the server echoed
  std::optional<std::string> next;   // cursor style: the next cursor; none or "" ends the walk
  std::optional<bool> has_more;      // page style without a total: the server's "more" flag
  size_t count() const { return std::max(received, rows.size()); }
};

struct Spec {
  std::string endpoint;     // names the listing in logs and the listing_resources gauge
  int64_t page_size = 100;  // asked for; the server may use less
  int max_pages = 1000;     // more is runaway paging
  int first_page = 1;       // page-number style: the number of the first page (0 or 1)
  int refetches = 1;        // whole re-listings when the rows disagree with the total
};

template <class T>
struct Result {
  std::vector<T> rows;              // unique by key, in page order
  std::optional<int64_t> reported;  // the last total the server reported
  size_t duplicates = 0;            // repeats dropped
  int listings = 1;                 // 1 + the re-listings made
  bool complete = true;             // false: listing_incomplete was raised
};

template <class T>
using KeyFn = std::function<std::string_view(const T&)>;

namespace detail {

// What one pass over the pages gathered.
template <class T>
struct Pass {
  std::vector<std::vector<T>> pages;
  std::optional<int64_t> first_total;
  std::optional<int64_t> last_total;  // of the page that answered last
  bool total_changed = false;         // pages disagreed on the total
  bool short_page = false;            // a page before the last came back short
};

template <class T>
void note_total(Pass<T>& pass, const std::optional<int64_t>& total, std::mutex& m) {
  if (!total) return;
  std::lock_guard lock(m);
  if (pass.last_total && *pass.last_total != *total) pass.total_changed = true;
  pass.last_total = total;
}

ScrapeError runaway(const Spec& spec, const std::string& why);
// Raises listing_incomplete and reports the gauge figures.
void report(ScrapeContext& ctx, const Spec& spec, size_t listed, std::optional<int64_t> reported,
            size_t duplicates, int listings, bool incomplete, const std::string& why);

// Offset and page-number listings differ only in how page `index` is asked for.
// fetch(index, offset, size): page `index` (from 0), which starts at row `offset`.
template <class T>
using IndexedFetch = std::function<Page<T>(int index, int64_t offset, int64_t size)>;

template <class T>
Pass<T> paged_pass(ScrapeContext& ctx, const Spec& spec, const IndexedFetch<T>& fetch) {
  Pass<T> pass;
  std::mutex m;
  Page<T> first = fetch(0, 0, spec.page_size);
  pass.first_total = first.total;
  note_total(pass, first.total, m);
  // The size the server used: its echo, else a first page shorter than asked while more exist.
  int64_t size = spec.page_size;
  if (first.page_size && *first.page_size > 0)
    size = *first.page_size;
  else if (first.count() > 0 && static_cast<int64_t>(first.count()) < size &&
           (first.total ? *first.total > static_cast<int64_t>(first.count())
                        : first.has_more.value_or(false)))
    size = static_cast<int64_t>(first.count());
  const int64_t got = static_cast<int64_t>(first.count());
  pass.pages.push_back(std::move(first.rows));

  if (pass.first_total) {
    const int64_t total = *pass.first_total;
    if (total <= got) return pass;
    const int64_t pages = (total + size - 1) / size;
    if (pages > spec.max_pages)
      throw runaway(spec, "the reported total " + std::to_string(total) + " at " +
                              std::to_string(size) + " per page needs " + std::to_string(pages) +
                              " pages");
    std::vector<Page<T>> rest(pages - 1);
    run_bounded(ctx.pool, static_cast<int>(pages - 1), ctx.target.http.concurrency, [&](int i) {
      rest[i] = fetch(i + 1, (i + 1) * size, size);
      note_total(pass, rest[i].total, m);
    });
    for (size_t i = 0; i < rest.size(); ++i) {
      if (i + 1 < rest.size() && static_cast<int64_t>(rest[i].count()) < size)
        pass.short_page = true;
      pass.pages.push_back(std::move(rest[i].rows));
    }
    return pass;
  }

  // No total: one page after another, the next one after the rows received, until a page says
  // there is no more (has_more false, or a short or empty page).
  bool more = first.has_more.value_or(got >= size) && got > 0;
  int64_t offset = got;
  for (int index = 1; more; ++index) {
    if (index >= spec.max_pages) throw runaway(spec, "pages still came full");
    Page<T> page = fetch(index, offset, size);
    const int64_t n = static_cast<int64_t>(page.count());
    note_total(pass, page.total, m);
    more = page.has_more.value_or(n >= size) && n > 0;
    offset += n;
    pass.pages.push_back(std::move(page.rows));
  }
  return pass;
}

template <class T>
Result<T> reconcile(ScrapeContext& ctx, const Spec& spec, const KeyFn<T>& key,
                    const std::function<Pass<T>()>& one_pass) {
  Result<T> result;
  std::string why;
  for (int attempt = 0;; ++attempt) {
    Pass<T> pass = one_pass();
    result = Result<T>{};
    result.listings = attempt + 1;
    result.rows = http::merge_unique(std::move(pass.pages), key, &result.duplicates);
    result.reported = pass.last_total;
    const auto listed = static_cast<int64_t>(result.rows.size());
    const bool differs = result.reported && *result.reported != listed;
    if (!differs) break;
    why = pass.total_changed  ? "the total changed during the listing"
          : pass.short_page   ? "a page came back short"
          : result.duplicates ? "rows repeated across pages"
                              : "rows missing";
    if (attempt >= spec.refetches) {
      result.complete = false;
      break;
    }
  }
  report(ctx, spec, result.rows.size(), result.reported, result.duplicates, result.listings,
         !result.complete, why);
  return result;
}

}  // namespace detail

// Offset/limit listing: fetch(offset, limit). The first page comes alone; with a total, the
// rest come concurrently at multiples of the size the server used; without one, one after
// another, each starting after the rows received.
template <class T>
Result<T> by_offset(ScrapeContext& ctx, const Spec& spec, const KeyFn<T>& key,
                    const std::function<Page<T>(int64_t offset, int64_t limit)>& fetch) {
  const detail::IndexedFetch<T> at = [&](int, int64_t offset, int64_t size) {
    return fetch(offset, size);
  };
  return detail::reconcile<T>(ctx, spec, key, [&] { return detail::paged_pass<T>(ctx, spec, at); });
}

// Page-number listing: fetch(page_no, page_size), numbered from spec.first_page. Every page
// after the first is asked for with the size the server used on the first.
template <class T>
Result<T> by_page(ScrapeContext& ctx, const Spec& spec, const KeyFn<T>& key,
                  const std::function<Page<T>(int page_no, int64_t page_size)>& fetch) {
  const detail::IndexedFetch<T> at = [&](int index, int64_t, int64_t size) {
    return fetch(spec.first_page + index, size);
  };
  return detail::reconcile<T>(ctx, spec, key, [&] { return detail::paged_pass<T>(ctx, spec, at); });
}

// Cursor listing: fetch(cursor), from no cursor, then each page's `next`, one after another.
template <class T>
Result<T> by_cursor(ScrapeContext& ctx, const Spec& spec, const KeyFn<T>& key,
                    const std::function<Page<T>(const std::optional<std::string>& cursor)>& fetch) {
  return detail::reconcile<T>(ctx, spec, key, [&] {
    detail::Pass<T> pass;
    std::mutex m;
    std::optional<std::string> cursor;
    for (int page = 0;; ++page) {
      if (page >= spec.max_pages) throw detail::runaway(spec, "the cursor still led on");
      Page<T> p = fetch(cursor);
      if (page == 0) pass.first_total = p.total;
      detail::note_total(pass, p.total, m);
      pass.pages.push_back(std::move(p.rows));
      if (!p.next || p.next->empty()) return pass;
      cursor = std::move(p.next);
    }
  });
}

}  // namespace fue::listing
