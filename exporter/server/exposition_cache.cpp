#include "exporter/server/exposition_cache.h"

#include <algorithm>

#include "exporter/metrics/serializer.h"

namespace fue {

struct ExpositionCache::Entry {
  std::vector<std::weak_ptr<const MetricSet>> sets;  // the collection, not kept alive
  std::vector<const MetricSet*> ids;                 // compared while the sets live
  std::vector<std::string> notes;
  ExpositionFormat format;
  bool gzip;
  std::once_flag once;  // single flight: the first caller renders, the others wait for it
  std::shared_ptr<const Rendered> rendered;

  bool alive() const {
    return std::none_of(sets.begin(), sets.end(), [](const auto& s) { return s.expired(); });
  }
  bool matches(const MetricView& view, ExpositionFormat f, bool z) const {
    const auto& sources = view.sources();
    if (f != format || z != gzip || sources.size() != ids.size()) return false;
    for (size_t i = 0; i < ids.size(); ++i)
      if (sources[i].set.get() != ids[i] || sources[i].help_note != notes[i]) return false;
    return alive();  // a live weak_ptr at the same address is the same, unchanged set
  }
};

namespace {

constexpr size_t kMaxEntries = 16;  // a bound, should sets outlive their use

// The exposition compressed as it is written, never held whole (136 MB of text at 1M series).
DeflatePrefix render_compressed(const MetricView& view, ExpositionFormat format) {
  PrefixDeflater deflater(exposition_bound(view) / 8);
  const ExpositionSink sink = [&](std::string_view piece) { deflater.add(piece); };
  if (format == ExpositionFormat::kText)
    stream_text(view, sink);
  else
    stream_openmetrics(view, sink);
  return deflater.finish();
}

}  // namespace

void render_exposition(const MetricView& view, ExpositionFormat format, std::string& out) {
  if (format == ExpositionFormat::kText) return serialize_text(view, out);
  serialize_openmetrics(view, out);
  constexpr std::string_view kEof = "# EOF\n";
  if (std::string_view(out).ends_with(kEof)) out.resize(out.size() - kEof.size());
}

std::shared_ptr<ExpositionCache::Entry> ExpositionCache::find_or_add(const MetricView& view,
                                                                     ExpositionFormat format,
                                                                     bool gzip) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [](const auto& e) { return !e->alive(); });
  for (const auto& e : entries_)
    if (e->matches(view, format, gzip)) return e;
  auto e = std::make_shared<Entry>();
  for (const auto& source : view.sources()) {
    e->sets.push_back(source.set);
    e->ids.push_back(source.set.get());
    e->notes.push_back(source.help_note);
  }
  e->format = format;
  e->gzip = gzip;
  if (entries_.size() >= kMaxEntries) entries_.erase(entries_.begin());  // the oldest
  entries_.push_back(e);
  return e;
}

std::shared_ptr<const ExpositionCache::Rendered> ExpositionCache::get(const MetricView& view,
                                                                      ExpositionFormat format,
                                                                      bool gzip) {
  auto entry = find_or_add(view, format, gzip);
  // An exception leaves the flag unset: the next caller renders again.
  std::call_once(entry->once, [&] {
    auto r = std::make_shared<Rendered>();
    if (gzip)
      r->deflate = render_compressed(view, format);
    else
      render_exposition(view, format, r->text);
    entry->rendered = std::move(r);
    std::lock_guard lock(mutex_);
    ++renders_;
  });
  return entry->rendered;
}

void ExpositionCache::prune() {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [](const auto& e) { return !e->alive(); });
}

size_t ExpositionCache::renders() const {
  std::lock_guard lock(mutex_);
  return renders_;
}

size_t ExpositionCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace fue
