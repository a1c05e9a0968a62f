// The fault matrix: every vendor against every way its API can fail, on the real
// fleet-usage-exporter and vendor-sim binaries. One exporter (one target per vendor, min_interval
// 0) is reused for every cell; faults are set and cleared through the simulator's /_sim/faults and
// /_sim/knobs, or by reloading the exporter's config (refused connections, TLS). For each cell it
// checks that the faulty target is up 0 (or 1 where the fault must be survived) with its reason
// logged and counted, that every other target is served with the values of a healthy baseline
// scrape, that the scrape answers within its timeout, that the process stays alive, and that the
// target recovers once the fault is gone. It prints the table kept in docs/fault-matrix.md.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

const int kTargetTimeoutSeconds = static_cast<int>(std::lround(2 * time_scale()));
// X-Prometheus-Scrape-Timeout-Seconds sent
const int kScrapeTimeoutSeconds = static_cast<int>(std::lround(3 * time_scale()));
constexpr size_t kMaxResponseBytes = 1 << 20;

struct Vendor {
  std::string key;
  std::string api_prefix;  // faults aim here, so that an IAM route stays healthy
  std::string iam_path;    // empty for static-token vendors
  std::string target() const { return "fm-" + key; }
  bool has_iam() const { return !iam_path.empty(); }
};

const std::vector<Vendor> kVendors = {
    {"losant", "", ""},
    {"notehub", "", ""},
    {"thousandeyes", "", ""},
    {"koophone", "/v1/instances", "/v3/auth/tokens"},
    {"kakaocloud_bcs", "/api/v1/instances", "/identity/v3/auth/tokens"},
};

// How one vendor's table is written into the config.
struct Block {
  std::string base;  // scheme://host:port the vendor's base_url points at
  bool static_token = false;
  std::vector<std::string> extra{};  // more `key = value` lines
};

std::string vendor_block(const Vendor& v, const std::string& sim_base, const Block& b) {
  std::ostringstream o;
  o << "[[" << v.key << "]]\n"
    << "name = \"" << v.target() << "\"\n"
    << "base_url = \"" << b.base << "/" << v.key << "\"\n"
    << "timeout = \"" << kTargetTimeoutSeconds << "s\"\n"
    << "max_response_bytes = " << kMaxResponseBytes << "\n";
  if (v.key == "losant") {
    o << "token = \"sim-losant-token\"\ninstance_ids = [\"5ff89ff825013dc6c2856188\"]\n";
  } else if (v.key == "notehub") {
    o << "token = \"sim-notehub-pat\"\n"
      << "projects = [\"app:2606f411-dea6-44a0-9743-1130f57d77d8\"]\n";
  } else if (v.key == "thousandeyes") {
    // One request a collection: the simulator's 240-a-minute window must last the whole matrix.
    o << "token = \"sim-thousandeyes-token\"\n";
    // A listing cell turns the units group on with its own metric_groups line.
    if (std::none_of(b.extra.begin(), b.extra.end(),
                     [](const std::string& l) { return l.rfind("metric_groups", 0) == 0; }))
      o << "metric_groups = [\"usage\"]\n";
  } else if (v.key == "koophone") {
    if (b.static_token)
      o << "token = \"sim-huawei-static-token\"\n";
    else
      o << "iam_url = \"" << sim_base << "/koophone\"\nusername = \"sim-user\"\n"
        << "password = \"sim-huawei-password\"\ndomain = \"sim-domain\"\n";
  } else if (v.key == "kakaocloud_bcs") {
    if (b.static_token)
      o << "token = \"sim-kakao-static-token\"\n";
    else
      o << "iam_url = \"" << sim_base << "/kakaocloud_bcs\"\n"
        << "application_credential_id = \"sim-kakao-id\"\n"
        << "application_credential_secret = \"sim-kakao-secret\"\n";
  }
  for (const auto& line : b.extra) o << line << "\n";
  return o.str() + "\n";
}

// Samples of an exposition: "name{labels}" -> value.
std::map<std::string, double> parse_samples(const std::string& body) {
  std::map<std::string, double> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (const std::exception&) {
    }
  }
  return out;
}

// The vendor's own series, sorted, as served.
std::vector<std::string> vendor_lines(const std::string& body, const std::string& vendor) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);)
    // The remaining request budget moves with every request by design: not a served value to hold.
    if (line.rfind(vendor + "_", 0) == 0 && line.rfind("thousandeyes_rate_limit_", 0) != 0)
      out.push_back(line);
  std::sort(out.begin(), out.end());
  return out;
}

std::string first_difference(const std::vector<std::string>& want,
                             const std::vector<std::string>& got) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string a = i < want.size() ? want[i] : "<none>";
    const std::string b = i < got.size() ? got[i] : "<none>";
    if (a != b) return "baseline '" + a + "' vs served '" + b + "'";
  }
  return "";
}

struct Scrape {
  int status = 0;
  double seconds = 0;
  std::string body;
  std::map<std::string, double> samples;

