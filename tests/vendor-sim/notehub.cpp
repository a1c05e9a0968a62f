// Blues Notehub: usage/data, usage/events, usage/sessions, /devices (pageSize/pageNum/has_more)
// and /fleets, with Notehub's {err, code, status} error body and bearer PAT auth.
//
// Projects: any UID with a ':' exists (app:..., product UIDs such as com.example:x), except the
// all-zero app:00000000-0000-0000-0000-000000000000, which answers 404. Each project has
// `fleet_size` devices derived from (seed, project UID), three fleets (the third one empty), and
// usage buckets whose values depend only on (device, buckets back from the latest), never on the
// date, so that goldens stay stable while the bucket dates follow startDate/endDate.
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/vendor-sim/listing_knobs.h"
#include "tests/vendor-sim/sim.h"

namespace sim {
namespace {

constexpr const char* kVendor = "notehub";
constexpr const char* kMissingProject = "app:00000000-0000-0000-0000-000000000000";
constexpr int kMaxBuckets = 400;  // older buckets are not generated (the API keeps more)

std::string status_word(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string notehub_error(int status, const std::string& message) {
  return Json{{"err", message}, {"code", status}, {"status", status_word(status)}}.dump();
}

bool authorized(const httplib::Request& req) {
  return req.get_header_value("Authorization") == std::string("Bearer ") + creds::kNotehubToken;
}

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string rfc3339(int64_t t) {
  using namespace std::chrono;
  const sys_seconds s{seconds(t)};
  const auto day = floor<days>(s);
  const year_month_day ymd(day);
  const hh_mm_ss hms(s - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), long(hms.seconds().count()));
  return buf;
}

// Bucket arithmetic in UTC: weeks start on Monday, months on the 1st.
int64_t bucket_floor(const std::string& period, int64_t t) {
  using namespace std::chrono;
  const auto day = floor<days>(sys_seconds{seconds(t)});
  if (period == "day") return day.time_since_epoch().count() * 86400;
  if (period == "week") {
    const weekday wd(day);
    const auto monday = day - days((wd.c_encoding() + 6) % 7);
    return monday.time_since_epoch().count() * 86400;
  }
  const year_month_day ymd(day);
  return sys_days(ymd.year() / ymd.month() / 1).time_since_epoch().count() * 86400;
}

int64_t next_bucket(const std::string& period, int64_t start) {
  if (period == "day") return start + 86400;
  if (period == "week") return start + 7 * 86400;
  using namespace std::chrono;
  const year_month_day ymd(floor<days>(sys_seconds{seconds(start)}));
  return sys_days((ymd.year() / ymd.month() / 1) + months(1)).time_since_epoch().count() * 86400;
}

struct Fleet {
  std::string uid, label;
};

struct Device {
  int index;
  std::string uid;
  bool satellite;
  bool disabled;
  int activity_class;  // 0: 10m ago, 1: 5h, 2: 3d, 3: 12d, 4: 60d, 5: never
  std::vector<std::string> fleets;
};

struct Project {
  uint64_t seed;
  std::vector<Fleet> fleets;
  std::vector<Device> devices;
};

Project make_project(const Server& s, const std::string& uid) {
  const VendorKnobs k = s.knobs(kVendor);
  Project p;
  p.seed = k.seed ^ fnv1a(uid);
  const char* labels[] = {"Production", "Staging", "Spare"};
  for (int f = 0; f < 3; ++f) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "fleet:%08llx-%04x-4000-8000-%012llx",
                  static_cast<unsigned long long>(mix(p.seed, 100 + f) & 0xffffffffULL), f + 1,
                  static_cast<unsigned long long>(mix(p.seed, 200 + f) & 0xffffffffffffULL));
    p.fleets.push_back({buf, labels[f]});
  }
  for (int i = 0; i < k.fleet_size; ++i) {
    Device d;
    d.index = i;
    d.uid = "dev:864475" +
            std::to_string(100000000 + (i + 1) * 1000 + pick(p.seed, i, 1, 0, 999)).substr(0, 9);
    d.satellite = i % 5 == 4;
    d.disabled = i % 17 == 16;
    d.activity_class = i % 6;
    if (i % 10 <= 6) d.fleets.push_back(p.fleets[0].uid);
    if (i % 10 == 7 || i % 10 == 8 || i % 13 == 0) d.fleets.push_back(p.fleets[1].uid);
    p.devices.push_back(std::move(d));
  }
  return p;
}

