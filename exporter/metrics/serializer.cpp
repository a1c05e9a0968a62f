#include "exporter/metrics/serializer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <span>

#include "exporter/core/memory.h"

namespace fue {
namespace {

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kCounter:
      return "counter";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kUntyped:
      return "untyped";
  }
  return "untyped";
}

const char* suffix(SampleKind k) {
  switch (k) {
    case SampleKind::kPlain:
      return "";
    case SampleKind::kBucket:
      return "_bucket";
    case SampleKind::kSum:
      return "_sum";
    case SampleKind::kCount:
      return "_count";
  }
  return "";
}

// HELP text escaped: backslash and newline; OpenMetrics also escapes '"'.
void append_help_text(std::string& out, std::string_view help, bool openmetrics = false) {
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && openmetrics)
      out += "\\\"";
    else
      out += c;
  }
}

// Appends to `out` through a raw cursor: the string grows in 64 KiB steps (within the capacity
// reserved up front, so without copying), each sample is written with plain memcpy and no
// per-piece capacity check, and finish() trims the unused tail. This is what keeps a million
// series in a fraction of a second; appending piece by piece spent most of its time in
// std::string::append.
// With a sink, the text written so far is handed over once it passes kChunkBytes, and the same
// buffer is reused: a streamed exposition stays within a few cache-sized pieces.
class Cursor {
 public:
  Cursor(std::string& out, const ExpositionSink* sink) : out_(out), len_(out.size()), sink_(sink) {}
  // A pointer with room for at least n bytes.
  char* room(size_t n) {
    if (sink_ && len_ >= kChunkBytes) {
      (*sink_)(std::string_view(out_.data(), len_));
      len_ = 0;
    }
    if (out_.size() - len_ < n) out_.resize(len_ + std::max<size_t>(n, 64 * 1024));
    return out_.data() + len_;
  }
  void advance(char* p) { len_ = static_cast<size_t>(p - out_.data()); }
  void finish() { out_.resize(len_); }

 private:
  std::string& out_;
  size_t len_;
  const ExpositionSink* sink_;
};

// Hands the rest of a streamed exposition to the sink.
void flush_to(const ExpositionSink* sink, std::string& out) {
  if (!sink || out.empty()) return;
  (*sink)(out);
  out.clear();
}

inline char* put(char* p, std::string_view v) {
  std::memcpy(p, v.data(), v.size());
  return p + v.size();
}

inline char* put_escaped(char* p, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"' || c == '\n') [[unlikely]] {
      *p++ = '\\';
      *p++ = c == '\n' ? 'n' : c;
    } else {
      *p++ = c;
    }
  }
  return p;
}

char* put_value(char* p, double v) {
  if (std::isnan(v)) return put(p, "NaN");
  if (std::isinf(v)) return put(p, v > 0 ? "+Inf" : "-Inf");
  // Whole numbers print without a fraction or exponent up to 2^53, as Prometheus' own clients do.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0)
    return std::to_chars(p, p + 32, static_cast<long long>(v)).ptr;
  return std::to_chars(p, p + 32, v).ptr;
}