  std::optional<double> sample(const std::string& key) const {
    auto it = samples.find(key);
    if (it == samples.end()) return std::nullopt;
    return it->second;
  }
  std::optional<double> up(const Vendor& v) const {
    return sample("fleet_usage_exporter_target_up{vendor=\"" + v.key + "\",target=\"" + v.target() +
                  "\"}");
  }
  double per_target(const std::string& metric, const Vendor& v) const {
    return sample(metric + "{vendor=\"" + v.key + "\",target=\"" + v.target() + "\"}").value_or(0);
  }
  std::map<std::string, double> errors(const Vendor& v) const {
    const std::string prefix = "fleet_usage_exporter_target_scrape_errors_total{vendor=\"" + v.key +
                               "\",target=\"" + v.target() + "\",reason=\"";
    std::map<std::string, double> out;
    for (auto it = samples.lower_bound(prefix); it != samples.end(); ++it) {
      if (it->first.rfind(prefix, 0) != 0) break;
      out[it->first.substr(prefix.size(), it->first.size() - prefix.size() - 2)] = it->second;
    }
    return out;
  }
};

// The exporter's JSON log, read on from where the last call stopped.
class LogTail {
 public:
  explicit LogTail(std::string path) : path_(std::move(path)) {}
  std::vector<Json> next() {
    std::ifstream in(path_);
    in.seekg(static_cast<std::streamoff>(offset_));
    std::vector<Json> out;
    for (std::string line; std::getline(in, line);) {
      if (in.eof()) break;  // a partial last line: read it next time
      offset_ += line.size() + 1;
      auto j = Json::parse(line, nullptr, false);
      if (j.is_object()) out.push_back(std::move(j));
    }
    return out;
  }

 private:
  std::string path_;
  size_t offset_ = 0;
};

struct Cell {
  bool applicable = true;
  std::string na;  // why not applicable
  bool held = true;
  std::string outcome;  // reason, or "up 1"
  std::string logged;   // the failure's log line (reason: error)
  std::vector<std::string> problems;
  void fail(const std::string& what) {
    held = false;
    problems.push_back(what);
  }
};

class FaultMatrix;

// One row of the matrix: how to cause the fault on a vendor and what must follow.
struct Fault {
  std::string name;
  // Returns an explanation when the fault does not apply to the vendor.
  std::function<std::optional<std::string>(const Vendor&)> not_applicable = [](const Vendor&) {
    return std::nullopt;
  };
  std::function<void(FaultMatrix&, const Vendor&)> set{};
  std::function<void(FaultMatrix&, const Vendor&)> clear{};  // default: clear simulator faults
  int expect_up = 0;
  // With expect_up 1: the vendor's series must equal the baseline's. Off where the fault
  // changes what there is to see (a fleet that grows); `check` then judges the values.
  bool compare_baseline = true;
  std::set<std::string> reasons{};  // accepted failure reasons when expect_up is 0
  // Extra checks on the cell after its scrape (before and after are the surrounding scrapes).
  std::function<void(FaultMatrix&, const Vendor&, const Scrape& before, const Scrape& after, Cell&)>
      check{};
  // Scrapes (with the fault set) that must stay up before the checked one, e.g. to prime a token.
  std::function<void(FaultMatrix&, const Vendor&)> prime{};
};

class FaultMatrix {
 public:
  FaultMatrix()
      : sim_(std::vector<std::string>{}),
        exporter_(config(), sim_.base(), {"--log.format", "json", "--log.level", "info"}),
        log_(exporter_.log_path()) {}

  SimProcess& sim() { return sim_; }
  ExporterProcess& exporter() { return exporter_; }

  // The config with every vendor healthy, except the blocks given.
  std::string config(const std::map<std::string, Block>& changed = {}) const {
    std::string text = "[global]\nmax_concurrent_targets = 8\n\n";
    for (const auto& v : kVendors) {
      auto it = changed.find(v.key);
      text += vendor_block(v, sim_.base(), it == changed.end() ? Block{sim_.base()} : it->second);
    }
    return text;
  }

  void reload(const std::map<std::string, Block>& changed = {}) {
    write_file(exporter_.config_path(), config(changed));
    httplib::Client c("127.0.0.1", exporter_.port());
    c.set_read_timeout(30, 0);
    auto r = c.Post("/-/reload");
    if (!r || r->status != 200)
      throw std::runtime_error("reload failed: " + (r ? r->body : std::string("no answer")));
  }

  void fault(const Json& rule) { sim_.post("faults", rule); }
  void clear_faults() {
    httplib::Client c("127.0.0.1", sim_.port());
    c.Delete("/_sim/faults");
  }
  // A fault rule aimed at the vendor's API (not its IAM route).
  Json api_fault(const Vendor& v, Json extra) const {
    extra["vendor"] = v.key;
    extra["path_prefix"] = v.api_prefix;
    if (!extra.contains("times")) extra["times"] = -1;
    return extra;
  }