const int64_t kActivityAgo[] = {600, 5 * 3600, 3 * 86400, 12 * 86400, 60 * 86400, -1};

Json device_json(const Device& d, int64_t now) {
  Json j = {{"uid", d.uid},
            {"product_uid", "com.example.ops:coldchain"},
            {"provisioned", rfc3339(1710237600 + d.index * 3600)},
            {"fleet_uids", d.fleets},
            {"voltage", 3.6 + (d.index % 7) * 0.05},
            {"temperature", 18.0 + d.index % 9},
            {"serial_number", "sensor-" + std::to_string(d.index + 1)},
            {"firmware_notecard", "notecard-9.1.1.17212"}};
  const int64_t ago = kActivityAgo[d.activity_class];
  j["last_activity"] = ago < 0 ? Json(nullptr) : Json(rfc3339(now - ago));
  if (d.disabled) j["disabled"] = true;
  return j;
}

// A request's validated query; writes a 400 and returns nullopt on a bad parameter.
struct UsageQuery {
  std::string period, aggregate;
  int64_t start = 0, end = 0;
  int64_t limit = 200000;
  std::set<std::string> device_uids, fleet_uids;
};

std::optional<int64_t> int_param(const httplib::Request& req, const char* key, int64_t lo,
                                 int64_t hi, bool& bad) {
  if (!req.has_param(key)) return std::nullopt;
  const std::string v = req.get_param_value(key);
  try {
    size_t used = 0;
    const long long n = std::stoll(v, &used);
    if (used == v.size() && n >= lo && n <= hi) return n;
  } catch (...) {
  }
  bad = true;
  return std::nullopt;
}

std::set<std::string> list_param(const httplib::Request& req, const char* key) {
  std::set<std::string> out;
  for (size_t i = 0; i < req.get_param_value_count(key); ++i)
    out.insert(req.get_param_value(key, i));
  return out;
}

std::optional<UsageQuery> parse_usage(const Server& s, const httplib::Request& req,
                                      httplib::Response& res) {
  UsageQuery q;
  q.period = req.get_param_value("period");
  if (q.period.empty()) {
    s.error(kVendor, res, 400, "period is required (day, week or month)");
    return std::nullopt;
  }
  if (q.period != "day" && q.period != "week" && q.period != "month") {
    s.error(kVendor, res, 400, "period must be one of day, week, month");
    return std::nullopt;
  }
  q.aggregate = req.has_param("aggregate") ? req.get_param_value("aggregate") : "device";
  if (q.aggregate != "device" && q.aggregate != "fleet" && q.aggregate != "project") {
    s.error(kVendor, res, 400, "aggregate must be one of device, fleet, project");
    return std::nullopt;
  }
  bool bad = false;
  const int64_t now = unix_now();
  auto start = int_param(req, "startDate", 0, 1LL << 40, bad);
  auto end = int_param(req, "endDate", 0, 1LL << 40, bad);
  auto limit = int_param(req, "limit", 1, 400000, bad);
  if (bad) {
    s.error(kVendor, res, 400, "startDate, endDate and limit must be integers in range");
    return std::nullopt;
  }
  q.end = end && *end > 0 ? *end : now;  // 0 or absent: now
  q.start = start ? *start : bucket_floor(q.period, q.end);
  if (q.start > q.end) {
    s.error(kVendor, res, 400, "startDate must not be after endDate");
    return std::nullopt;
  }
  q.limit = limit.value_or(200000);
  q.device_uids = list_param(req, "deviceUID");
  q.fleet_uids = list_param(req, "fleetUID");
  return q;
}

