// process_* families from /proc/self, named and typed as client_golang names them.
#include "exporter/metrics/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "exporter/metrics/serializer.h"

namespace fue {
namespace {

double value_of(const MetricSet& set, const char* name) {
  const MetricFamily* f = set.find(name);
  if (!f || f->samples().empty()) return -1;
  return f->samples()[0].value;
}

TEST(ProcessMetrics, ParsesStatWithSpacesAndParenthesesInTheCommand) {
  // Fields after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
  // cmajflt utime(14) stime(15) cutime cstime priority nice num_threads(20) itrealvalue
  // starttime(22) vsize(23) rss(24)
  const auto st = parse_proc_stat(
      "42 (fleet (usage) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 12345 "
      "104857600 2560 18446744073709551615");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->utime_ticks, 250);
  EXPECT_EQ(st->stime_ticks, 50);
  EXPECT_EQ(st->threads, 7);
  EXPECT_EQ(st->start_ticks, 12345);
  EXPECT_EQ(st->vsize_bytes, 104857600);
  EXPECT_EQ(st->rss_pages, 2560);
  EXPECT_FALSE(parse_proc_stat("42 (x) S 1 2"));
  EXPECT_FALSE(parse_proc_stat("no parenthesis"));
}

TEST(ProcessMetrics, ReportsThisProcess) {
  const MetricSet set = collect_process_metrics();
  EXPECT_GT(value_of(set, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(value_of(set, "process_virtual_memory_bytes"),
            value_of(set, "process_resident_memory_bytes"));
  EXPECT_GE(value_of(set, "process_cpu_seconds_total"), 0);
  EXPECT_GE(value_of(set, "fleet_usage_exporter_threads"), 1);
  EXPECT_GE(value_of(set, "process_open_fds"), 3);  // stdin, stdout, stderr at least
  EXPECT_GE(value_of(set, "process_max_fds"), value_of(set, "process_open_fds"));
  // Started a little while ago: within the last day, not in the future.
  const double now = static_cast<double>(std::time(nullptr));
  const double start = value_of(set, "process_start_time_seconds");
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 86400);
  EXPECT_EQ(set.find("process_cpu_seconds_total")->type(), MetricType::kCounter);
  std::string text;
  serialize_text(set, text);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total "),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace fue
