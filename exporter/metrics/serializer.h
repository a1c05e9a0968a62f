#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/metrics/metric_set.h"
#include "exporter/metrics/metric_view.h"

namespace fue {

inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr const char* kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

// Writes the Prometheus text format 0.0.4 directly from the lean layout: no intermediate
// prometheus::MetricFamily, one pass, escaping only where a value needs it.
void serialize_text(const MetricSet& set, std::string& out);
// The same for several sets' families, each name's families under one HELP and TYPE.
void serialize_text(const MetricView& view, std::string& out);
// OpenMetrics 1.0 text for a scrape, ending with "# EOF": counters under their name without
// _total, gauges named *_info whose values are all 1 as info, gauges shaped as a StateSet (last
// label named as the family, values 0 or 1; see add_state_set) as stateset, # UNIT for names
// ending in _seconds or _bytes. Samples keep their names and labels, so Prometheus stores what
// the text format gives (where a StateSet is a gauge, per OpenMetrics' compatibility rules).
void serialize_openmetrics(const MetricView& view, std::string& out);
// An upper bound of the bytes of `view`'s exposition in either format.
size_t exposition_bound(const MetricView& view);
// Receives an exposition in pieces while it is written (stream_text, stream_openmetrics).
using ExpositionSink = std::function<void(std::string_view)>;
inline constexpr size_t kChunkBytes = 256 * 1024;  // a piece: about what a core's L2 holds
// The same expositions handed to `sink` in pieces of about kChunkBytes, through one reused
// buffer: a large one is compressed while each piece is in the CPU's cache, never held whole.
// OpenMetrics comes without its "# EOF", for the caller to end.
void stream_text(const MetricView& view, const ExpositionSink& sink);
void stream_openmetrics(const MetricView& view, const ExpositionSink& sink);
// OpenMetrics text with a timestamp (seconds) on every sample, for backfill. Ends with "# EOF"
// only when `terminate` is set, so several blocks can be written in sequence.
void serialize_openmetrics(const MetricSet& set, double timestamp_seconds, std::string& out,
                           bool terminate);

// Appends `v` the way Prometheus parses it: integers without a fraction, +Inf, -Inf, NaN.
void append_value(std::string& out, double v);
// Appends a label value with \\, \" and \n escaped.
void append_escaped_label_value(std::string& out, std::string_view v);

}  // namespace fue