  Scrape scrape() {
    httplib::Client c("127.0.0.1", exporter_.port());
    c.set_read_timeout(60, 0);
    Scrape s;
    const auto started = Clock::now();
    auto r =
        c.Get("/metrics",
              {{"X-Prometheus-Scrape-Timeout-Seconds", std::to_string(kScrapeTimeoutSeconds)}});
    s.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!r) return s;
    s.status = r->status;
    s.body = r->body;
    s.samples = parse_samples(s.body);
    return s;
  }

  bool alive() {
    if (!exporter_.running()) return false;
    return exporter_.get("/-/healthy", 10).first == 200;
  }

  // Two healthy scrapes that agree: the values every cell compares with.
  void take_baseline() {
    const Scrape a = scrape(), b = scrape();
    for (const auto& v : kVendors) {
      ASSERT_EQ(a.up(v), 1.0) << v.key << " is not up on the healthy baseline\n" << exporter_.log();
      ASSERT_EQ(b.up(v), 1.0) << v.key;
      const auto la = vendor_lines(a.body, v.key), lb = vendor_lines(b.body, v.key);
      ASSERT_FALSE(la.empty()) << v.key << " serves no series";
      ASSERT_TRUE(la == lb) << v.key << " is not stable between two healthy scrapes: "
                            << first_difference(la, lb);
      baseline_[v.key] = la;
    }
    expect_promtool_ok(b.body);
    last_ = b;
    log_.next();
  }

  bool matches_baseline(const Scrape& s, const Vendor& v, std::string* why) const {
    if (s.up(v) != 1.0) {
      *why = v.key + " is not up";
      return false;
    }
    const auto lines = vendor_lines(s.body, v.key);
    if (lines != baseline_.at(v.key)) {
      *why = v.key + " differs from the baseline: " + first_difference(baseline_.at(v.key), lines);
      return false;
    }
    return true;
  }

  // One scrape with the fault in place, checked; `expect_up` 0 needs a reason from `reasons`.
  Scrape checked_scrape(const Fault& f, const Vendor& v, Cell& cell) {
    const Scrape before = last_;
    const Scrape s = scrape();
    last_ = s;
    const auto logs = log_.next();

    if (s.status != 200) cell.fail("/metrics answered " + std::to_string(s.status));
    if (s.seconds >= kScrapeTimeoutSeconds)
      cell.fail("/metrics took " + std::to_string(s.seconds) + " s, over the scrape timeout");

    // The previous cell's vendor must be back: that cell's recovery.
    std::string why;
    if (pending_recovery_ && pending_recovery_->first != v.key) {
      if (!matches_baseline(s, vendor_of(pending_recovery_->first), &why))
        pending_recovery_->second->fail("did not recover after the fault was cleared: " + why);
      pending_recovery_.reset();
    }
    for (const auto& other : kVendors) {
      if (other.key == v.key) continue;
      if (!matches_baseline(s, other, &why)) cell.fail("other target: " + why);
    }

    const auto up = s.up(v);
    const auto errors_before = before.errors(v), errors_after = s.errors(v);
    std::vector<std::string> counted;
    for (const auto& [reason, n] : errors_after) {
      auto it = errors_before.find(reason);
      if (n > (it == errors_before.end() ? 0 : it->second)) counted.push_back(reason);
    }
    std::vector<std::string> logged;
    for (const auto& line : logs)
      if (line.value("msg", "") == "target collection failed" && line.value("vendor", "") == v.key)
        logged.push_back(line.value("reason", "") + ": " + line.value("error", ""));

    last_logs_ = logs;
    if (f.expect_up == 1) {
      if (!f.compare_baseline && up != 1.0) cell.fail(v.key + " is not up");
      if (f.compare_baseline && !matches_baseline(s, v, &why)) cell.fail(why);
      if (!counted.empty()) cell.fail("a scrape error was counted: " + counted[0]);
      if (!logged.empty()) cell.fail("a failure was logged: " + logged[0]);
      cell.outcome = "up 1";
    } else {
      if (up != 0.0) cell.fail("the faulty target is not up 0");
      if (counted.size() != 1) {
        cell.fail("expected one counted reason, got " + std::to_string(counted.size()));
      } else {
        const std::string& reason = counted[0];
        cell.outcome = reason;
        if (!f.reasons.count(reason)) cell.fail("unexpected reason " + reason);
        bool found = false;
        for (const auto& l : logged) found = found || l.rfind(reason + ": ", 0) == 0;
        if (!found)
          cell.fail("reason " + reason + " not logged" +
                    (logged.empty() ? "" : " (logged: " + logged[0] + ")"));
        if (!logged.empty()) cell.logged = logged[0];
      }
      // The failed target exports no vendor series of its own.
      if (!vendor_lines(s.body, v.key).empty()) cell.fail("the failed target still exports series");
    }
    if (!alive()) cell.fail("the exporter is not alive");
    if (f.check) f.check(*this, v, before, s, cell);
    return s;
  }

  Cell run(const Fault& f, const Vendor& v) {
    Cell cell;
    if (auto why = f.not_applicable(v)) {
      cell.applicable = false;
      cell.na = *why;
      return cell;
    }
    // A recovery still unchecked for this same vendor is checked by a plain scrape first.
    if (pending_recovery_ && pending_recovery_->first == v.key) {
      const Scrape s = scrape();
      last_ = s;
      log_.next();
      std::string why;
      if (!matches_baseline(s, v, &why))
        pending_recovery_->second->fail("did not recover after the fault was cleared: " + why);
      pending_recovery_.reset();
    }
    try {
      f.set(*this, v);
      if (f.prime) f.prime(*this, v);
      checked_scrape(f, v, cell);
    } catch (const std::exception& e) {
      cell.fail(std::string("exception: ") + e.what());
    }
    try {
      if (f.clear)
        f.clear(*this, v);
      else
        clear_faults();
    } catch (const std::exception& e) {
      cell.fail(std::string("clearing the fault failed: ") + e.what());
    }
    return cell;
  }

  // Cells are stored so that a later scrape can mark a recovery failure on them.
  void expect_recovery(const Vendor& v, Cell* cell) { pending_recovery_ = {v.key, cell}; }

  void final_recovery_check() {
    if (!pending_recovery_) return;
    const Scrape s = scrape();
    std::string why;
    if (!matches_baseline(s, vendor_of(pending_recovery_->first), &why))
      pending_recovery_->second->fail("did not recover after the fault was cleared: " + why);
    pending_recovery_.reset();
  }

  const Scrape& last() const { return last_; }
  void set_last(const Scrape& s) {
    last_ = s;
    log_.next();
  }

  int scratch = 0;  // a figure a fault's prime step hands to its check
  // The exporter's log lines of the last checked scrape.
  const std::vector<Json>& last_logs() const { return last_logs_; }

  static const Vendor& vendor_of(const std::string& key) {
    for (const auto& v : kVendors)
      if (v.key == key) return v;
    throw std::logic_error("no vendor " + key);
  }

 private:
  SimProcess sim_;
  ExporterProcess exporter_;
  LogTail log_;
  std::map<std::string, std::vector<std::string>> baseline_;
  Scrape last_;
  std::vector<Json> last_logs_;
  std::optional<std::pair<std::string, Cell*>> pending_recovery_;
};

