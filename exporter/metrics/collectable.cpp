#include "exporter/metrics/collectable.h"

#include <prometheus/client_metric.h>

#include <limits>
#include <string>

namespace fue {
namespace {

prometheus::MetricType to_type(MetricType t) {
  switch (t) {
    case MetricType::kGauge:
      return prometheus::MetricType::Gauge;
    case MetricType::kCounter:
      return prometheus::MetricType::Counter;
    case MetricType::kHistogram:
      return prometheus::MetricType::Histogram;
    case MetricType::kUntyped:
      return prometheus::MetricType::Untyped;
  }
  return prometheus::MetricType::Untyped;
}

std::vector<prometheus::ClientMetric::Label> labels_of(const MetricFamily& f,
                                                       const MetricFamily::Sample& s,
                                                       size_t count) {
  std::vector<prometheus::ClientMetric::Label> labels;
  size_t i = 0;
  f.for_each_value(s, [&](std::string_view v) {
    if (i < count) labels.push_back({f.label_names()[i], std::string(v)});
    ++i;
  });
  return labels;
}

// Histogram samples arrive as buckets, then +Inf, sum and count; fold them into one ClientMetric.
void add_histogram_samples(const MetricFamily& f, prometheus::MetricFamily& out) {
  prometheus::ClientMetric* current = nullptr;
  bool starts_new = true;  // the first bucket after a _count begins the next histogram
  for (const auto& s : f.samples()) {
    if (s.kind == SampleKind::kBucket) {
      auto values = f.values_of(s);
      if (starts_new) {
        starts_new = false;
        out.metric.push_back({});
        current = &out.metric.back();
        current->label = labels_of(f, s, f.label_names().size());
      }
      prometheus::ClientMetric::Bucket b;
      b.cumulative_count = static_cast<uint64_t>(s.value);
      b.upper_bound = values.back() == "+Inf" ? std::numeric_limits<double>::infinity()
                                              : std::stod(std::string(values.back()));
      current->histogram.bucket.push_back(b);
    } else if (current && s.kind == SampleKind::kSum) {
      current->histogram.sample_sum = s.value;
    } else if (current && s.kind == SampleKind::kCount) {
      current->histogram.sample_count = static_cast<uint64_t>(s.value);
      starts_new = true;
    }
  }
}

}  // namespace

std::vector<prometheus::MetricFamily> to_prometheus(const MetricSet& set) {
  std::vector<prometheus::MetricFamily> result;
  for (const auto& f : set.families()) {
    prometheus::MetricFamily pf;
    pf.name = f->name();
    pf.help = f->help();
    pf.type = to_type(f->type());
    if (f->type() == MetricType::kHistogram) {
      add_histogram_samples(*f, pf);
    } else {
      for (const auto& s : f->samples()) {
        prometheus::ClientMetric m;
        m.label = labels_of(*f, s, f->label_names().size());
        if (f->type() == MetricType::kCounter)
          m.counter.value = s.value;
        else if (f->type() == MetricType::kGauge)
          m.gauge.value = s.value;
        else
          m.untyped.value = s.value;
        pf.metric.push_back(std::move(m));
      }
    }
    result.push_back(std::move(pf));
  }
  return result;
}

}  // namespace fue