// Bucket starts from startDate's bucket to endDate's, newest last.
std::vector<int64_t> buckets(const UsageQuery& q) {
  std::vector<int64_t> out;
  for (int64_t b = bucket_floor(q.period, q.start); b <= q.end; b = next_bucket(q.period, b))
    out.push_back(b);
  if (out.size() > kMaxBuckets) out.erase(out.begin(), out.end() - kMaxBuckets);
  return out;
}

bool selected(const Device& d, const UsageQuery& q) {
  if (!q.device_uids.empty() && !q.device_uids.count(d.uid)) return false;
  if (q.fleet_uids.empty()) return true;
  for (const auto& f : d.fleets)
    if (q.fleet_uids.count(f)) return true;
  return false;
}

// The groups a device's usage is reported under for the query's aggregate.
std::vector<std::string> groups_of(const Device& d, const UsageQuery& q) {
  if (q.aggregate == "device") return {d.uid};
  if (q.aggregate == "project") return {""};
  std::vector<std::string> out;
  for (const auto& f : d.fleets)
    if (q.fleet_uids.empty() || q.fleet_uids.count(f)) out.push_back(f);
  return out;
}

// Devices seen in the last 30 days have usage; the others are idle.
bool active(const Device& d) { return d.activity_class <= 3; }

// Figures of one device in the bucket `back` steps before the latest.
struct Figures {
  int64_t up, down, up_packets, down_packets;
  int64_t events, platform, watchdog, reboots, fw_updates;
  int64_t sessions, first_sync, tls, session_bytes;
  bool reboots_null, fw_null, tls_null;
};

Figures figures(const Project& p, const Device& d, int back) {
  const uint64_t key = static_cast<uint64_t>(d.index) * 1000 + back;
  Figures f{};
  if (d.satellite) {
    f.up = pick(p.seed, key, 11, 200, 4000);
    f.down = pick(p.seed, key, 12, 20, 600);
    f.up_packets = f.up / 50 + 1;
    f.down_packets = f.down / 50 + 1;
  } else {
    f.up = pick(p.seed, key, 11, 50000, 3000000);
    f.down = pick(p.seed, key, 12, 5000, 800000);
  }
  f.events = pick(p.seed, key, 13, 40, 900);
  f.platform = f.events * pick(p.seed, key, 14, 15, 40) / 100;
  f.watchdog = pick(p.seed, key, 15, 0, 2);
  f.reboots = pick(p.seed, key, 16, 0, 3);
  f.fw_updates = pick(p.seed, key, 17, 0, 1);
  f.reboots_null = d.index % 7 == 3;
  f.fw_null = d.index % 7 == 5;
  f.sessions = pick(p.seed, key, 18, 1, 60);
  f.first_sync = pick(p.seed, key, 19, 0, 1);
  f.tls = f.sessions * pick(p.seed, key, 20, 0, 100) / 100;
  f.tls_null = d.index % 4 == 3;
  f.session_bytes = f.up + f.down;
  return f;
}

std::string transport_of(const Device& d) {
  if (d.satellite) return "ntn";
  return d.index % 3 == 0 ? "wifi" : "cell";
}

int days_in(const std::string& period, int64_t bucket) {
  return static_cast<int>((next_bucket(period, bucket) - bucket) / 86400);
}

// Appends items while the point budget lasts; returns false once `limit` is exhausted.
struct Budget {
  int64_t left;
  bool truncated = false;
  bool take() {
    if (left <= 0) return !(truncated = true);
    --left;
    return true;
  }
};