// The vendor-sim binary serving HTTPS with a self-signed certificate made by the openssl CLI.
class TlsSim {
 public:
  TlsSim() {
    cert_ = dir_.file("cert.pem");
    const std::string key = dir_.file("key.pem");
    std::string out;
    const int rc = run_command(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
        " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
            key + " -out " + cert_ + " 2>&1",
        &out);
    if (rc != 0) throw std::runtime_error("openssl failed: " + out);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{FUE_SIM_BIN, "--listen-address", "127.0.0.1:0", "--tls.cert-file",
                                 cert_, "--tls.key-file", key},
        dir_.file("vendor-sim.log"));
    const std::string line = process_->read_line();
    std::smatch m;
    if (!std::regex_search(line, m, std::regex("listening on https://[^:]+:(\\d+)")))
      throw std::runtime_error("TLS vendor-sim did not start: '" + line + "' " +
                               read_file(dir_.file("vendor-sim.log")));
    base_ = "https://127.0.0.1:" + m[1].str();
  }
  const std::string& base() const { return base_; }
  const std::string& cert() const { return cert_; }

 private:
  TempDir dir_{"fue-tls-sim"};
  std::string cert_, base_;
  std::unique_ptr<ChildProcess> process_;
};

std::string iam_route(const Vendor& v) { return "POST /" + v.key + v.iam_path; }

int route_count(FaultMatrix& m, const std::string& route) {
  const auto stats = m.sim().stats();
  return stats["by_route"].value(route, 0);
}

// The listing cells: what each vendor lists, how many rows the simulator's fleet gives it, and
// the config lines that make the listing run (ThousandEyes lists only with its units group).
struct Listed {
  std::string endpoint;
  int per_fleet_divisor = 1;  // rows = fleet_size / this
  std::vector<std::string> extra{};
  bool reports_total = true;
};

std::optional<Listed> listed_of(const Vendor& v) {
  if (v.key == "kakaocloud_bcs") return Listed{"list_instances"};
  if (v.key == "koophone") return Listed{"batch_query"};
  if (v.key == "losant") return Listed{"historical_summaries", 5};
  if (v.key == "notehub") return Listed{"devices", 1, {}, false};
  if (v.key == "thousandeyes")
    return Listed{"units_tests", 1, {"metric_groups = [\"usage\", \"test_units\"]"}, false};
  return std::nullopt;
}

constexpr int kFleet = 25;  // the simulator's default fleet_size, which the baseline saw

std::string listing_key(const Vendor& v, const std::string& endpoint, const std::string& source) {
  return "fleet_usage_exporter_listing_resources{vendor=\"" + v.key + "\",target=\"" + v.target() +
         "\",endpoint=\"" + endpoint + "\",source=\"" + source + "\"}";
}

double partial(const Scrape& s, const Vendor& v, const std::string& reason) {
  return s
      .sample("fleet_usage_exporter_target_partial_errors_total{vendor=\"" + v.key +
              "\",target=\"" + v.target() + "\",reason=\"" + reason + "\"}")
      .value_or(0);
}

