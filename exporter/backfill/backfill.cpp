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

namespace {

constexpr int kGoOn = -1;  // a step's "no exit code yet"

int fail_usage(const std::string& message) {
  std::cerr << "fleet-usage-exporter backfill: error: " << message
            << "\nRun fleet-usage-exporter backfill --help for usage.\n";
  return 2;
}

int fail(const std::string& message) {
  std::cerr << "fleet-usage-exporter backfill: error: " << message << "\n";
  return 1;
}

// One backfill run, step by step; each step returns kGoOn or the process's exit code.
class Run {
 public:
  explicit Run(Options o) : o_(std::move(o)) {}

  int execute() {
    for (auto step : {&Run::check_range, &Run::choose_files, &Run::plan_units, &Run::open_state,
                      &Run::fetch_all, &Run::write_output})
      if (const int code = (this->*step)(); code != kGoOn) return code;
    return 0;
  }

 private:
  // --from/--to as finished UTC days.
  int check_range() {
    if (o_.from.empty()) return fail_usage("--from is required");
    const auto from = parse_date(o_.from);
    if (!from) return fail_usage("--from: expected a date YYYY-MM-DD, got \"" + o_.from + "\"");
    const int64_t yesterday = today_utc() - kDaySeconds;
    to_ = yesterday;
    if (!o_.to.empty()) {
      auto parsed = parse_date(o_.to);
      if (!parsed) return fail_usage("--to: expected a date YYYY-MM-DD, got \"" + o_.to + "\"");
      to_ = *parsed;
    }
    if (to_ > yesterday) {
      std::cerr << "backfill: --to " << format_date(to_) << " is not a finished day; using "
                << format_date(yesterday) << " (live scrapes cover today)\n";
      to_ = yesterday;
    }
    from_ = *from;
    if (from_ > to_)
      return fail_usage("--from " + format_date(from_) + " is after --to " + format_date(to_));
    return kGoOn;
  }

  // The state file and the pieces file: finished ranges go to the pieces, the output is made
  // from them once all are done.
  int choose_files() {
    to_stdout_ = o_.output == "-";
    if (to_stdout_ && !o_.state_file.empty())
      return fail_usage("--state.file needs --output FILE: stdout cannot be cut back on resume");
    if (!to_stdout_ && !o_.no_state)
      state_path_ = o_.state_file.empty() ? o_.output + ".state" : o_.state_file;
    pieces_ = o_.output + ".pieces";
    if (to_stdout_) {
      const char* tmpdir = std::getenv("TMPDIR");
      const std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
      std::string pattern = dir + "/fleet-usage-exporter-backfill-XXXXXX";
      const int fd = ::mkstemp(pattern.data());
      if (fd < 0) return fail("cannot make a temporary file in " + dir);
      ::close(fd);
      pieces_ = pattern;
    }
    // Without a state file the pieces cannot be resumed from; they go when the run ends.
    if (state_path_.empty()) remove_pieces_.path = pieces_;
    return kGoOn;
  }

  // Every range of every selected target, target by target, oldest first.
  int plan_units() {
    try {
      config_ = load_config(o_.config_file, vendors_);
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      return 1;
    }
    const std::set<std::string> wanted(o_.targets.begin(), o_.targets.end());
    std::set<std::string> missing = wanted;
    for (const auto& t : config_.targets) {
      if (!wanted.empty()) {
        if (!wanted.count(t.id())) continue;
        missing.erase(t.id());
      } else if (!t.enabled) {
        continue;
      }
      const VendorDescriptor* v = vendors_.find(t.vendor);
      if (!v || !v->history.fetch) {
        std::cerr << "backfill: " << t.id() << ": " << (v ? v->display_name : t.vendor)
                  << " has no usage history API; skipped\n";
        continue;
      }
      for (const auto& r : split_range(from_, to_, v->history.max_days, v->history.within_month))
        units_.push_back({&t, v, r});
    }
    if (!missing.empty()) return fail("no target " + *missing.begin() + " in " + o_.config_file);
    return kGoOn;
  }

  // What a resumed run must match: the same dates, output and targets.
  std::string run_id() const {
    std::ostringstream id;
    id << "from=" << format_date(from_) << " to=" << format_date(to_) << " output=" << o_.output
       << " layout=pieces targets=";
    for (size_t i = 0; i < units_.size(); ++i)
      if (i == 0 || units_[i].target != units_[i - 1].target)
        id << (i ? "," : "") << units_[i].target->id();
    return id.str();
  }