// Writes `name{labels} value` for every sample; `timestamp` is appended when non-empty.
void write_samples(const MetricFamily& f, std::string& out, std::string_view timestamp,
                   const ExpositionSink* sink = nullptr) {
  const auto& names = f.label_names();
  // `{name="` / `,name="` for every label, and `le` for a histogram bucket.
  std::vector<std::string> openers;
  size_t fixed = f.name().size() + 8 /* _bucket */ + 2 /* {} */ + 2 /* space, newline */ + 32 +
                 timestamp.size() + 1 + 6 /* ,le="" */;
  for (size_t i = 0; i <= names.size(); ++i) {
    openers.push_back(std::string(i == 0 ? "{" : ",") + (i < names.size() ? names[i] : "le") +
                      "=\"");
    fixed += openers.back().size() + 1;
  }
  Cursor cursor(out, sink);
  for (const auto& s : f.samples()) {
    // Escaping at most doubles a value; s.size covers the values plus 4 bytes each.
    char* p = cursor.room(fixed + 2 * static_cast<size_t>(s.size));
    p = put(p, f.name());
    p = put(p, suffix(s.kind));
    size_t i = 0;
    f.for_each_value(s, [&](std::string_view v) {
      p = put(p, openers[std::min(i, names.size())]);
      p = put_escaped(p, v);
      *p++ = '"';
      ++i;
    });
    if (i > 0) *p++ = '}';
    *p++ = ' ';
    p = put_value(p, s.value);
    if (!timestamp.empty()) {
      *p++ = ' ';
      p = put(p, timestamp);
    }
    *p++ = '\n';
    cursor.advance(p);
  }
  cursor.finish();
}

}  // namespace

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  // Whole numbers print without a fraction or exponent up to 2^53, as Prometheus' own clients do.
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    out.append(buf, r.ptr);
    return;
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_escaped_label_value(std::string& out, std::string_view v) {
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(v.data() + start, i - start);
    out += c == '\n' ? "\\n" : c == '"' ? "\\\"" : "\\\\";
    start = i + 1;
  }
  out.append(v.data() + start, v.size() - start);
}

namespace {

// An upper bound of a family's text in either format (its header, and OpenMetrics' # UNIT,
// included).
size_t text_bound(const MetricFamily& f) {
  size_t per_sample = f.name().size() + 48;
  for (const auto& n : f.label_names()) per_sample += n.size() + 4;
  size_t value_bytes = 0;
  for (const auto& s : f.samples()) value_bytes += s.size;
  return f.help().size() * 2 + f.name().size() * 3 + 64 + f.size() * per_sample + value_bytes +
         value_bytes / 8;
}

// Reserves `bound` more bytes once, advised for huge pages, so that the text is never copied
// while it grows (a million series otherwise regrow a dozen times). Pages of the bound that are
// never written are never touched: over-estimating is free.
void reserve_for(std::string& out, size_t bound) {
  out.reserve(out.size() + bound);
  memory::advise_huge_pages(out.data(), out.capacity());
}

void write_header(const MetricFamily& f, std::string_view help_note, std::string& out) {
  out += "# HELP ";
  out += f.name();
  out += ' ';
  append_help_text(out, f.help());
  append_help_text(out, help_note);
  out += "\n# TYPE ";
  out += f.name();
  out += ' ';
  out += type_name(f.type());
  out += '\n';
}

// Writes groups of same-named families: `groups` yields spans of family pointers, and
// `note_of(i)` the HELP note of the i-th group.
template <class Groups, class NoteOf>
void write_text(const Groups& groups, NoteOf note_of, std::string& out,
                const ExpositionSink* sink = nullptr) {
  if (sink) {
    out.reserve(2 * kChunkBytes);
  } else {
    size_t estimate = 4096;
    for (const auto& group : groups)
      for (const MetricFamily* f : group) estimate += text_bound(*f);
    reserve_for(out, estimate);
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& group = groups[i];
    size_t samples = 0;
    for (const MetricFamily* f : group) samples += f->size();
    if (samples == 0) continue;
    write_header(*group.front(), note_of(i), out);
    for (const MetricFamily* f : group) write_samples(*f, out, {}, sink);
  }
}

}  // namespace

void serialize_text(const MetricSet& set, std::string& out) {
  std::vector<std::array<const MetricFamily*, 1>> groups;
  groups.reserve(set.families().size());
  for (const auto& f : set.families()) groups.push_back({f.get()});
  write_text(
      groups, [](size_t) { return std::string_view(); }, out);
}

namespace {

void write_text(const MetricView& view, std::string& out, const ExpositionSink* sink) {
  std::vector<std::span<const MetricFamily* const>> groups;
  groups.reserve(view.groups().size());
  for (const auto& g : view.groups()) groups.emplace_back(g.families);
  write_text(
      groups, [&](size_t i) { return std::string_view(view.groups()[i].help_note); }, out, sink);
}

}  // namespace

void serialize_text(const MetricView& view, std::string& out) { write_text(view, out, nullptr); }