void serve_data(const Project& p, const UsageQuery& q, httplib::Response& res) {
  const auto bs = buckets(q);
  // (group, connectivity) → per-bucket sums and device set.
  struct Acc {
    std::map<int64_t, Figures> sums;
    std::set<std::string> devices;
    const Device* only = nullptr;
  };
  std::map<std::pair<std::string, std::string>, Acc> series;
  for (const auto& d : p.devices) {
    if (!selected(d, q) || !active(d)) continue;
    const std::string conn = d.satellite ? "satellite" : "cellular";
    for (const auto& g : groups_of(d, q)) {
      Acc& acc = series[{g, conn}];
      acc.devices.insert(d.uid);
      acc.only = &d;
      for (size_t i = 0; i < bs.size(); ++i) {
        const Figures f = figures(p, d, static_cast<int>(bs.size() - 1 - i));
        Figures& sum = acc.sums[bs[i]];
        sum.up += f.up;
        sum.down += f.down;
        sum.up_packets += f.up_packets;
        sum.down_packets += f.down_packets;
      }
    }
  }
  Budget budget{q.limit};
  Json data = Json::array();
  for (const auto& [key, acc] : series) {
    const auto& [group, conn] = key;
    Json item = {{"type", conn}, {"device_count", acc.devices.size()}, {"data", Json::array()}};
    if (q.aggregate == "device") {
      item["device"] = group;
      if (conn == "cellular")
        item["iccid"] = "8901260" + std::to_string(1000000000000LL + acc.only->index);
      else
        item["psid"] = "skylo:" + std::to_string(5746354400000LL + acc.only->index);
    } else if (q.aggregate == "fleet") {
      item["fleet"] = group;
    }
    for (const auto& [bucket, f] : acc.sums) {
      if (!budget.take()) break;
      Json b = {{"period", rfc3339(bucket)},
                {"total_bytes", f.up + f.down},
                {"uplink_bytes", f.up},
                {"downlink_bytes", f.down}};
      if (conn == "satellite") {
        b["uplink_packets"] = f.up_packets;
        b["downlink_packets"] = f.down_packets;
        b["uplink_bytes_billable"] = f.up;
        b["downlink_bytes_billable"] = f.down;
        b["billable_bytes_total"] = f.up + f.down;
      }
      item["data"].push_back(std::move(b));
    }
    if (!item["data"].empty()) data.push_back(std::move(item));
  }
  res.set_content(Json{{"data", data}, {"truncated", budget.truncated}}.dump(), "application/json");
}

// Events and sessions share their shape: one item per (group, bucket).
void serve_flat(const Project& p, const UsageQuery& q, bool events, bool include_notefiles,
                httplib::Response& res) {
  const auto bs = buckets(q);
  std::map<std::pair<std::string, int64_t>, Json> items;
  for (const auto& d : p.devices) {
    if (!selected(d, q) || !active(d)) continue;
    for (const auto& g : groups_of(d, q)) {
      for (size_t i = 0; i < bs.size(); ++i) {
        const Figures f = figures(p, d, static_cast<int>(bs.size() - 1 - i));
        Json& it = items[{g, bs[i]}];
        if (it.is_null()) {
          it = {{"period", rfc3339(bs[i])}, {"total_devices", 0}};
          if (q.aggregate == "device") it["device"] = g;
          if (q.aggregate == "fleet") it["fleet"] = g;
        }
        it["total_devices"] = it["total_devices"].get<int64_t>() + 1;
        auto add = [&](const char* k, int64_t v) { it[k] = it.value(k, int64_t{0}) + v; };
        // Nullable per device: the group's sum stays null only while every device was null.
        auto add_nullable = [&](const char* k, bool null, int64_t v) {
          const bool has = it.contains(k) && !it[k].is_null();
          if (null && !has) it[k] = nullptr;
          if (!null) it[k] = (has ? it[k].get<int64_t>() : 0) + v;
        };
        if (events) {
          add("total_events", f.events);
          add("platform_events", f.platform);
          add("billable_events", f.events - f.platform);
          add("watchdog_events", f.watchdog);
          it["total_days_in_period"] = days_in(q.period, bs[i]);
          add_nullable("total_reboots", f.reboots_null, f.reboots);
          add_nullable("total_fw_updates", f.fw_null, f.fw_updates);
          if (include_notefiles) {
            Json& nf = it["notefiles"];
            if (nf.is_null()) nf = Json::object();
            nf["_session.qo"] = nf.value("_session.qo", int64_t{0}) + f.platform;
            nf["sensors.qo"] = nf.value("sensors.qo", int64_t{0}) + (f.events - f.platform);
          }
        } else {
          add("sessions", f.sessions);
          add("first_sync_sessions", f.first_sync);
          add("total_bytes", f.session_bytes);
          add_nullable("tls_sessions", f.tls_null, f.tls);
          Json& by = it["sessions_by_transport"];
          if (by.is_null()) by = Json::object();
          by[transport_of(d)] = by.value(transport_of(d), int64_t{0}) + f.sessions;
        }
      }
    }
  }
  Budget budget{q.limit};
  Json list = Json::array();
  for (auto& [key, item] : items) {
    if (!budget.take()) break;
    list.push_back(std::move(item));
  }
  const char* top = events ? "data" : "sessions";
  res.set_content(Json{{top, list}, {"truncated", budget.truncated}}.dump(), "application/json");
}