  int open_state() {
    try {
      if (!state_path_.empty()) {
        state_.emplace(state_path_, run_id());
        if (state_->resumed() && !state_->complete()) resume_pieces();
      }
      if (!state_ || !state_->resumed()) {
        const int fd = ::open(pieces_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error("cannot write " + pieces_);
        ::close(fd);
      }
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    if (state_ && state_->complete()) {
      std::remove(pieces_.c_str());  // left over if a run stopped right after completing
      std::cerr << "backfill: " << o_.output << " is already complete (" << state_path_
                << "); remove the state file to fetch again\n";
      return 0;
    }
    return kGoOn;
  }

  // Drops whatever a stopped run wrote after its last finished range.
  void resume_pieces() {
    if (::truncate(pieces_.c_str(), static_cast<off_t>(state_->output_offset())) != 0 &&
        state_->output_offset() > 0)
      throw std::runtime_error("cannot cut " + pieces_ + " back to " +
                               std::to_string(state_->output_offset()) + " bytes");
    if (state_->output_offset() == 0) {
      const int fd = ::open(pieces_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) ::close(fd);
    }
    std::cerr << "backfill: resuming from " << state_path_ << ": "
              << plural(state_->done_count(), "range") << " already done\n";
  }

  int fetch_all() {
    user_agent_ = user_agent_of(config_.global);
    for (const auto& u : units_)
      if (state_ && state_->done(u.key())) ++finished_;
    std::cerr << "backfill: " << format_date(from_) << " .. " << format_date(to_) << ": "
              << plural(units_.size(), "range") << " to fetch over "
              << plural(units_.empty() ? 0 : (to_ - from_) / kDaySeconds + 1, "day") << ", "
              << (units_.size() - finished_) << " to do\n";
    for (const auto& u : units_) {
      if (state_ && state_->done(u.key())) continue;
      if (const int code = fetch_unit(u); code != kGoOn) return code;
    }
    return kGoOn;
  }

  // Fetches one range, appends its days to the pieces and records it in the state file.
  int fetch_unit(const Unit& u) {
    const uint64_t requests_before = counter_->requests;
    std::map<int64_t, MetricSet> days;
    try {
      fetch_history(u, days);
    } catch (const std::exception& e) {
      report_failure(u, e);
      return 1;
    }
    std::string text;
    uint64_t samples = 0;
    for (auto& [day, set] : days) {
      if (day < u.range.first || day > u.range.last) continue;  // a vendor's extra day
      set.remove_duplicates();
      samples += set.series();
      serialize_openmetrics(set, static_cast<double>(sample_time(day)), text, false);
      ++days_written_;
    }
    samples_written_ += samples;
    try {
      append_synced(pieces_, text);
      if (state_) state_->record(u.key(), file_size(pieces_));
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    ++finished_;
    std::cerr << "backfill: " << u.target->id() << " " << format_date(u.range.first) << " .. "
              << format_date(u.range.last) << " done: " << plural(samples, "sample") << ", "
              << plural(counter_->requests - requests_before, "request") << "; " << finished_
              << " of " << units_.size() << " ranges done, " << (units_.size() - finished_)
              << " to do, " << plural(counter_->requests, "request") << " in all\n";
    return kGoOn;
  }

  void fetch_history(const Unit& u, std::map<int64_t, MetricSet>& days) {
    const TargetConfig& t = *u.target;
    Session& s = sessions_[t.id()];
    if (!s.client) {
      s.client =
          std::make_unique<http::Client>(client_options_for(t, *u.vendor, user_agent_), counter_);
      s.scraper = make_scraper(*u.vendor, t, *s.client);
    }
    HistoryContext ctx{
        t, *s.client, Deadline::after(o_.range_timeout), u.range.first, u.range.last, {}, {}};
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
  }

  void report_failure(const Unit& u, const std::exception& e) const {
    const auto* se = dynamic_cast<const ScrapeError*>(&e);
    const size_t total = units_.size();
    std::cerr << "backfill: " << u.target->id() << " " << format_date(u.range.first) << " .. "
              << format_date(u.range.last) << " failed: " << (se ? se->reason() + ": " : "")
              << e.what() << "\nbackfill: " << finished_ << " of " << total << " ranges done, "
              << (total - finished_) << " to do, " << plural(counter_->requests, "request")
              << " made";
    if (state_)
      std::cerr << "; run the same command again to resume (" << state_path_ << ")\n";
    else
      std::cerr << "; nothing was written to the output\n";
  }

  int write_output() {
    try {
      if (to_stdout_) {
        assemble(pieces_, [](std::string_view data) {
          std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
          if (!std::cout) throw std::runtime_error("cannot write to stdout");
        });
        std::cout.flush();
      } else {
        // Rebuilt from the pieces if a run stopped between the rename and the state record.
        write_file_atomically(o_.output, [&](const auto& write) { assemble(pieces_, write); });
      }
      if (state_) {
        state_->record_complete(file_size(o_.output));
        std::remove(pieces_.c_str());
      }
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    std::cerr << "backfill: complete: " << plural(finished_, "range") << ", "
              << plural(samples_written_, "sample") << " in " << plural(days_written_, "target day")
              << " written this run, " << plural(counter_->requests, "request") << " ("
              << counter_->rate_limited << " rate limited, " << counter_->retries << " retried)\n";
    return kGoOn;
  }

  struct RemovePieces {
    std::string path;
    ~RemovePieces() {
      if (!path.empty()) std::remove(path.c_str());
    }
  };

  const Options o_;
  const VendorRegistry& vendors_ = builtin_vendors();
  int64_t from_ = 0, to_ = 0;
  bool to_stdout_ = false;
  std::string state_path_, pieces_;
  RemovePieces remove_pieces_;
  ExporterConfig config_;
  std::vector<Unit> units_;
  std::optional<StateFile> state_;
  std::shared_ptr<Counter> counter_ = std::make_shared<Counter>();
  std::string user_agent_;
  std::map<std::string, Session> sessions_;
  size_t finished_ = 0;
  uint64_t days_written_ = 0, samples_written_ = 0;
};

}  // namespace

int run(const std::vector<std::string>& args) {
  Options o;
  try {
    o = parse(args);
  } catch (const UsageError& e) {
    return fail_usage(e.what());
  }
  if (o.help) {
    std::cout << usage();
    return 0;
  }
  log::configure(o.log_level, LogFormat::kLogfmt);
  return Run(std::move(o)).execute();
}

}  // namespace fue::backfill
