#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/metrics/metric_view.h"
#include "exporter/server/gzip_body.h"

namespace fue {

enum class ExpositionFormat { kText, kOpenMetrics };

// The vendor part of /metrics rendered once per collection, format and encoding. Concurrent
// scrapes join one flight and get the same shared sets, and scrapes within a min_interval get the
// cached ones: both are served one rendering, made by the first of them while the others wait.
// The self-metrics and process_* families change with every scrape (scrape duration, cache hits,
// CPU and memory) and are rendered per response after this part (see docs/benchmarks.md).
//
// A rendering is keyed by the view's sources (which sets, in which order, with which HELP note)
// and never keeps a set alive: once a collection's sets are freed, its renderings are dropped.
class ExpositionCache {
 public:
  struct Rendered {
    std::string text;       // without gzip: the text (OpenMetrics without its "# EOF")
    DeflatePrefix deflate;  // with gzip: only the compressed text is kept
  };
  // The rendering of `view` in `format`, compressed when `gzip`; renders it unless it exists.
  std::shared_ptr<const Rendered> get(const MetricView& view, ExpositionFormat format, bool gzip);
  // Drops renderings whose collection is gone (called once a response is written).
  void prune();
  size_t renders() const;  // renderings made so far, for tests and benchmarks
  size_t entries() const;

 private:
  struct Entry;
  std::shared_ptr<Entry> find_or_add(const MetricView& view, ExpositionFormat format, bool gzip);

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Entry>> entries_;  // few: one per live collection and form
  size_t renders_ = 0;
};

// Renders the families of `view` in `format`, OpenMetrics without its closing "# EOF".
void render_exposition(const MetricView& view, ExpositionFormat format, std::string& out);

}  // namespace fue
