#include "exporter/backfill/backfill.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "exporter/backfill/plan.h"
#include "exporter/backfill/state.h"
#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/engine/scraper.h"
#include "exporter/http/http_client.h"
#include "exporter/metrics/serializer.h"
#include "scrapers/registry.h"

namespace fue::backfill {
namespace {

struct Options {
  std::string config_file = "fleet-usage-exporter.toml";
  std::string from, to;
  std::string output = "-";
  std::string state_file;  // default: <output>.state
  bool no_state = false;
  std::vector<std::string> targets;  // vendor/name; empty: every enabled target with history
  Duration range_timeout{300'000};
  LogLevel log_level = LogLevel::kWarn;
  bool help = false;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Options parse(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    if (name == "--help" || name == "-h") {
      o.help = true;
      continue;
    }
    if (name == "--no-state") {
      o.no_state = true;
      continue;
    }
    if (name.rfind("--", 0) != 0) throw UsageError("unexpected argument \"" + name + "\"");
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else {
      if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
      value = args[++i];
    }
    if (name == "--config.file") {
      o.config_file = value;
    } else if (name == "--from") {
      o.from = value;
    } else if (name == "--to") {
      o.to = value;
    } else if (name == "--output") {
      o.output = value;
    } else if (name == "--state.file") {
      o.state_file = value;
    } else if (name == "--target") {
      o.targets.push_back(value);
    } else if (name == "--range.timeout") {
      Duration d{0};
      if (!config::parse_duration(value, d) || d.count() <= 0)
        throw UsageError("--range.timeout: expected a duration such as \"5m\", got \"" + value +
                         "\"");
      o.range_timeout = d;
    } else if (name == "--log.level") {
      if (!log::parse_level(value, o.log_level))
        throw UsageError("--log.level: expected debug, info, warn or error");
    } else {
      throw UsageError("unknown flag " + name);
    }
  }
  return o;
}

// Counts the requests of every client, for progress lines.
class Counter : public http::RequestObserver {
 public:
  void on_request(const std::string&, const std::string&, double) override { ++requests; }
  void on_rate_limited() override { ++rate_limited; }
  void on_retry() override { ++retries; }
  std::atomic<uint64_t> requests{0}, rate_limited{0}, retries{0};
};

struct Unit {
  const TargetConfig* target;
  const VendorDescriptor* vendor;
  DayRange range;
  std::string key() const { return target->id() + " " + format_date(range.first); }
};

// One target's client and scraper (the scraper installs the vendor's authentication).
struct Session {
  std::unique_ptr<http::Client> client;
  std::unique_ptr<Scraper> scraper;
};

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string plural(uint64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// The pieces file holds one OpenMetrics text per finished range, each with its own HELP/TYPE
// lines per family. OpenMetrics (and `promtool check metrics`) wants every family once per
// file, so at the end the pieces are regrouped: each family's header once, at its first
// appearance, followed by all its samples in the order they were fetched (target, range, day).
// Two passes over the file: the first indexes the byte ranges of each family's samples (a few
// numbers per family and target day), the second copies them; the samples are never all in
// memory at once.
void assemble(const std::string& pieces, const std::function<void(std::string_view)>& write) {
  struct Family {
    std::string header;
    std::vector<std::pair<uint64_t, uint64_t>> samples;  // offset, length
  };
  std::vector<Family> families;
  std::unordered_map<std::string, size_t> by_name;
  {
    std::ifstream in(pieces, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + pieces);
    std::string line;
    uint64_t offset = 0;
    Family* current = nullptr;
    bool in_header = false;
    while (std::getline(in, line)) {
      const uint64_t length = line.size() + (in.eof() ? 0 : 1);
      if (line.rfind("# ", 0) == 0) {
        if (line.rfind("# EOF", 0) == 0) throw std::runtime_error(pieces + ": unexpected # EOF");
        const size_t name_at = line.find(' ', 2);
        const size_t name_end = line.find(' ', name_at + 1);
        if (name_at == std::string::npos)
          throw std::runtime_error(pieces + ": unreadable line \"" + line + "\"");
        const std::string name = line.substr(name_at + 1, name_end - name_at - 1);
        auto [it, fresh] = by_name.emplace(name, families.size());
        if (fresh) families.emplace_back();
        Family* f = &families[it->second];
        // A family's header lines are only kept from its first appearance.
        if (fresh || (in_header && current == f && families[it->second].samples.empty()))
          f->header.append(line).append("\n");
        current = f;
        in_header = true;
      } else if (!line.empty()) {
        if (!current) throw std::runtime_error(pieces + ": a sample before any # TYPE line");
        auto& s = current->samples;
        if (!in_header && !s.empty() && s.back().first + s.back().second == offset)
          s.back().second += length;
        else
          s.emplace_back(offset, length);
        in_header = false;
      }
      offset += length;
    }
  }
  std::ifstream in(pieces, std::ios::binary);
  std::string buffer;
  for (const auto& f : families) {
    if (f.samples.empty()) continue;
    buffer += f.header;
    for (const auto& [offset, length] : f.samples) {
      const size_t at = buffer.size();
      buffer.resize(at + length);
      in.seekg(static_cast<std::streamoff>(offset));
      if (!in.read(buffer.data() + at, static_cast<std::streamsize>(length)))
        throw std::runtime_error("cannot read " + pieces);
      if (buffer.back() != '\n') buffer += '\n';
      if (buffer.size() >= (1u << 20)) {
        write(buffer);
        buffer.clear();
      }
    }
  }
  buffer += "# EOF\n";
  write(buffer);
}

// Writes the whole file next to `path` and renames it over `path`, so `path` is either the old
// file or the complete new one.
void write_file_atomically(
    const std::string& path,
    const std::function<void(const std::function<void(std::string_view)>&)>& produce) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp);
  try {
    produce([&](std::string_view data) {
      while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("cannot write " + tmp);
        data.remove_prefix(static_cast<size_t>(n));
      }
    });
    if (::fsync(fd) != 0) throw std::runtime_error("cannot sync " + tmp);
  } catch (...) {
    ::close(fd);
    std::remove(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

int64_t today_utc() {
  using namespace std::chrono;
  const int64_t now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  return now - now % kDaySeconds;
}

}  // namespace

std::string usage() {
  return R"(Usage: fleet-usage-exporter backfill --from YYYY-MM-DD [flags]

Fetches the vendors' usage history by UTC day and writes it as OpenMetrics text with
timestamps, with the metric names and labels of /metrics, for
  promtool tsdb create-blocks-from openmetrics <output> <prometheus data dir>

Flags:
  --config.file FILE     the exporter's TOML config (default fleet-usage-exporter.toml)
  --from YYYY-MM-DD      first day (UTC), required
  --to YYYY-MM-DD        last day (UTC), included; default and latest: yesterday
  --output FILE          where to write; "-" is stdout (default "-")
  --state.file FILE      progress record for resuming; default <output>.state (files only)
  --no-state             do not keep a state file
  --target VENDOR/NAME   only this target (repeatable); default every enabled target
  --range.timeout DUR    deadline of one range of one target (default 5m)
  --log.level LEVEL      debug, info, warn (default) or error

Progress (ranges done and to do, requests made) goes to stderr. After an interruption or a
failed range, run the same command again: finished ranges are skipped and the output is
cut back to them, so every day appears exactly once.
)";
}

int run(const std::vector<std::string>& args) {
  Options o;
  try {
    o = parse(args);
  } catch (const UsageError& e) {
    std::cerr << "fleet-usage-exporter backfill: error: " << e.what()
              << "\nRun fleet-usage-exporter backfill --help for usage.\n";
    return 2;
  }
  if (o.help) {
    std::cout << usage();
    return 0;
  }
  log::configure(o.log_level, LogFormat::kLogfmt);
  auto fail_usage = [](const std::string& message) {
    std::cerr << "fleet-usage-exporter backfill: error: " << message
              << "\nRun fleet-usage-exporter backfill --help for usage.\n";
    return 2;
  };
  if (o.from.empty()) return fail_usage("--from is required");
  const auto from = parse_date(o.from);
  if (!from) return fail_usage("--from: expected a date YYYY-MM-DD, got \"" + o.from + "\"");
  const int64_t yesterday = today_utc() - kDaySeconds;
  int64_t to = yesterday;
  if (!o.to.empty()) {
    auto parsed = parse_date(o.to);
    if (!parsed) return fail_usage("--to: expected a date YYYY-MM-DD, got \"" + o.to + "\"");
    to = *parsed;
  }
  if (to > yesterday) {
    std::cerr << "backfill: --to " << format_date(to) << " is not a finished day; using "
              << format_date(yesterday) << " (live scrapes cover today)\n";
    to = yesterday;
  }
  if (*from > to)
    return fail_usage("--from " + format_date(*from) + " is after --to " + format_date(to));
  const bool to_stdout = o.output == "-";
  if (to_stdout && !o.state_file.empty())
    return fail_usage("--state.file needs --output FILE: stdout cannot be cut back on resume");
  std::string state_path;
  if (!to_stdout && !o.no_state)
    state_path = o.state_file.empty() ? o.output + ".state" : o.state_file;
  // Finished ranges go to the pieces file; the output is made from it once all are done.
  std::string pieces = o.output + ".pieces";
  if (to_stdout) {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/fleet-usage-exporter-backfill-XXXXXX";
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) {
      std::cerr << "fleet-usage-exporter backfill: error: cannot make a temporary file in "
                << (tmpdir && *tmpdir ? tmpdir : "/tmp") << "\n";
      return 1;
    }
    ::close(fd);
    pieces = pattern;
  }
  // Without a state file the pieces cannot be resumed from; they go when the run ends.
  struct RemovePieces {
    std::string path;
    ~RemovePieces() {
      if (!path.empty()) std::remove(path.c_str());
    }
  } remove_pieces{state_path.empty() ? pieces : ""};

