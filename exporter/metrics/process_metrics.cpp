#include "exporter/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fue {
namespace {

std::string read_all(const char* path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The system's boot time (Unix seconds), from /proc/stat's btime line; 0 if unknown.
double boot_time() {
  std::istringstream in(read_all("/proc/stat"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("btime ", 0) == 0) return std::strtod(line.c_str() + 6, nullptr);
  return 0;
}

double open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  double n = 0;
  while (const dirent* e = ::readdir(dir))
    if (e->d_name[0] != '.') ++n;
  ::closedir(dir);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view stat) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the
  // last ')'. After it, field 3 (state) is index 0.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::istringstream in{std::string(stat.substr(close + 1))};
  std::vector<std::string> f;
  for (std::string word; in >> word;) f.push_back(word);
  if (f.size() < 22) return std::nullopt;
  // stat(5) fields 14 utime, 15 stime, 20 num_threads, 22 starttime, 23 vsize, 24 rss.
  auto at = [&](int field) { return std::strtod(f[field - 3].c_str(), nullptr); };
  ProcStat s;
  s.utime_ticks = at(14);
  s.stime_ticks = at(15);
  s.threads = at(20);
  s.start_ticks = at(22);
  s.vsize_bytes = at(23);
  s.rss_pages = at(24);
  return s;
}

MetricSet collect_process_metrics() {
  MetricSet set;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (const auto st = parse_proc_stat(read_all("/proc/self/stat"))) {
    set.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
        .add({}, (st->utime_ticks + st->stime_ticks) / ticks);
    set.gauge("process_resident_memory_bytes", "Resident memory size in bytes.")
        .add({}, st->rss_pages * page);
    set.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
        .add({}, st->vsize_bytes);
    if (const double boot = boot_time(); boot > 0)
      set.gauge("process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.")
          .add({}, boot + st->start_ticks / ticks);
    set.gauge("fleet_usage_exporter_threads", "OS threads of the exporter process.")
        .add({}, st->threads);
  }
  if (const double fds = open_fds(); fds >= 0)
    set.gauge("process_open_fds", "Number of open file descriptors.").add({}, fds);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    set.gauge("process_max_fds", "Maximum number of open file descriptors.")
        .add({}, limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(limit.rlim_cur));
  return set;
}

}  // namespace fue
