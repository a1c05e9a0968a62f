// Exposition benchmark: build the metric families of a synthetic fleet and serialise them.
//
//   (a) "ours":    fue::MetricSet (the lean layout the scrapers fill) + fue::serialize_text
//   (a') "ours_gzip": the same, then gzip as /metrics does for Accept-Encoding: gzip
//   (a'') "ours_engine": the whole path: duplicate removal once per collection (in "build"),
//         then what /metrics does (the shared set and the self-metrics in a MetricView,
//         serialised); "serialize" is then that whole /metrics step
//   (a''') "ours_engine_gzip": the same whole path as Prometheus asks for it (OpenMetrics, gzip):
//         the collection's exposition rendered and compressed once (ExpositionCache), the
//         self-metrics as the per-scrape tail; "repeat" is a second scrape of that collection
//   (b) "naive":   prometheus-cpp Registry, Family<Gauge>::Add per series, TextSerializer
//
// Two ways to run it:
//   exposition_bench [Google Benchmark flags]         the registered benchmarks (BM_Ours/...)
//   exposition_bench --case=ours --series=N [--repeat=R] [--out=FILE]
//       one case in this process only, so its peak RSS (getrusage) belongs to that case; prints
//       one JSON line: seconds (best of R), build/serialize split, bytes, peak_rss_bytes.
// scripts/bench uses the second form, one process per case.
#include <benchmark/benchmark.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "exporter/core/memory.h"
#include "exporter/metrics/metric_set.h"
#include "exporter/metrics/metric_view.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/exposition_cache.h"
#include "exporter/server/gzip_body.h"
#include "tests/bench/synthetic_fleet.h"

namespace {

// CPU time of this process: the figure that matters for "on one core", and the one that stays
// meaningful when other work shares the machine (wall time is printed as well).
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};
using WallClock = std::chrono::steady_clock;
using fue::bench::kStates;
using fue::bench::Vm;

double seconds_since(Clock::time_point t) { return Clock::now() - t; }

// The exporter's path, as the BCS scraper fills it (fixed target label, a size hint per family).
void build_ours(size_t series, fue::MetricSet& set) {
  auto& info = set.gauge(fue::bench::kInfoName, fue::bench::kInfoHelp,
                         {"instance_id", "name", "flavor", "image", "instance_type",
                          "availability_zone", "private_ip"});
  auto& state =
      set.gauge(fue::bench::kStateName, fue::bench::kStateHelp, {"instance_id", "vm_state"});
  auto& created = set.gauge(fue::bench::kCreatedName, fue::bench::kCreatedHelp, {"instance_id"});
  Vm vm;
  const size_t vms = fue::bench::vms_for(series);
  state.expect(vms * kStates.size());
  info.expect(vms);
  created.expect(vms);
  // As the BCS scraper promises: one VM per id, the id a label as listed.
  for (fue::MetricFamily* f : {&info, &state, &created}) f->promise_unique();
  for (size_t i = 0; i < vms; ++i) {
    vm.fill(i);
    info.add({vm.id, vm.name, vm.flavor, vm.image, vm.instance_type, vm.zone, vm.ip}, 1);
    for (auto s : kStates) state.add({vm.id, s}, s == vm.state ? 1 : 0);
    created.add({vm.id}, vm.created);
  }
}

// Deflates `in` into a gzip stream with zlib at its default level: the (a') row, and the size the
// web server's ISA-L output is compared with.
std::string gzip(const std::string& in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&zs, in.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  return out;
}

// The naive prometheus-cpp path: one Gauge object per series, then Collect + TextSerializer.
void build_naive(size_t series, prometheus::Registry& registry) {
  const prometheus::Labels target{{"target", fue::bench::kTarget}};
  auto& info = prometheus::BuildGauge()
                   .Name(fue::bench::kInfoName)
                   .Help(fue::bench::kInfoHelp)
                   .Labels(target)
                   .Register(registry);
  auto& state = prometheus::BuildGauge()
                    .Name(fue::bench::kStateName)
                    .Help(fue::bench::kStateHelp)
                    .Labels(target)
                    .Register(registry);
  auto& created = prometheus::BuildGauge()
                      .Name(fue::bench::kCreatedName)
                      .Help(fue::bench::kCreatedHelp)
                      .Labels(target)
                      .Register(registry);
  Vm vm;
  const size_t vms = fue::bench::vms_for(series);
  for (size_t i = 0; i < vms; ++i) {
    vm.fill(i);
    info.Add({{"instance_id", vm.id},
              {"name", vm.name},
              {"flavor", std::string(vm.flavor)},
              {"image", std::string(vm.image)},
              {"instance_type", std::string(vm.instance_type)},
              {"availability_zone", std::string(vm.zone)},
              {"private_ip", vm.ip}})
        .Set(1);
    for (auto s : kStates)
      state.Add({{"instance_id", vm.id}, {"vm_state", std::string(s)}}).Set(s == vm.state ? 1 : 0);
    created.Add({{"instance_id", vm.id}}).Set(vm.created);
  }
}