  const VendorRegistry& vendors = builtin_vendors();
  ExporterConfig config;
  try {
    config = load_config(o.config_file, vendors);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }

  // The work: every range of every selected target, target by target, oldest first.
  std::vector<Unit> units;
  const std::set<std::string> wanted(o.targets.begin(), o.targets.end());
  std::set<std::string> missing = wanted;
  for (const auto& t : config.targets) {
    if (!wanted.empty()) {
      if (!wanted.count(t.id())) continue;
      missing.erase(t.id());
    } else if (!t.enabled) {
      continue;
    }
    const VendorDescriptor* v = vendors.find(t.vendor);
    if (!v || !v->history.fetch) {
      std::cerr << "backfill: " << t.id() << ": " << (v ? v->display_name : t.vendor)
                << " has no usage history API; skipped\n";
      continue;
    }
    for (const auto& r : split_range(*from, to, v->history.max_days, v->history.within_month))
      units.push_back({&t, v, r});
  }
  if (!missing.empty()) {
    std::cerr << "fleet-usage-exporter backfill: error: no target " << *missing.begin() << " in "
              << o.config_file << "\n";
    return 1;
  }

  std::ostringstream run_id;
  run_id << "from=" << format_date(*from) << " to=" << format_date(to) << " output=" << o.output
         << " layout=pieces targets=";
  for (size_t i = 0; i < units.size(); ++i)
    if (i == 0 || units[i].target != units[i - 1].target)
      run_id << (i ? "," : "") << units[i].target->id();