// Either complete and correct (`fleet` unique rows listed, equal to any reported total, no
// listing_incomplete), or listing_incomplete counted and logged with both numbers.
void check_listing(FaultMatrix& m, const Vendor& v, const Scrape& before, const Scrape& after,
                   Cell& cell, int fleet) {
  const Listed l = *listed_of(v);
  const auto listed = after.sample(listing_key(v, l.endpoint, "listed"));
  const auto reported = after.sample(listing_key(v, l.endpoint, "reported"));
  const bool flagged =
      partial(after, v, "listing_incomplete") > partial(before, v, "listing_incomplete");
  if (!listed) return cell.fail("no listing_resources gauge for " + l.endpoint);
  if (l.reports_total && !reported) cell.fail("no reported total in the gauge");
  const int want = fleet / l.per_fleet_divisor;
  if (!flagged) {
    if (*listed != want)
      cell.fail("listed " + std::to_string(*listed) + " of " + std::to_string(want) +
                " with no listing_incomplete: a silent undercount");
    if (reported && *reported != *listed) cell.fail("listed and reported differ, unflagged");
    cell.outcome = "up 1, complete: " + std::to_string(static_cast<int>(*listed));
    return;
  }
  if (!reported || *reported == *listed)
    cell.fail("listing_incomplete without two differing numbers in the gauge");
  const std::string numbers = "listed " + std::to_string(static_cast<int>(*listed)) +
                              " unique resources, the server reported " +
                              std::to_string(static_cast<int>(reported.value_or(-1)));
  bool logged = false;
  for (const auto& line : m.last_logs())
    logged = logged || (line.value("reason", "") == "listing_incomplete" &&
                        line.value("error", "").find(numbers) != std::string::npos);
  if (!logged) cell.fail("listing_incomplete not logged with '" + numbers + "'");
  cell.outcome = "up 1, listing_incomplete: " + numbers.substr(7);
}

void add_listing_faults(std::vector<Fault>& faults) {
  auto lists = [](const Vendor& v) -> std::optional<std::string> {
    if (listed_of(v)) return std::nullopt;
    return "the vendor lists nothing paginated";
  };
  // Knobs on the vendor, and its listing turned on where it is off by default.
  auto set_knobs = [](Json knobs) {
    return [knobs](FaultMatrix& m, const Vendor& v) {
      if (!listed_of(v)->extra.empty())
        m.reload({{v.key, Block{m.sim().base(), false, listed_of(v)->extra}}});
      m.sim().post("knobs", {{v.key, knobs}});
    };
  };
  auto clear_knobs = [](FaultMatrix& m, const Vendor& v) {
    m.sim().post(
        "knobs",
        {{v.key,
          {{"fleet_size", kFleet}, {"page_cap", 0}, {"fleet_drift", 0}, {"page_shift", 0}}}});
    if (!listed_of(v)->extra.empty()) m.reload();
  };
  auto fleet_check = [](int fleet) {
    return [fleet](FaultMatrix& m, const Vendor& v, const Scrape& before, const Scrape& after,
                   Cell& cell) { check_listing(m, v, before, after, cell, fleet); };
  };
  {
    Fault f{"list pages capped at 3 rows, below the request (must be complete)"};
    f.not_applicable = lists;
    f.set = set_knobs({{"page_cap", 3}});
    f.clear = clear_knobs;
    f.expect_up = 1;
    f.compare_baseline = false;  // ThousandEyes' units are not in the baseline; the check counts
    f.check = fleet_check(kFleet);
    faults.push_back(f);
  }
  {
    Fault f{"fleet grows by 10 during the listing (pages of 3)"};
    f.not_applicable = lists;
    f.set = set_knobs({{"page_cap", 3}, {"fleet_drift", 10}});
    f.clear = clear_knobs;
    f.expect_up = 1;
    f.compare_baseline = false;
    f.check = fleet_check(kFleet + 10);
    faults.push_back(f);
  }
  {
    Fault f{"a row repeated across pages (pages of 3)"};
    f.not_applicable = lists;
    f.set = set_knobs({{"page_cap", 3}, {"page_shift", 1}});
    f.clear = clear_knobs;
    f.expect_up = 1;
    f.compare_baseline = false;
    f.check = fleet_check(kFleet);
    faults.push_back(f);
  }
  {
    Fault f{"a row skipped across pages (pages of 3)"};
    f.not_applicable = [](const Vendor& v) -> std::optional<std::string> {
      if (!listed_of(v)) return "the vendor lists nothing paginated";
      if (!listed_of(v)->reports_total)
        return "the API reports no total, so a skipped row cannot be told from a smaller fleet";
      return std::nullopt;
    };
    f.set = set_knobs({{"page_cap", 3}, {"page_shift", -1}});
    f.clear = clear_knobs;
    f.expect_up = 1;
    f.compare_baseline = false;
    f.check = fleet_check(kFleet);
    faults.push_back(f);
  }
}

