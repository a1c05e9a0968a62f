// Losant Platform API, Instance resource: the documented paths and query parameters, bearer auth,
// Losant's {"type","message"} error bodies and zero-based page/perPage paging.
//
// Which instances exist: every well-formed 24-hex id, except ids starting with "dead" (404
// NotFound), so a test can mistype an instance on purpose. GET /instances lists three ids derived
// from the seed. Data is deterministic per (seed, instance id, bucket counted back from `end`):
//   deviceCounts: the latest day's total is fleet_size; historicalSummaries: fleet_size / 5
//   resources (every fifth an organization, the rest its applications). A range ending before
//   today (history, as `backfill` asks for) is keyed by absolute day instead, see daily().
#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>
#include <memory>

#include "tests/vendor-sim/listing_knobs.h"
#include "tests/vendor-sim/sim.h"

namespace sim {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kHourMs = 3'600'000;
constexpr const char* kVendor = "losant";

struct BadRequest {
  std::string message;
};

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string iso(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

int64_t month_start_ms(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  tm.tm_mday = 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

int64_t next_month_start_ms(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(month_start_ms(ms) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  tm.tm_mon += 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A 24-hex ObjectId derived from (seed, salt, index), never starting with "dead".
std::string object_id(uint64_t seed, uint64_t salt, uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx%08llx",
                static_cast<unsigned long long>(mix(seed, salt * 1'000'003 + index)),
                static_cast<unsigned long long>(mix(seed ^ 0x5a5a, salt + index) & 0xffffffffull));
  std::string id(buf, 24);
  if (id.rfind("dead", 0) == 0) id[0] = 'a';
  return id;
}

bool is_object_id(const std::string& id) {
  if (id.size() != 24) return false;
  for (char c : id)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every query value is a string on the wire; numbers are decimal text.
int64_t int_param(const httplib::Request& req, const std::string& name, int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty())
    throw BadRequest{name + " must be a number, got \"" + v + "\""};
  return out;
}

bool bool_param(const httplib::Request& req, const std::string& name) {
  if (!req.has_param(name)) return false;
  const std::string v = req.get_param_value(name);
  if (v == "true") return true;
  if (v == "false") return false;
  throw BadRequest{name + " must be true or false, got \"" + v + "\""};
}

std::string enum_param(const httplib::Request& req, const std::string& name,
                       const std::vector<std::string>& allowed, const std::string& fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  for (const auto& a : allowed)
    if (a == v) return v;
  throw BadRequest{name + " must be one of the allowed values, got \"" + v + "\""};
}

struct Range {
  int64_t start, end;
};

// start/end in ms since epoch; a missing end is now and a missing start 30 days before it.
Range range_of(const httplib::Request& req) {
  const int64_t now = now_ms();
  Range r{0, int_param(req, "end", now)};
  r.start = int_param(req, "start", r.end - 30 * kDayMs);
  if (r.end <= 0) r.end += now;  // SDK defaults count back from now
  if (r.start <= 0) r.start += now;
  if (r.end < r.start) throw BadRequest{"end must not be before start"};
  return r;
}

class Losant {
 public:
  explicit Losant(Server& s) : s_(s) {}

  void register_routes(const std::shared_ptr<Losant>& self) {
    auto auth = [](const httplib::Request& req) {
      return req.get_header_value("Authorization") == std::string("Bearer ") + creds::kLosantToken;
    };
    s_.get(kVendor, R"(/instances)", auth,
           wrap(self, [self](auto& req, auto& res) { self->list(req, res); }));
    route(self, auth, "", &Losant::instance);
    route(self, auth, "/deviceCounts", &Losant::device_counts);
    route(self, auth, "/notebookMinuteCounts", &Losant::notebook_minutes);
    route(self, auth, "/payloadCountsBreakdown", &Losant::payload_breakdown);
    route(self, auth, "/payloadCounts", &Losant::payload_counts);
    route(self, auth, "/historicalSummaries", &Losant::summaries);
  }

 private:
  using Method = void (Losant::*)(const httplib::Request&, httplib::Response&, const std::string&);

  static Handler wrap(std::shared_ptr<Losant> self,
                      std::function<void(const httplib::Request&, httplib::Response&)> f) {
    return [self, f](const httplib::Request& req, httplib::Response& res) {
      try {
        f(req, res);
      } catch (const BadRequest& e) {
        self->s_.error(kVendor, res, 400, e.message);
      }
    };
  }

  static void route(const std::shared_ptr<Losant>& self, AuthCheck auth, const std::string& action,
                    Method m) {
    self->s_.get(kVendor, "/instances/([^/]+)" + action, auth,
                 wrap(self, [self, m](const httplib::Request& req, httplib::Response& res) {
                   const std::string id = lower(req.matches[1]);
                   if (!is_object_id(id))
                     throw BadRequest{"instanceId must match ^[A-Fa-f\\d]{24}$"};
                   if (id.rfind("dead", 0) == 0)
                     return self->s_.error(kVendor, res, 404, "Instance was not found");
                   ((*self).*m)(req, res, id);
                 }));
  }

  static void send(httplib::Response& res, const Json& body) {
    res.status = 200;
    res.set_content(body.dump(), "application/json");
  }

  Json instance_object(const std::string& id) const {
    const auto k = s_.knobs(kVendor);
    const uint64_t salt = fnv1a(id);
    Json o = s_.fixture(kVendor, "instance-get.json");
    o["id"] = id;
    o["instanceId"] = id;
    o["name"] = "Fleet instance " + id.substr(18);
    static const char* modes[] = {"notRequired", "adminRequired", "required"};
    o["mfaMode"] = modes[pick(k.seed, salt, 1, 0, 2)];
    o["allowAuditLogging"] = pick(k.seed, salt, 2, 0, 1) == 1;
    // New organizations get the plan limits the historical summaries carry (orgDefaultLimitConfig).
    o["orgDefaultLimitConfig"] = o["limits"];
    o["limits"]["device"] = std::max<int64_t>(1000, (k.fleet_size * 2 + 999) / 1000 * 1000);
    return o;
  }

  void instance(const httplib::Request&, httplib::Response& res, const std::string& id) {
    send(res, instance_object(id));
  }

  // One entry per bucket in [start, end]; `fill` gets the entry, k (the buckets back from the
  // end) and the bucket's start in ms.
  // History (a range that ends before today, UTC) keys each bucket by its absolute index
  // instead, so that a day's figures are the same whatever range asks for it (backfill tests
  // derive them by asking for that day alone).
  template <class Fill>
  Json daily(const Range& r, int64_t bucket_ms, Fill fill) const {
    const int64_t first = r.start / bucket_ms, last = r.end / bucket_ms;
    if (last - first > 400 * 24) throw BadRequest{"range too large"};
    const bool history = is_history(r);
    Json counts = Json::array();
    for (int64_t b = first; b <= last; ++b) {
      Json e = {{"date", iso(b * bucket_ms)}};
      fill(e, history ? history_key(b) : static_cast<uint64_t>(last - b), b * bucket_ms);
      counts.push_back(std::move(e));
    }
    return {{"start", iso(r.start)}, {"end", iso(r.end)}, {"counts", std::move(counts)}};
  }

  // A range that ended before today, UTC. A live request ends at its sender's "now", so one sent
  // just before midnight may arrive just after it: a range ending on a day's last millisecond (as
  // backfill asks) is history at once, any other only a minute later.
  static bool is_history(const Range& r) {
    const int64_t now = now_ms();
    if (r.end >= now / kDayMs * kDayMs) return false;
    return r.end % kDayMs == kDayMs - 1 || r.end < now - 60 * 1000;
  }
  // Far above any days-back count, so history keys never meet the live ones.
  static uint64_t history_key(int64_t bucket) {
    return (1ull << 32) + static_cast<uint64_t>(bucket);
  }

  void device_counts(const httplib::Request& req, httplib::Response& res, const std::string& id) {
    const auto k = s_.knobs(kVendor);
    const uint64_t salt = fnv1a(id);
    const Range r = range_of(req);
    if (is_history(r)) {
      send(res, daily(r, kDayMs, [&](Json& e, uint64_t key, int64_t) {
             e["total"] = k.fleet_size - pick(k.seed, salt + key, 13, 0, k.fleet_size / 10 + 1);
             e["created"] = pick(k.seed, salt + key, 11, 0, k.fleet_size / 20);
             e["deleted"] = pick(k.seed, salt + key, 12, 0, k.fleet_size / 50);
           }));
      return;
    }
    Json body = daily(r, kDayMs, [](Json&, uint64_t, int64_t) {});
    // Walk back from today's total so that total(d-1) = total(d) - created(d) + deleted(d).
    int64_t total = k.fleet_size;
    auto& counts = body["counts"];
    for (size_t i = counts.size(); i-- > 0;) {
      const uint64_t back = counts.size() - 1 - i;
      int64_t created =
          std::min<int64_t>(total, pick(k.seed, salt + back, 11, 0, k.fleet_size / 20));
      int64_t deleted = pick(k.seed, salt + back, 12, 0, k.fleet_size / 50);
      counts[i]["total"] = total;
      counts[i]["created"] = created;
      counts[i]["deleted"] = deleted;
      total = total - created + deleted;
    }
    send(res, body);
  }

  // The demo tenant's monthly-report notebooks run on the 1st of each month and use 82% of the
  // plan's notebook minutes at once; every other day adds at most 3 runs of a minute. So month to
  // date is 82-92% of the plan on any day, at any hour, of any month: the demo's quota alert
  // (over 80%, under 95%) holds whatever the calendar says. An empty fleet runs no notebooks.
  void notebook_minutes(const httplib::Request& req, httplib::Response& res,
                        const std::string& id) {
    const auto k = s_.knobs(kVendor);
    const uint64_t salt = fnv1a(id);
    const int64_t plan =
        s_.fixture(kVendor, "instance-get.json")["limits"].value("notebookMinutesPerMonth", 0);
    send(res, daily(range_of(req), kDayMs, [&](Json& e, uint64_t back, int64_t day_ms) {
           const bool month_start = day_ms == month_start_ms(day_ms);
           const int64_t runs =
               k.fleet_size == 0 ? 0 : (month_start ? 13 : pick(k.seed, salt + back, 21, 0, 3));
           e["minutes"] = month_start && runs ? plan * 82 / 100 : runs;
           e["completed"] = runs - runs / 10;
           e["canceled"] = runs / 20;
           e["errored"] = runs / 10 - runs / 20;
           e["timeout"] = 0;
         }));
  }

  void payload_breakdown(const httplib::Request& req, httplib::Response& res,
                         const std::string& id) {
    const auto k = s_.knobs(kVendor);
    const uint64_t salt = fnv1a(id);
    const std::string resolution =
        enum_param(req, "resolution", {"86400000", "3600000"}, "86400000");
    const bool as_bytes = bool_param(req, "asBytes");
    const bool non_billable = bool_param(req, "includeNonBillable");
    const int64_t bucket = resolution == "3600000" ? kHourMs : kDayMs;
    send(res, daily(range_of(req), bucket, [&](Json& e, uint64_t back, int64_t) {
           int64_t v = k.fleet_size * pick(k.seed, salt + back, 31, 20, 60) * (bucket / kHourMs);
           if (non_billable) v += v / 20;
           if (as_bytes) v *= pick(k.seed, salt, 32, 200, 600);
           e["value"] = v;
         }));
  }

  void payload_counts(const httplib::Request& req, httplib::Response& res, const std::string& id) {
    const auto k = s_.knobs(kVendor);
    const uint64_t salt = fnv1a(id);
    const Range r = range_of(req);
    const bool as_bytes = bool_param(req, "asBytes");
    const int64_t days = std::max<int64_t>(1, (r.end - r.start + kDayMs - 1) / kDayMs);
    const int64_t scale = k.fleet_size * days * (as_bytes ? pick(k.seed, salt, 32, 200, 600) : 1);
    send(res, Json{{"deviceState",
                    {{"device.mqtt", scale * pick(k.seed, salt, 41, 300, 900)},
                     {"flow.flow", scale * pick(k.seed, salt, 42, 0, 50)}}},
                   {"deviceConnect", {{"device.mqtt", scale * pick(k.seed, salt, 43, 1, 3)}}},
                   {"deviceDisconnect", {{"device.mqtt", scale * pick(k.seed, salt, 43, 1, 3)}}},
                   {"timer", {{"timer.flow", scale * 24}}},
                   {"webhook", {{"public.rest", scale * pick(k.seed, salt, 44, 0, 40)}}}});
  }

  Json summary_item(const std::string& instance_id, uint64_t i, int64_t month) const {
    const auto k = s_.knobs(kVendor);
    const uint64_t salt = fnv1a(instance_id);
    const uint64_t org = i - i % 5;
    const bool is_org = i == org;
    const int64_t devices = pick(k.seed, salt + i, 51, 0, 10);
    const int64_t billable = devices * pick(k.seed, salt + i, 52, 1000, 50000);
    Json item = s_.fixture(kVendor, "instance-historical-summaries.json")["items"][0];
    item["resourceType"] = is_org ? "organization" : "application";
    item["resourceId"] = object_id(k.seed, salt, i);
    item["resourceName"] = (is_org ? "Org " : "App ") + std::to_string(i);
    item["ownerType"] = "organization";
    item["ownerId"] = object_id(k.seed, salt, org);
    item["ownerName"] = "Org " + std::to_string(org);
    item["currentPeriodStart"] = iso(month_start_ms(month));
    item["currentPeriodEnd"] = iso(next_month_start_ms(month) - 1);
    item["deviceCount"] = devices;
    item["deviceCountProrated"] = static_cast<double>(devices) * 0.9;
    item["applicationCount"] = is_org ? 4 : 1;
    item["payloadBillableCount"] = billable;
    item["payloadNonbillableCount"] = billable / 30;
    item["payloadBillableSizeMb"] = static_cast<double>(billable) / 4096.0;
    item["payloadNonbillableSizeMb"] = static_cast<double>(billable / 30) / 4096.0;
    item["payloadCountDetails"] = {{"mqtt", {{"device.mqttIn", billable}}},
                                   {"dataTable", {{"flow.flow", billable / 30}}}};
    item["notebookRunCount"] = pick(k.seed, salt + i, 53, 0, 20);
    item["notebookMinutesCount"] = pick(k.seed, salt + i, 54, 0, 120);
    item["limits"] = s_.fixture(kVendor, "instance-get.json")["limits"];
    return item;
  }

  void summaries(const httplib::Request& req, httplib::Response& res, const std::string& id) {
    // A later page may see the fleet changed (the fleet_drift listing knob).
    const auto k =
        int_param(req, "page", 0) > 0 ? later_page_knobs(s_, kVendor) : s_.knobs(kVendor);
    const int64_t month = int_param(req, "month", now_ms());
    const std::string sort_field =
        enum_param(req, "sortField", {"resourceId", "currentPeriodStart"}, "currentPeriodStart");
    const std::string direction =
        enum_param(req, "sortDirection", {"asc", "desc", "ASC", "DESC"}, "asc");
    const std::string filter_field =
        enum_param(req, "filterField", {"resourceType", "resourceId", "ownerId", "ownerType"}, "");
    const std::string filter = req.has_param("filter") ? req.get_param_value("filter") : "";
    const int64_t page = int_param(req, "page", 0);
    const int64_t per_page = int_param(req, "perPage", 100);
    if (page < 0) throw BadRequest{"page must be at least 0"};
    if (per_page < 1 || per_page > 1000) throw BadRequest{"perPage must be between 1 and 1000"};
    const int64_t used = capped_page_size(k, static_cast<int>(per_page), 1000);  // echoed
    const int64_t start = page > 0 ? shifted_start(k, static_cast<int>(page * used)) : 0;

    std::vector<Json> all;
    const int64_t resources = std::max(0, k.fleet_size / 5);
    for (int64_t i = 0; i < resources; ++i) {
      Json item = summary_item(id, static_cast<uint64_t>(i), month);
      if (!filter_field.empty() && !filter.empty() && item.value(filter_field, "") != filter)
        continue;
      all.push_back(std::move(item));
    }
    // currentPeriodStart is equal for every row; resourceId breaks ties so pages stay stable.
    std::stable_sort(all.begin(), all.end(), [&](const Json& a, const Json& b) {
      return a[sort_field].get<std::string>() + a["resourceId"].get<std::string>() <
             b[sort_field].get<std::string>() + b["resourceId"].get<std::string>();
    });
    if (lower(direction) == "desc") std::reverse(all.begin(), all.end());
    Json items = Json::array();
    for (int64_t i = start; i < static_cast<int64_t>(all.size()) && i < start + used; ++i)
      items.push_back(all[i]);
    Json body = {{"count", items.size()},     {"items", items},
                 {"totalCount", all.size()},  {"page", page},
                 {"perPage", used},           {"sortField", sort_field},
                 {"sortDirection", direction}};
    if (!filter_field.empty()) {
      body["filterField"] = filter_field;
      body["filter"] = filter;
    }
    send(res, body);
  }

  void list(const httplib::Request& req, httplib::Response& res) {
    const auto k = s_.knobs(kVendor);
    const std::string sort_field =
        enum_param(req, "sortField", {"name", "id", "creationDate", "lastUpdated"}, "name");
    const std::string direction = enum_param(req, "sortDirection", {"asc", "desc"}, "asc");
    enum_param(req, "filterField", {"name"}, "name");
    const int64_t page = int_param(req, "page", 0);
    const int64_t per_page = int_param(req, "perPage", 100);
    if (page < 0 || per_page < 1 || per_page > 1000) throw BadRequest{"bad page or perPage"};
    const int64_t used = capped_page_size(k, static_cast<int>(per_page), 1000);  // echoed
    const int64_t start = page > 0 ? shifted_start(k, static_cast<int>(page * used)) : 0;
    std::vector<Json> all;
    for (uint64_t i = 0; i < 3; ++i) all.push_back(instance_object(object_id(k.seed, 0xabc, i)));
    std::sort(all.begin(), all.end(), [&](const Json& a, const Json& b) {
      return a[sort_field].get<std::string>() < b[sort_field].get<std::string>();
    });
    if (direction == "desc") std::reverse(all.begin(), all.end());
    Json items = Json::array();
    for (int64_t i = start; i < static_cast<int64_t>(all.size()) && i < start + used; ++i)
      items.push_back(all[i]);
    send(res, Json{{"count", items.size()},
                   {"items", items},
                   {"totalCount", all.size()},
                   {"page", page},
                   {"perPage", used},
                   {"sortField", sort_field},
                   {"sortDirection", direction}});
  }

  Server& s_;
};

std::string error_type(int status) {
  switch (status) {
    case 400:
      return "Validation";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 429:
      return "TooManyRequests";
    default:
      return status >= 500 ? "ServerError" : "Error";
  }
}

}  // namespace

void register_losant(Server& s) {
  VendorSpec spec;
  spec.key = kVendor;
  spec.error_body = [](int status, const std::string& message) {
    return Json{{"type", error_type(status)}, {"message", message}}.dump();
  };
  s.add_vendor(spec);
  // The handlers share ownership of the route object, so it lives as long as the server.
  auto losant = std::make_shared<Losant>(s);
  losant->register_routes(losant);
}

}  // namespace sim