struct Result {
  double build = 0, serialize = 0, compress = 0, total = 0, wall = 0, repeat = 0;
  size_t bytes = 0, gzip_bytes = 0, zlib_bytes = 0;
  std::string text;  // kept only when asked
};

// The self-metrics a scrape adds after the collection's families (a few of them).
fue::MetricSet self_metrics() {
  fue::MetricSet self;
  self.gauge("fleet_usage_exporter_target_up", "Whether the last collection succeeded.",
             {"vendor", "target"})
      .add({"kakaocloud_bcs", fue::bench::kTarget}, 1);
  return self;
}

// One /metrics response from the cache: the collection's part, then this scrape's tail.
size_t gzip_scrape(fue::ExpositionCache& cache, const fue::MetricView& view) {
  const auto rendered = cache.get(view, fue::ExpositionFormat::kOpenMetrics, true);
  fue::MetricView live;
  live.add(self_metrics());
  std::string tail;
  fue::render_exposition(live, fue::ExpositionFormat::kOpenMetrics, tail);
  tail += "# EOF\n";
  std::string body;
  fue::write_gzip(rendered->deflate, tail, body);
  return body.size();
}

// "ours_engine_gzip": collect (build, dedup), then two gzip scrapes of that collection.
Result run_engine_gzip(size_t series) {
  Result r;
  const auto wall_start = WallClock::now();
  const auto start = Clock::now();
  auto cached = std::make_shared<fue::MetricSet>(
      std::vector<std::pair<std::string, std::string>>{{"target", fue::bench::kTarget}});
  build_ours(series, *cached);
  cached->remove_duplicates();
  r.build = seconds_since(start);
  {
    fue::ExpositionCache cache;
    fue::MetricView view;
    view.add(cached);
    cached.reset();  // the view (as the min_interval cache would) holds it now
    const auto s0 = Clock::now();
    r.gzip_bytes = gzip_scrape(cache, view);
    r.serialize = seconds_since(s0);
    const auto r0 = Clock::now();
    gzip_scrape(cache, view);
    r.repeat = seconds_since(r0);
    const auto f0 = Clock::now();
    {
      // Untimed: the same exposition compressed by zlib at its default level, for the size.
      std::string plain;
      fue::render_exposition(view, fue::ExpositionFormat::kOpenMetrics, plain);
      r.bytes = plain.size();
      r.zlib_bytes = gzip(plain).size();
    }
    r.compress = Clock::now() - f0;  // subtracted below
  }
  r.total = seconds_since(start) - r.compress - r.repeat;  // freeing included, as a scrape's
  r.compress = 0;
  r.wall = std::chrono::duration<double>(WallClock::now() - wall_start).count();
  return r;
}

Result run_case(const std::string& which, size_t series, bool keep_text) {
  if (which == "ours_engine_gzip") return run_engine_gzip(series);
  Result r;
  const auto wall_start = WallClock::now();
  const auto start = Clock::now();
  if (which == "ours_engine") {
    // What a collection and then /metrics do: the target runner removes duplicate label sets once
    // per collection and shares the set (with its cache); /metrics groups the shared sets and the
    // self-metrics in a MetricView, without copying them, and the web server serialises that.
    auto cached = std::make_shared<fue::MetricSet>(
        std::vector<std::pair<std::string, std::string>>{{"target", fue::bench::kTarget}});
    build_ours(series, *cached);
    cached->remove_duplicates();
    r.build = seconds_since(start);
    const auto s0 = Clock::now();
    {
      fue::MetricView view;
      view.add(cached);
      view.add(self_metrics());
      std::string body;
      fue::serialize_text(view, body);
      r.bytes = body.size();
      if (keep_text) r.text = std::move(body);
    }
    r.serialize = seconds_since(s0);
  } else if (which == "ours" || which == "ours_gzip") {
    {
      fue::MetricSet set(
          std::vector<std::pair<std::string, std::string>>{{"target", fue::bench::kTarget}});
      build_ours(series, set);
      r.build = seconds_since(start);
      const auto s0 = Clock::now();
      std::string body;
      fue::serialize_text(set, body);
      r.serialize = seconds_since(s0);
      r.bytes = body.size();
      if (which == "ours_gzip") {
        const auto c0 = Clock::now();
        r.gzip_bytes = gzip(body).size();
        r.compress = seconds_since(c0);
      }
      if (keep_text) r.text = std::move(body);
    }
  } else if (which == "naive") {
    {
      prometheus::Registry registry;
      build_naive(series, registry);
      r.build = seconds_since(start);
      const auto s0 = Clock::now();
      std::string body = prometheus::TextSerializer().Serialize(registry.Collect());
      r.serialize = seconds_since(s0);
      r.bytes = body.size();
      if (keep_text) r.text = std::move(body);
    }
  } else {
    throw std::invalid_argument("unknown --case '" + which +
                                "' (ours, ours_gzip, ours_engine, ours_engine_gzip, naive)");
  }
  r.total = seconds_since(start);  // includes freeing everything, as a scrape would
  r.wall = std::chrono::duration<double>(WallClock::now() - wall_start).count();
  return r;
}