void stream_text(const MetricView& view, const ExpositionSink& sink) {
  std::string buffer;
  write_text(view, buffer, &sink);
  flush_to(&sink, buffer);
}

namespace {

bool all_ones(const MetricFamily& f) {
  for (const auto& s : f.samples())
    if (s.value != 1) return false;
  return !f.samples().empty();
}

// A StateSet as add_state_set() builds it: a gauge whose last label is the family's own name
// (as OpenMetrics requires of a state label) and whose values are all 0 or 1.
bool is_state_set(const MetricFamily& f) {
  if (f.label_names().empty() || f.label_names().back() != f.name() || f.empty()) return false;
  for (const auto& s : f.samples())
    if (s.value != 0 && s.value != 1) return false;
  return true;
}

// The OpenMetrics family name and type of `f`: counters lose _total (a counter not named *_total
// stays unknown); with `typed` (a scrape), a gauge *_info whose values are all 1 is an info (and
// loses _info), and a gauge shaped as a StateSet is a stateset.
std::pair<std::string_view, std::string_view> om_name_and_type(const MetricFamily& f, bool typed) {
  std::string_view name = f.name();
  switch (f.type()) {
    case MetricType::kCounter:
      if (!name.ends_with("_total")) return {name, "unknown"};
      name.remove_suffix(6);
      return {name, "counter"};
    case MetricType::kGauge:
      if (typed && name.ends_with("_info") && all_ones(f)) {
        name.remove_suffix(5);
        return {name, "info"};
      }
      if (typed && is_state_set(f)) return {name, "stateset"};
      return {name, "gauge"};
    case MetricType::kUntyped:
      return {name, "unknown"};
    default:
      return {name, type_name(f.type())};
  }
}

// HELP and TYPE of a family; a scrape (`scrape`) also gets info types and # UNIT for names that
// end in a base unit, so that the unit is machine-readable too.
void write_om_header(const MetricFamily& f, std::string_view help_note, bool scrape,
                     std::string& out) {
  const auto [name, type] = om_name_and_type(f, scrape);
  out += "# HELP ";
  out += name;
  out += ' ';
  append_help_text(out, f.help(), true);
  append_help_text(out, help_note, true);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  if (!scrape || type == "stateset") return;  // a StateSet's unit must be empty
  for (std::string_view unit : {"seconds", "bytes"}) {
    if (name.size() > unit.size() && name.ends_with(unit) &&
        name[name.size() - unit.size() - 1] == '_') {
      out += "# UNIT ";
      out += name;
      out += ' ';
      out += unit;
      out += '\n';
    }
  }
}

void write_openmetrics(const MetricView& view, std::string& out, const ExpositionSink* sink) {
  for (const auto& g : view.groups()) {
    size_t samples = 0;
    for (const MetricFamily* f : g.families) samples += f->size();
    if (samples == 0) continue;
    write_om_header(*g.families.front(), g.help_note, true, out);
    for (const MetricFamily* f : g.families) write_samples(*f, out, {}, sink);
  }
}

}  // namespace

size_t exposition_bound(const MetricView& view) {
  size_t bound = 4096;
  for (const auto& g : view.groups()) {
    bound += 2 * g.help_note.size();
    for (const MetricFamily* f : g.families) bound += text_bound(*f);
  }
  return bound;
}

void serialize_openmetrics(const MetricView& view, std::string& out) {
  reserve_for(out, exposition_bound(view));
  write_openmetrics(view, out, nullptr);
  out += "# EOF\n";
}

void stream_openmetrics(const MetricView& view, const ExpositionSink& sink) {
  std::string buffer;
  buffer.reserve(2 * kChunkBytes);
  write_openmetrics(view, buffer, &sink);
  flush_to(&sink, buffer);
}

void serialize_openmetrics(const MetricSet& set, double timestamp_seconds, std::string& out,
                           bool terminate) {
  std::string ts;
  append_value(ts, timestamp_seconds);
  for (const auto& f : set.families()) {
    if (f->empty()) continue;
    write_om_header(*f, {}, false, out);
    write_samples(*f, out, ts);
  }
  if (terminate) out += "# EOF\n";
}

}  // namespace fue