std::vector<Fault> make_faults(const TlsSim& tls) {
  std::vector<Fault> faults;
  auto sim_fault = [](Json rule) {
    return [rule](FaultMatrix& m, const Vendor& v) { m.fault(m.api_fault(v, rule)); };
  };
  auto reload_normal = [](FaultMatrix& m, const Vendor&) { m.reload(); };
  auto static_only = [](const std::string& why) {
    return [why](const Vendor& v) -> std::optional<std::string> {
      if (v.has_iam()) return std::nullopt;
      return why;
    };
  };
  // 429 counted as rate limited `n` times in the cell's scrape.
  auto rate_limited_times = [](int n) {
    return
        [n](FaultMatrix&, const Vendor& v, const Scrape& before, const Scrape& after, Cell& cell) {
          const double d = after.per_target("fleet_usage_exporter_api_rate_limited_total", v) -
                           before.per_target("fleet_usage_exporter_api_rate_limited_total", v);
          if (d != n)
            cell.fail("api_rate_limited_total rose by " + std::to_string(d) + ", expected " +
                      std::to_string(n));
        };
  };

  {
    Fault f{"connection refused"};
    f.set = [](FaultMatrix& m, const Vendor& v) {
      m.reload({{v.key, Block{"http://127.0.0.1:" + std::to_string(free_loopback_port())}}});
    };
    f.clear = reload_normal;
    f.reasons = {"connect_error"};
    f.check = [](FaultMatrix&, const Vendor& v, const Scrape& before, const Scrape& after,
                 Cell& cell) {  // connection errors are retried (max_attempts 3)
      if (after.per_target("fleet_usage_exporter_api_retries_total", v) <= 0)
        cell.fail("no retry was counted");
      (void)before;
    };
    faults.push_back(f);
  }
  {
    Fault f{"connection reset mid-body"};
    f.set = sim_fault({{"body_mode", "reset"}});
    f.reasons = {"connect_error"};
    faults.push_back(f);
  }
  {
    Fault f{"read hangs past the deadline"};
    f.set = sim_fault({{"body_mode", "hang"}, {"hang_ms", static_cast<int>(6000 * time_scale())}});
    f.reasons = {"timeout", "deadline_exceeded"};
    faults.push_back(f);
  }
  {
    Fault f{"slow drip of bytes"};
    f.set = sim_fault({{"body_mode", "drip"}, {"drip_ms", 100}});
    f.reasons = {"timeout", "deadline_exceeded"};
    faults.push_back(f);
  }
  for (int code : {400, 401, 403, 404, 500, 503}) {
    Fault f{"HTTP " + std::to_string(code)};
    f.set = sim_fault({{"status", code}});
    f.reasons = {"http_" + std::to_string(code)};
    faults.push_back(f);
  }
  {
    Fault f{"429 with Retry-After"};
    f.set = sim_fault({{"status", 429}, {"headers", {{"Retry-After", "60"}}}});
    f.reasons = {"rate_limited"};
    f.check = rate_limited_times(1);  // 60 s is past the deadline: fail at once, no waiting
    faults.push_back(f);
  }
  {
    Fault f{"429 with the vendor's reset headers"};
    f.not_applicable = [](const Vendor& v) -> std::optional<std::string> {
      if (v.key == "thousandeyes") return std::nullopt;
      return "the vendor documents no rate-limit reset header";
    };
    f.set = [](FaultMatrix& m, const Vendor& v) {
      const auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count() +
                         60;
      m.fault(m.api_fault(v, {{"status", 429},
                              {"headers",
                               {{"X-Organization-Rate-Limit-Limit", "240"},
                                {"X-Organization-Rate-Limit-Remaining", "0"},
                                {"X-Organization-Rate-Limit-Reset", std::to_string(reset)}}}}));
    };
    f.reasons = {"rate_limited"};
    f.check = rate_limited_times(1);
    faults.push_back(f);
  }
  {
    Fault f{"429 with neither"};
    // The ThousandEyes simulator adds its window's reset header to every answer unless the
    // fault sets one: an empty value stands for none.
    f.set = [](FaultMatrix& m, const Vendor& v) {
      Json rule = {{"status", 429}};
      if (v.key == "thousandeyes")
        rule["headers"] = {{"X-Organization-Rate-Limit-Reset", ""},
                           {"X-Organization-Rate-Limit-Remaining", ""}};
      m.fault(m.api_fault(v, rule));
    };
    f.reasons = {"rate_limited"};
    f.check = rate_limited_times(3);  // backed off and retried until max_attempts
    faults.push_back(f);
  }
  for (const auto& [name, mode] :
       std::vector<std::pair<std::string, std::string>>{{"empty JSON body", "empty"},
                                                        {"malformed JSON", "malformed"},
                                                        {"truncated JSON", "truncated"}}) {
    Fault f{name};
    f.set = sim_fault({{"body_mode", mode}});
    f.reasons = {"bad_json"};
    faults.push_back(f);
  }
  {
    Fault f{"wrong JSON types in known fields"};
    f.set = sim_fault({{"body_mode", "wrong_types"}});
    f.reasons = {"bad_response"};
    faults.push_back(f);
  }
  {
    Fault f{"body over the size cap (1 MiB)"};
    f.set = sim_fault({{"body_mode", "huge"}, {"huge_bytes", 2 << 20}});
    f.reasons = {"response_too_large"};
    faults.push_back(f);
  }
  {
    Fault f{"unknown extra fields (must work)"};
    f.set = sim_fault({{"body_mode", "extra_fields"}});
    f.expect_up = 1;
    faults.push_back(f);
  }
  {
    Fault f{"token exchange fails"};
    f.not_applicable = static_only("static token, no exchange (a 401 on it: row HTTP 401)");
    f.set = [](FaultMatrix& m, const Vendor& v) {
      m.fault({{"vendor", v.key}, {"path_prefix", v.iam_path}, {"status", 401}, {"times", -1}});
      // A 401 on the cached token makes the exporter exchange again, into the failing IAM.
      m.fault(m.api_fault(v, {{"status", 401}, {"times", 1}}));
    };
    f.reasons = {"token_exchange_failed"};
    faults.push_back(f);
  }
  {
    Fault f{"token expires mid-run (must work)"};
    f.not_applicable = static_only("static token, never expires (a 401 on it: row HTTP 401)");
    f.set = [](FaultMatrix& m, const Vendor& v) {
      m.sim().post("knobs", {{v.key, {{"token_ttl_seconds", 1}}}});
      m.fault(m.api_fault(v, {{"status", 401}, {"times", 1}}));  // retire the long-lived token
    };
    f.prime = [](FaultMatrix& m, const Vendor& v) {
      // This scrape swaps the cached token for a 1 s one; the next request outlives it.
      const Scrape s = m.scrape();
      m.set_last(s);
      if (s.up(v) != 1.0) throw std::runtime_error("the priming scrape is not up");
      m.fault(m.api_fault(v, {{"latency_ms", 1100}, {"times", 1}}));
      m.scratch = route_count(m, iam_route(v));
    };
    f.clear = [](FaultMatrix& m, const Vendor& v) {
      m.clear_faults();
      m.sim().post("knobs", {{v.key, {{"token_ttl_seconds", 0}}}});
    };
    f.expect_up = 1;
    f.check = [](FaultMatrix& m, const Vendor& v, const Scrape& before, const Scrape& after,
                 Cell& cell) {
      // The renewal after the vendor's 401 (and one more if the 1 s token, renewed a tenth of
      // its lifetime early, was already due when the scrape began).
      const int exchanges = route_count(m, iam_route(v)) - m.scratch;
      if (exchanges < 1)
        cell.fail("expected a renewal after the expired token's 401; exchanges: " +
                  std::to_string(exchanges));
      if (after.per_target("fleet_usage_exporter_api_retries_total", v) <=
          before.per_target("fleet_usage_exporter_api_retries_total", v))
        cell.fail("the request was not retried with the renewed token");
    };
    faults.push_back(f);
  }
  {
    Fault f{"short token lifetime (2 min) is reused (must work)"};
    f.not_applicable = static_only("static token, no lifetime");
    f.set = [](FaultMatrix& m, const Vendor& v) {
      m.sim().post("knobs", {{v.key, {{"token_ttl_seconds", 120}}}});
      m.fault(m.api_fault(v, {{"status", 401}, {"times", 1}}));  // retire the long-lived token
    };
    f.prime = [](FaultMatrix& m, const Vendor& v) {
      const Scrape s = m.scrape();  // swaps the cached token for a 2 min one
      m.set_last(s);
      if (s.up(v) != 1.0) throw std::runtime_error("the priming scrape is not up");
      m.scratch = route_count(m, iam_route(v));
    };
    f.clear = [](FaultMatrix& m, const Vendor& v) {
      m.clear_faults();
      m.sim().post("knobs", {{v.key, {{"token_ttl_seconds", 0}}}});
    };
    f.expect_up = 1;
    f.check = [](FaultMatrix& m, const Vendor& v, const Scrape&, const Scrape&, Cell& cell) {
      // Shorter than the 5 min refresh margin, it used to be exchanged on every scrape.
      const int exchanges = route_count(m, iam_route(v)) - m.scratch;
      if (exchanges != 0)
        cell.fail("the 2 min token was not reused; exchanges: " + std::to_string(exchanges));
    };
    faults.push_back(f);
  }
  {
    Fault f{"401 on 4 concurrent pages (must work, 1 renewal)"};
    f.not_applicable = static_only("static token, nothing to renew (a 401 on it: row HTTP 401)");
    f.set = [](FaultMatrix& m, const Vendor& v) {
      // 25 resources in pages of 5: page 1, then pages 2..5 in flight together (concurrency 4).
      m.reload({{v.key, Block{m.sim().base(), false, {"page_size = 5", "concurrency = 4"}}}});
    };
    f.prime = [](FaultMatrix& m, const Vendor& v) {
      const Scrape s = m.scrape();  // the rebuilt target's first token
      m.set_last(s);
      if (s.up(v) != 1.0) throw std::runtime_error("the priming scrape is not up");
      // Page 1 passes; the other four are held until all are in flight, then answered 401.
      m.fault(m.api_fault(v, {{"status", 401}, {"after", 1}, {"times", 4}, {"concurrent", 4}}));
      m.scratch = route_count(m, iam_route(v));
    };
    f.clear = [](FaultMatrix& m, const Vendor&) {
      m.clear_faults();
      m.reload();
    };
    f.expect_up = 1;
    f.check = [](FaultMatrix& m, const Vendor& v, const Scrape& before, const Scrape& after,
                 Cell& cell) {
      const int renewals = route_count(m, iam_route(v)) - m.scratch;
      if (renewals != 1)
        cell.fail("4 concurrent 401s made " + std::to_string(renewals) + " renewals, expected 1");
      if (after.per_target("fleet_usage_exporter_api_retries_total", v) -
              before.per_target("fleet_usage_exporter_api_retries_total", v) <
          4)
        cell.fail("the 4 rejected pages were not all retried");
    };
    faults.push_back(f);
  }
  add_listing_faults(faults);
  const std::string tls_base = tls.base(), cert = tls.cert();
  {
    Fault f{"TLS certificate that does not verify"};
    f.set = [tls_base](FaultMatrix& m, const Vendor& v) {
      m.reload({{v.key, Block{tls_base, true}}});
    };
    f.clear = reload_normal;
    f.reasons = {"tls_error"};
    faults.push_back(f);
  }
  {
    Fault f{"same, insecure_skip_verify = true (must work)"};
    f.set = [tls_base](FaultMatrix& m, const Vendor& v) {
      m.reload({{v.key, Block{tls_base, true, {"insecure_skip_verify = true"}}}});
    };
    f.clear = reload_normal;
    f.expect_up = 1;
    faults.push_back(f);
  }
  {
    Fault f{"same, ca_file = the certificate (must work)"};
    f.set = [tls_base, cert](FaultMatrix& m, const Vendor& v) {
      m.reload({{v.key, Block{tls_base, true, {"ca_file = \"" + cert + "\""}}}});
    };
    f.clear = reload_normal;
    f.expect_up = 1;
    faults.push_back(f);
  }
  return faults;
}