void BM_Ours(benchmark::State& state) {
  for (auto _ : state) {
    auto r = run_case("ours", static_cast<size_t>(state.range(0)), false);
    benchmark::DoNotOptimize(r.bytes);
    state.counters["bytes"] = static_cast<double>(r.bytes);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Ours)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_OursGzip(benchmark::State& state) {
  for (auto _ : state) {
    auto r = run_case("ours_gzip", static_cast<size_t>(state.range(0)), false);
    benchmark::DoNotOptimize(r.gzip_bytes);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_OursGzip)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_NaivePrometheusCpp(benchmark::State& state) {
  for (auto _ : state) {
    auto r = run_case("naive", static_cast<size_t>(state.range(0)), false);
    benchmark::DoNotOptimize(r.bytes);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_NaivePrometheusCpp)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

bool flag(const char* arg, const char* name, std::string& value) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  value = arg + n + 1;
  return true;
}

int run_single(int argc, char** argv) {
  std::string which, series_text, repeat_text = "1", out_path;
  for (int i = 1; i < argc; ++i) {
    if (!flag(argv[i], "--case", which) && !flag(argv[i], "--series", series_text) &&
        !flag(argv[i], "--repeat", repeat_text) && !flag(argv[i], "--out", out_path)) {
      std::cerr << "unknown argument " << argv[i] << "\n";
      return 2;
    }
  }
  char* end = nullptr;
  const unsigned long long series = std::strtoull(series_text.c_str(), &end, 10);
  const long repeat = std::strtol(repeat_text.c_str(), nullptr, 10);
  if (series_text.empty() || *end != '\0' || series == 0 || repeat < 1) {
    std::cerr << "--series=N (N > 0) and --repeat=R (R >= 1) are required\n";
    return 2;
  }
  // Our cases run with the allocator set up as the exporter's main() sets it up.
  if (which.rfind("ours", 0) == 0) fue::memory::configure_allocator();
  // What the process holds before the case (libraries, runtime): peak minus this is the case's own.
  long long baseline_kb = 0;
  {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmRSS:", 0) == 0) baseline_kb = std::atoll(line.c_str() + 6);
  }
  Result best;
  for (long i = 0; i < repeat; ++i) {
    Result r = run_case(which, series, !out_path.empty() && i == 0);
    if (!out_path.empty() && i == 0) {
      std::ofstream(out_path, std::ios::binary) << r.text;
      r.text.clear();
      r.text.shrink_to_fit();
    }
    if (i == 0 || r.total < best.total) best = std::move(r);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "{\"case\":\"%s\",\"series\":%llu,\"repeat\":%ld,\"seconds\":%.6f,\"wall_seconds\":%.6f,"
      "\"build_seconds\":%.6f,"
      "\"serialize_seconds\":%.6f,\"compress_seconds\":%.6f,\"repeat_seconds\":%.6f,"
      "\"bytes\":%zu,\"gzip_bytes\":%zu,\"zlib_bytes\":%zu,"
      "\"peak_rss_bytes\":%lld,\"baseline_rss_bytes\":%lld}\n",
      which.c_str(), series, repeat, best.total, best.wall, best.build, best.serialize,
      best.compress, best.repeat, best.bytes, best.gzip_bytes, best.zlib_bytes,
      static_cast<long long>(ru.ru_maxrss) * 1024, baseline_kb * 1024);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--case=", 7) == 0) {
      try {
        return run_single(argc, argv);
      } catch (const std::exception& e) {
        std::cerr << "exposition_bench: " << e.what() << "\n";
        return 1;
      }
    }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
