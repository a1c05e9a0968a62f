#include "exporter/metrics/serializer.h"

#include <charconv>
#include <cmath>

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

void append_help_text(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

// Writes `name{labels} value` for every sample; `timestamp` is appended when non-empty.
void write_samples(const MetricFamily& f, std::string& out, std::string_view timestamp) {
  const auto& names = f.label_names();
  for (const auto& s : f.samples()) {
    out += f.name();
    out += suffix(s.kind);
    size_t i = 0;
    f.for_each_value(s, [&](std::string_view v) {
      out += i == 0 ? '{' : ',';
      out += i < names.size() ? std::string_view(names[i]) : std::string_view("le");
      out += "=\"";
      append_escaped_label_value(out, v);
      out += '"';
      ++i;
    });
    if (i > 0) out += '}';
    out += ' ';
    append_value(out, s.value);
    if (!timestamp.empty()) {
      out += ' ';
      out += timestamp;
    }
    out += '\n';
  }
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

void serialize_text(const MetricSet& set, std::string& out) {
  size_t estimate = 0;
  for (const auto& f : set.families()) estimate += f->size() * (f->name().size() + 64);
  out.reserve(out.size() + estimate);
  for (const auto& f : set.families()) {
    if (f->empty()) continue;
    out += "# HELP ";
    out += f->name();
    out += ' ';
    append_help_text(out, f->help());
    out += "\n# TYPE ";
    out += f->name();
    out += ' ';
    out += type_name(f->type());
    out += '\n';
    write_samples(*f, out, {});
  }
}

void serialize_openmetrics(const MetricSet& set, double timestamp_seconds, std::string& out,
                           bool terminate) {
  std::string ts;
  append_value(ts, timestamp_seconds);
  for (const auto& f : set.families()) {
    if (f->empty()) continue;
    // OpenMetrics names a counter family without its _total suffix.
    std::string_view family_name = f->name();
    if (f->type() == MetricType::kCounter && family_name.ends_with("_total"))
      family_name.remove_suffix(6);
    out += "# HELP ";
    out += family_name;
    out += ' ';
    append_help_text(out, f->help());
    out += "\n# TYPE ";
    out += family_name;
    out += ' ';
    // A counter sample must end in _total; one named otherwise keeps its live name as unknown.
    const bool bare_counter = f->type() == MetricType::kCounter && family_name == f->name();
    out += f->type() == MetricType::kUntyped || bare_counter ? "unknown" : type_name(f->type());
    out += '\n';
    write_samples(*f, out, ts);
  }
  if (terminate) out += "# EOF\n";
}

}  // namespace fue
