#pragma once

#include <optional>
#include <string_view>

#include "exporter/metrics/metric_set.h"

namespace fue {

// What the exporter process itself uses, read from /proc/self, as every Prometheus client library
// exports it: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds, process_max_fds;
// and fleet_usage_exporter_threads (client_golang has no process_threads: its go_threads counts
// the Go runtime's, so the name is ours). Families whose source cannot be read are left out.
MetricSet collect_process_metrics();

// The fields of /proc/<pid>/stat that the families above use; nullopt when `stat` is malformed.
struct ProcStat {
  double utime_ticks = 0, stime_ticks = 0, start_ticks = 0;
  double threads = 0, vsize_bytes = 0, rss_pages = 0;
};
std::optional<ProcStat> parse_proc_stat(std::string_view stat);

}  // namespace fue