std::string render_table(const std::vector<Fault>& faults,
                         const std::vector<std::vector<Cell>>& cells, double seconds) {
  std::ostringstream o;
  o << "| fault |";
  for (const auto& v : kVendors) o << " " << v.key << " |";
  o << "\n|---|";
  for (size_t i = 0; i < kVendors.size(); ++i) o << "---|";
  o << "\n";
  int held = 0, tried = 0;
  std::vector<std::string> notes, problems;
  for (size_t fi = 0; fi < faults.size(); ++fi) {
    o << "| " << faults[fi].name << " |";
    for (size_t vi = 0; vi < kVendors.size(); ++vi) {
      const Cell& c = cells[fi][vi];
      if (!c.applicable) {
        o << " n/a |";
        const std::string note = faults[fi].name + ": " + c.na;
        if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
        continue;
      }
      ++tried;
      if (c.held) ++held;
      o << " " << (c.held ? "held" : "**NOT HELD**") << " (" << c.outcome << ") |";
      for (const auto& p : c.problems)
        problems.push_back(faults[fi].name + " / " + kVendors[vi].key + ": " + p);
    }
    o << "\n";
  }
  o << "\n"
    << held << " of " << tried << " cells held; matrix runtime " << std::fixed
    << std::setprecision(1) << seconds << " s.\n";
  if (!notes.empty()) {
    o << "\nn/a:\n";
    for (const auto& n : notes) o << "- " << n << "\n";
  }
  if (!problems.empty()) {
    o << "\nNot held:\n";
    for (const auto& p : problems) o << "- " << p << "\n";
  }
  return o.str();
}