  std::optional<StateFile> state;
  try {
    if (!state_path.empty()) {
      state.emplace(state_path, run_id.str());
      if (state->resumed() && !state->complete()) {
        // Drop whatever a stopped run wrote after its last finished range.
        if (::truncate(pieces.c_str(), static_cast<off_t>(state->output_offset())) != 0 &&
            state->output_offset() > 0)
          throw std::runtime_error("cannot cut " + pieces + " back to " +
                                   std::to_string(state->output_offset()) + " bytes");
        if (state->output_offset() == 0) {
          const int fd = ::open(pieces.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
          if (fd >= 0) ::close(fd);
        }
        std::cerr << "backfill: resuming from " << state_path << ": "
                  << plural(state->done_count(), "range") << " already done\n";
      }
    }
    if (!state || !state->resumed()) {
      const int fd = ::open(pieces.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) throw std::runtime_error("cannot write " + pieces);
      ::close(fd);
    }
  } catch (const std::exception& e) {
    std::cerr << "fleet-usage-exporter backfill: error: " << e.what() << "\n";
    return 1;
  }
  if (state && state->complete()) {
    std::remove(pieces.c_str());  // left over if a run stopped right after completing
    std::cerr << "backfill: " << o.output << " is already complete (" << state_path
              << "); remove the state file to fetch again\n";
    return 0;
  }

  auto counter = std::make_shared<Counter>();
  const std::string user_agent = user_agent_of(config.global);
  std::map<std::string, Session> sessions;
  size_t total = units.size(), finished = 0;
  for (const auto& u : units)
    if (state && state->done(u.key())) ++finished;
  uint64_t days_written = 0, samples_written = 0;

  auto write_out = [&](const std::string& text) { append_synced(pieces, text); };

  std::cerr << "backfill: " << format_date(*from) << " .. " << format_date(to) << ": "
            << plural(total, "range") << " to fetch over "
            << plural(total ? (to - *from) / kDaySeconds + 1 : 0, "day") << ", "
            << (total - finished) << " to do\n";
  for (const auto& u : units) {
    if (state && state->done(u.key())) continue;
    const TargetConfig& t = *u.target;
    const uint64_t requests_before = counter->requests;
    std::map<int64_t, MetricSet> days;
    try {
      Session& s = sessions[t.id()];
      if (!s.client) {
        s.client =
            std::make_unique<http::Client>(client_options_for(t, *u.vendor, user_agent), counter);
        s.scraper = make_scraper(*u.vendor, t, *s.client);
      }
      HistoryContext ctx{
          t, *s.client, Deadline::after(o.range_timeout), u.range.first, u.range.last, {}, {}};
      ctx.day = [&](int64_t day) -> MetricSet& {
        auto it = days.find(day);
        if (it == days.end()) it = days.emplace(day, MetricSet({{"target", t.name}})).first;
        return it->second;
      };
      ctx.note = [&](std::string_view message) {
        static std::set<std::string> said;
        const std::string line = t.id() + ": " + std::string(message);
        if (said.insert(line).second) std::cerr << "backfill: note: " << line << "\n";
      };
      u.vendor->history.fetch(ctx);
    } catch (const std::exception& e) {
      const auto* se = dynamic_cast<const ScrapeError*>(&e);
      std::cerr << "backfill: " << t.id() << " " << format_date(u.range.first) << " .. "
                << format_date(u.range.last) << " failed: " << (se ? se->reason() + ": " : "")
                << e.what() << "\nbackfill: " << finished << " of " << total << " ranges done, "
                << (total - finished) << " to do, " << plural(counter->requests, "request")
                << " made";
      if (state)
        std::cerr << "; run the same command again to resume (" << state_path << ")\n";
      else
        std::cerr << "; nothing was written to the output\n";
      return 1;
    }
    std::string text;
    uint64_t samples = 0;
    for (auto& [day, set] : days) {
      if (day < u.range.first || day > u.range.last) continue;  // a vendor's extra day
      set.remove_duplicates();
      samples += set.series();
      serialize_openmetrics(set, static_cast<double>(sample_time(day)), text, false);
      ++days_written;
    }
    samples_written += samples;
    try {
      write_out(text);
      if (state) state->record(u.key(), file_size(pieces));
    } catch (const std::exception& e) {
      std::cerr << "fleet-usage-exporter backfill: error: " << e.what() << "\n";
      return 1;
    }
    ++finished;
    std::cerr << "backfill: " << t.id() << " " << format_date(u.range.first) << " .. "
              << format_date(u.range.last) << " done: " << plural(samples, "sample") << ", "
              << plural(counter->requests - requests_before, "request") << "; " << finished
              << " of " << total << " ranges done, " << (total - finished) << " to do, "
              << plural(counter->requests, "request") << " in all\n";
  }
  try {
    if (to_stdout) {
      assemble(pieces, [](std::string_view data) {
        std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!std::cout) throw std::runtime_error("cannot write to stdout");
      });
      std::cout.flush();
    } else {
      // Rebuilt from the pieces if a run stopped between the rename and the state record.
      write_file_atomically(o.output, [&](const auto& write) { assemble(pieces, write); });
    }
    if (state) {
      state->record_complete(file_size(o.output));
      std::remove(pieces.c_str());
    }
  } catch (const std::exception& e) {
    std::cerr << "fleet-usage-exporter backfill: error: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "backfill: complete: " << plural(finished, "range") << ", "
            << plural(samples_written, "sample") << " in " << plural(days_written, "target day")
            << " written this run, " << plural(counter->requests, "request") << " ("
            << counter->rate_limited << " rate limited, " << counter->retries << " retried)\n";
  return 0;
}

}  // namespace fue::backfill