bool project_exists(const Server& s, const std::string& uid, httplib::Response& res) {
  if (uid.find(':') != std::string::npos && uid != kMissingProject) return true;
  s.error(kVendor, res, 404, "project " + uid + " not found");
  return false;
}

void serve_devices(const Server& s, const Project& p, const httplib::Request& req,
                   httplib::Response& res) {
  bool bad = false;
  const int64_t asked = int_param(req, "pageSize", 1, 10000, bad).value_or(50);
  const int64_t num = int_param(req, "pageNum", 1, 1LL << 31, bad).value_or(1);
  if (bad) return s.error(kVendor, res, 400, "pageSize must be 1..10000 and pageNum at least 1");
  // The listing knobs: a page-size cap (Notehub echoes no size) and later pages shifted.
  const VendorKnobs k = s.knobs(kVendor);
  const int64_t size = capped_page_size(k, static_cast<int>(asked), 10000);
  UsageQuery filter;
  filter.device_uids = list_param(req, "deviceUID");
  filter.fleet_uids = list_param(req, "fleetUID");
  std::vector<const Device*> all;
  for (const auto& d : p.devices)
    if (selected(d, filter)) all.push_back(&d);
  const int64_t now = unix_now();
  Json devices = Json::array();
  const size_t first =
      num > 1 ? shifted_start(k, static_cast<int>((num - 1) * size)) : static_cast<size_t>(0);
  for (size_t i = first; i < all.size() && i < first + size; ++i)
    devices.push_back(device_json(*all[i], now));
  const bool more = first + size < all.size();
  res.set_content(Json{{"devices", devices}, {"has_more", more}}.dump(), "application/json");
}

}  // namespace

void register_notehub(Server& s) {
  s.add_vendor({kVendor, notehub_error, nullptr});
  s.get(kVendor, R"(/v1/projects/([^/]+)/usage/(data|events|sessions))", authorized,
        [&s](const httplib::Request& req, httplib::Response& res) {
          const std::string uid = req.matches[1];
          if (!project_exists(s, uid, res)) return;
          const auto q = parse_usage(s, req, res);
          if (!q) return;
          const Project p = make_project(s, uid);
          const std::string what = req.matches[2];
          if (what == "data") return serve_data(p, *q, res);
          serve_flat(p, *q, what == "events", req.get_param_value("includeNotefiles") == "true",
                     res);
        });
  s.get(kVendor, R"(/v1/projects/([^/]+)/devices)", authorized,
        [&s](const httplib::Request& req, httplib::Response& res) {
          const std::string uid = req.matches[1];
          if (!project_exists(s, uid, res)) return;
          // A later page may see the fleet changed (the fleet_drift listing knob).
          if (req.get_param_value("pageNum").size() && req.get_param_value("pageNum") != "1")
            later_page_knobs(s, kVendor);
          serve_devices(s, make_project(s, uid), req, res);
        });
  s.get(kVendor, R"(/v1/projects/([^/]+)/fleets)", authorized,
        [&s](const httplib::Request& req, httplib::Response& res) {
          const std::string uid = req.matches[1];
          if (!project_exists(s, uid, res)) return;
          Json fleets = Json::array();
          for (const auto& f : make_project(s, uid).fleets)
            fleets.push_back({{"uid", f.uid},
                              {"label", f.label},
                              {"created", "2024-03-11T14:05:00Z"},
                              {"smart_rule_enabled", false},
                              {"watchdog_mins", 0},
                              {"connectivity_assurance", {{"enabled", true}}}});
          res.set_content(Json{{"fleets", fleets}}.dump(), "application/json");
        });
}

}  // namespace sim