TEST(FaultMatrix, EveryVendorSurvivesEveryFault) {
  const auto started = Clock::now();
  TlsSim tls;
  FaultMatrix m;
  ASSERT_NO_FATAL_FAILURE(m.take_baseline());
  const auto faults = make_faults(tls);
  std::vector<std::vector<Cell>> cells(faults.size(), std::vector<Cell>(kVendors.size()));
  for (size_t fi = 0; fi < faults.size(); ++fi) {
    for (size_t vi = 0; vi < kVendors.size(); ++vi) {
      cells[fi][vi] = m.run(faults[fi], kVendors[vi]);
      if (cells[fi][vi].applicable) m.expect_recovery(kVendors[vi], &cells[fi][vi]);
    }
  }
  m.final_recovery_check();
  EXPECT_TRUE(m.alive());
  expect_promtool_ok(m.last().body);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  const std::string table = render_table(faults, cells, seconds);
  std::cout << "\nFault matrix (vendor x fault -> held / not held, with the reason counted):\n\n"
            << table << std::flush;
  if (const char* out = std::getenv("FUE_FAULT_MATRIX_REPORT")) write_file(out, table);
  for (size_t fi = 0; fi < faults.size(); ++fi)
    for (size_t vi = 0; vi < kVendors.size(); ++vi)
      for (const auto& p : cells[fi][vi].problems)
        ADD_FAILURE() << faults[fi].name << " / " << kVendors[vi].key << ": " << p
                      << (cells[fi][vi].logged.empty() ? ""
                                                       : "\n  logged: " + cells[fi][vi].logged);
  // Every failure reason the matrix produced is a short token: no free-form text leaks into the
  // reason label.
  for (const auto& [key, value] : m.last().samples) {
    static const std::regex reason_label("reason=\"([^\"]*)\"");
    std::smatch r;
    if (key.rfind("fleet_usage_exporter_target_scrape_errors_total", 0) == 0 &&
        std::regex_search(key, r, reason_label)) {
      EXPECT_TRUE(std::regex_match(r[1].str(), std::regex("[a-z0-9_]{1,40}"))) << key;
    }
  }
}

}  // namespace
}  // namespace fue::test
