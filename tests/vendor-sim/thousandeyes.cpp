// ThousandEyes API v7 usage endpoints, as documented in shared/vendor-apis/thousandeyes/API.md:
//   GET /v7/usage                         ?aid= &expand=a,b (comma-separated)
//   GET /v7/usage/units/tests             ?aid= &startDate= &endDate= &cursor=
//   GET /v7/usage/units/enterprise-agents ?startDate= &endDate= &cursor=   (no aid)
// Bearer auth against creds::kThousandEyesToken (401 is the OAuth-style {error,
// error_description}); other errors are RFC 7807 problem+json. Cursor pages hold kPageSize rows and
// link `_links.next` as an absolute URL built from the request's Host header.
//
// Data: fleet_size tests and fleet_size / 5 enterprise agents (rounded up), spread over three
// account groups 1234 "Operations", 5678 "Network Engineering", 9012 "Security".
// Account group ids starting with "7" (e.g. "7001") belong to an organisation on legacy pricing:
// /v7/usage answers, but the units endpoints answer 403 as they do without usage-based pricing.
// Any other aid is 403 "not a member". The rate limit is a 240-requests-a-minute window for the
// organisation that starts with its first request; every response carries the
// X-Organization-Rate-Limit-{Limit,Remaining,Reset} headers (a fault's own values win), and the
// 241st request of a window is 429.
// History: a units window that ends before today (UTC), as `fleet-usage-exporter backfill`
// asks for, scales every *UnitsUsed by the days it spans (begun days, at most 31) out of 31, so a
// day's figure depends only on the window asked for and grows through the billing period.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <regex>
#include <set>

#include "tests/vendor-sim/listing_knobs.h"
#include "tests/vendor-sim/sim.h"

namespace sim {
namespace {

constexpr const char* kVendor = "thousandeyes";
constexpr int kPageSize = 100;
constexpr int kRateLimit = 240;

struct Group {
  const char* aid;
  const char* name;
};
constexpr Group kGroups[] = {
    {"1234", "Operations"}, {"5678", "Network Engineering"}, {"9012", "Security"}};
constexpr const char* kTestTypes[] = {"Web - HTTP Server", "Web-Page Load",  "DNS Server",
                                      "Agent to Server",   "Agent to Agent", "Web - Transaction"};
constexpr const char* kSites[] = {"fra-dc1", "nyc-branch", "sin-dc2", "lon-office", "sfo-lab"};

// The organisation's one-minute request window.
class RateWindow {
 public:
  // Counts one request; false when the window is exhausted.
  bool take() {
    std::lock_guard lock(mu_);
    roll();
    if (used_ >= kRateLimit) return false;
    ++used_;
    return true;
  }
  void decorate(httplib::Response& res) {
    std::lock_guard lock(mu_);
    roll();
    auto put = [&](const char* name, long long value) {
      if (!res.has_header(name)) res.set_header(name, std::to_string(value));
    };
    put("X-Organization-Rate-Limit-Limit", kRateLimit);
    put("X-Organization-Rate-Limit-Remaining", kRateLimit - used_);
    put("X-Organization-Rate-Limit-Reset", reset_);
  }

 private:
  // The window rolls over one minute after the first request of a batch.
  void roll() {
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    if (now >= reset_) {
      used_ = 0;
      reset_ = now + 60;
    }
  }
  std::mutex mu_;
  int used_ = 0;
  long long reset_ = 0;
};

Json problem(int status, const std::string& detail) {
  static const std::map<int, std::string> titles = {
      {400, "Request validation failed. There are invalid or missing fields"},
      {403, "Insufficient permissions to query endpoint"},
      {404, "URI Resource Not Found"},
      {429, "Exhausted rate limit for the organization"},
      {500, "Internal server error"}};
  auto it = titles.find(status);
  return {{"type", "about:blank"},
          {"title", it != titles.end() ? it->second : "Error"},
          {"status", status},
          {"detail", detail},
          {"instance", "/v7"}};
}

std::string error_body(int status, const std::string& message) {
  if (status == 401)
    return Json{{"error", "invalid_token"}, {"error_description", "Invalid access token"}}.dump();
  return problem(status, message).dump();
}

void send_problem(httplib::Response& res, int status, const std::string& detail) {
  res.status = status;
  res.set_content(problem(status, detail).dump(), "application/problem+json");
}

void send_hal(httplib::Response& res, const Json& body) {
  res.status = 200;
  res.set_content(body.dump(), "application/hal+json");
}

std::string percent_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

constexpr const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& in) {
  std::string out;
  int val = 0, bits = -6;
  for (unsigned char c : in) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += kB64[(val >> bits) & 0x3F];
      bits -= 6;
    }
  }
  if (bits > -6) out += kB64[((val << 8) >> (bits + 8)) & 0x3F];
  while (out.size() % 4) out += '=';
  return out;
}

std::optional<std::string> unbase64(const std::string& in) {
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kB64, c);
    if (!p || !c) return std::nullopt;
    val = (val << 6) + static_cast<int>(p - kB64);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

// The opaque cursor: base64 of {"offset":N}, like the vendor's own.
std::string make_cursor(int offset) { return base64(Json{{"offset", offset}}.dump()); }

std::optional<int> read_cursor(const std::string& cursor) {
  auto text = unbase64(cursor);
  if (!text) return std::nullopt;
  auto doc = Json::parse(*text, nullptr, false);
  if (!doc.is_object() || !doc.contains("offset") || !doc["offset"].is_number_integer())
    return std::nullopt;
  const int offset = doc["offset"].get<int>();
  if (offset < 0) return std::nullopt;
  return offset;
}

bool valid_time(const std::string& text) {
  static const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  return std::regex_match(text, iso);
}

std::optional<int64_t> epoch_of(const std::string& text) {
  std::tm tm{};
  if (!valid_time(text) || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

// Begun days of a window that ends before today, UTC; nothing for any other request.
std::optional<int64_t> history_days(const httplib::Request& req) {
  if (!req.has_param("startDate") || !req.has_param("endDate")) return std::nullopt;
  const auto start = epoch_of(req.get_param_value("startDate"));
  const auto end = epoch_of(req.get_param_value("endDate"));
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (!start || !end || *end >= now - now % 86400 || *end <= *start) return std::nullopt;
  return std::min<int64_t>((*end - *start + 86399) / 86400, 31);
}

void scale_to_window(Json& row, std::optional<int64_t> days) {
  if (!days) return;
  for (const char* key : {"cloudUnitsUsed", "enterpriseUnitsUsed"})
    if (row.contains(key)) row[key] = row[key].get<int64_t>() * *days / 31;
}

const Group& group_of(uint64_t seed, int index) {
  return kGroups[pick(seed, index, 1, 0, std::size(kGroups) - 1)];
}

struct TestRow {
  Json usage;      // as in usage.tests[]
  Json breakdown;  // as in /units/tests breakdowns[]
};

TestRow make_test(const VendorKnobs& k, int i) {
  const Group& g = group_of(k.seed, i);
  const char* test_type = kTestTypes[pick(k.seed, i, 2, 0, std::size(kTestTypes) - 1)];
  const int64_t cloud = pick(k.seed, i, 3, 0, 2000000);
  const int64_t enterprise = pick(k.seed, i, 4, 0, 2) == 0 ? pick(k.seed, i, 5, 1000, 1500000) : 0;
  const bool instant = pick(k.seed, i, 6, 0, 19) == 0;
  const bool brand_new = pick(k.seed, i, 7, 0, 9) == 0;  // no projection yet
  const std::string id = std::to_string(2810000 + i);
  char name[64];
  std::snprintf(name, sizeof name, "%s-%04d", instant ? "adhoc-check" : "probe", i);
  TestRow row;
  row.usage = {{"aid", g.aid},     {"accountGroupName", g.name}, {"testId", id},
               {"testName", name}, {"testType", test_type},      {"cloudUnitsUsed", cloud}};
  if (!brand_new) row.usage["cloudUnitsProjected"] = cloud * 7 / 4;
  row.breakdown = {{"aid", g.aid},
                   {"accountGroupName", g.name},
                   {"testId", id},
                   {"testName", name},
                   {"testType", test_type},
                   {"isInstantTest", instant},
                   {"cloudUnitsUsed", cloud},
                   {"cloudUnitsProjected", instant ? cloud : cloud * 7 / 4},
                   {"enterpriseUnitsUsed", enterprise},
                   {"enterpriseUnitsProjected", instant ? enterprise : enterprise * 7 / 4}};
  return row;
}

int agent_count(const VendorKnobs& k) { return (std::max(k.fleet_size, 0) + 4) / 5; }

Json make_agent(const VendorKnobs& k, int j) {
  const Group& g = group_of(k.seed ^ 0xa6e7, j);
  const int64_t used = pick(k.seed, j, 11, 0, 900000);
  char name[64];
  std::snprintf(name, sizeof name, "%s-ea%02d", kSites[j % std::size(kSites)], j);
  return {{"aid", g.aid},
          {"accountGroupName", g.name},
          {"agentId", std::to_string(412000 + j)},
          {"agentName", name},
          {"enterpriseUnitsUsed", used},
          {"enterpriseUnitsProjected", used * 7 / 4}};
}

bool known_aid(const std::string& aid) {
  for (const auto& g : kGroups)
    if (aid == g.aid) return true;
  return !aid.empty() && aid[0] == '7';
}

const std::vector<std::string>& expand_values() {
  static const std::vector<std::string> v = {
      "test",           "enterprise-agent",         "enterprise-agent-unit",
      "endpoint-agent", "endpoint-agent-essential", "endpoint-agent-embedded"};
  return v;
}

// The billing period that contains now (the now_unix knob, or the clock): it starts on the 5th at
// 00:00 UTC, as the vendor's example (2026-11-05 to 2026-12-05) does, and rolls with the clock so
// that it is current on any date. Returns {monthStart, monthEnd} as the API writes them.
std::pair<std::string, std::string> current_billing_period(int64_t now_unix) {
  const std::time_t now = now_unix > 0 ? static_cast<std::time_t>(now_unix) : std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  if (tm.tm_mday < 5) tm.tm_mon -= 1;
  tm.tm_mday = 5;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  auto text = [](std::tm t) {
    const std::time_t secs = timegm(&t);  // normalises a month of -1 or 12
    std::tm n{};
    gmtime_r(&secs, &n);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &n);
    return std::string(buf);
  };
  std::tm end = tm;
  end.tm_mon += 1;
  return {text(tm), text(end)};
}

Json usage_body(const VendorKnobs& k, const std::set<std::string>& expand) {
  int64_t cloud_used = 0, cloud_projected = 0, ent_used = 0, ent_projected = 0;
  Json tests = Json::array();
  for (int i = 0; i < k.fleet_size; ++i) {
    const auto row = make_test(k, i);
    cloud_used += row.breakdown["cloudUnitsUsed"].get<int64_t>();
    cloud_projected += row.breakdown["cloudUnitsProjected"].get<int64_t>();
    tests.push_back(row.usage);
  }
  Json agent_units = Json::array();
  std::map<std::string, int> agents_per_group;
  for (int j = 0; j < agent_count(k); ++j) {
    const auto agent = make_agent(k, j);
    ent_used += agent["enterpriseUnitsUsed"].get<int64_t>();
    ent_projected += agent["enterpriseUnitsProjected"].get<int64_t>();
    ++agents_per_group[agent["aid"].get<std::string>()];
    agent_units.push_back(agent);
  }
  // Endpoint agents per account group: a few per test, deterministic.
  Json endpoint = Json::array(), essentials = Json::array(), embedded = Json::array(),
       enterprise = Json::array();
  int endpoint_total = 0, essentials_total = 0, embedded_total = 0;
  for (size_t g = 0; g < std::size(kGroups); ++g) {
    const int e = static_cast<int>(pick(k.seed, g, 21, 0, k.fleet_size * 2));
    const int es = static_cast<int>(pick(k.seed, g, 22, 0, k.fleet_size / 2));
    const int em = static_cast<int>(pick(k.seed, g, 23, 0, k.fleet_size / 5));
    endpoint_total += e;
    essentials_total += es;
    embedded_total += em;
    const Json owner = {{"aid", kGroups[g].aid}, {"accountGroupName", kGroups[g].name}};
    endpoint.push_back(owner);
    endpoint.back()["endpointAgentsUsed"] = e;
    essentials.push_back(owner);
    essentials.back()["endpointAgentsEssentialsUsed"] = es;
    embedded.push_back(owner);
    embedded.back()["endpointAgentsEmbeddedUsed"] = em;
    enterprise.push_back(owner);
    enterprise.back()["enterpriseAgentsUsed"] = agents_per_group[kGroups[g].aid];
  }
  const int64_t fleet = std::max(k.fleet_size, 1);
  const auto [month_start, month_end] = current_billing_period(k.now_unix);
  Json usage = {{"quota",
                 {{"monthStart", month_start},
                  {"monthEnd", month_end},
                  {"cloudUnitsIncluded", fleet * 2400000},
                  {"deviceAgentsIncluded", 100},
                  {"endpointAgentsIncluded", fleet * 8},
                  {"endpointAgentsEssentialsIncluded", fleet * 2},
                  {"endpointAgentsEmbeddedIncluded", fleet},
                  {"enterpriseAgentsIncluded", 0}}},
                {"cloudUnitsUsed", cloud_used},
                {"cloudUnitsProjected", cloud_projected},
                {"cloudUnitsNextBillingPeriod", cloud_projected * 21 / 20},
                {"enterpriseUnitsUsed", ent_used},
                {"enterpriseUnitsProjected", ent_projected},
                {"enterpriseUnitsNextBillingPeriod", ent_projected * 21 / 20},
                {"connectedDevicesUnitsUsed", 0},
                {"connectedDevicesUnitsProjected", 0},
                {"connectedDevicesUnitsNextBillingPeriod", 0},
                {"endpointAgentsUsed", endpoint_total},
                {"endpointAgentsEssentialsUsed", essentials_total},
                {"endpointAgentsEmbeddedUsed", embedded_total},
                {"enterpriseAgentsUsed", agent_count(k)},
                {"allocations",
                 {{"used", cloud_used / 10},
                  {"projected", cloud_projected / 10},
                  {"allocations", Json::array({{{"productName", "Internet Insights"},
                                                {"allocatedUnits", fleet * 240000}}})}}}};
  if (expand.count("test")) usage["tests"] = tests;
  if (expand.count("enterprise-agent")) usage["enterpriseAgents"] = enterprise;
  if (expand.count("enterprise-agent-unit")) usage["enterpriseAgentUnits"] = agent_units;
  if (expand.count("endpoint-agent")) usage["endpointAgents"] = endpoint;
  if (expand.count("endpoint-agent-essential")) usage["endpointAgentsEssentials"] = essentials;
  if (expand.count("endpoint-agent-embedded")) usage["endpointAgentsEmbedded"] = embedded;
  return {{"usage", usage},
          {"_links", {{"self", {{"href", "https://api.thousandeyes.com/v7/usage"}}}}}};
}

// The request's own parameters, except the cursor, re-encoded for the `next` link.
std::string base_query(const httplib::Request& req) {
  std::string q;
  for (const char* name : {"aid", "startDate", "endDate"}) {
    if (!req.has_param(name)) continue;
    q += std::string(q.empty() ? "" : "&") + name + "=" + percent_encode(req.get_param_value(name));
  }
  return q;
}

// Writes one page of `rows` (all rows of the listing) at the request's cursor; the listing knobs
// cap the page (page_cap) and shift where a later page starts (page_shift).
void send_page(const httplib::Request& req, httplib::Response& res, const Json& rows,
               const VendorKnobs& k) {
  int offset = 0;
  if (req.has_param("cursor")) {
    auto parsed = read_cursor(req.get_param_value("cursor"));
    if (!parsed) return send_problem(res, 400, "Invalid cursor.");
    offset = *parsed;
  }
  const int size = capped_page_size(k, kPageSize, kPageSize);
  const int start = offset > 0 ? shifted_start(k, offset) : 0;
  Json page = Json::array();
  const int total = static_cast<int>(rows.size());
  for (int i = start; i < total && i < start + size; ++i) page.push_back(rows[i]);
  const std::string self_url = "http://" + req.get_header_value("Host") + req.path;
  const std::string query = base_query(req);
  std::string self_href = self_url;
  if (!query.empty() || req.has_param("cursor")) self_href += "?" + query;
  if (req.has_param("cursor"))
    self_href += std::string(query.empty() ? "" : "&") +
                 "cursor=" + percent_encode(req.get_param_value("cursor"));
  Json links = {{"self", {{"href", self_href}}}};
  if (start + size < total)
    links["next"] = {{"href", self_url + "?" + query + (query.empty() ? "" : "&") +
                                  "cursor=" + percent_encode(make_cursor(start + size))}};
  send_hal(res, {{"breakdowns", page}, {"_links", links}});
}

// startDate/endDate as the units endpoints validate them; false after answering 400.
bool check_window(const httplib::Request& req, httplib::Response& res) {
  for (const char* name : {"startDate", "endDate"}) {
    if (req.has_param(name) && !valid_time(req.get_param_value(name))) {
      send_problem(res, 400, std::string(name) + " must be an ISO 8601 UTC time with seconds.");
      return false;
    }
  }
  if (req.has_param("startDate") && req.has_param("endDate") &&
      req.get_param_value("startDate") >= req.get_param_value("endDate")) {
    send_problem(res, 400, "startDate must be before endDate.");
    return false;
  }
  return true;
}

}  // namespace

void register_thousandeyes(Server& s) {
  auto window = std::make_shared<RateWindow>();
  s.add_vendor({kVendor, error_body, [window](httplib::Response& res) { window->decorate(res); }});
  const AuthCheck auth = [](const httplib::Request& req) {
    return req.get_header_value("Authorization") ==
           std::string("Bearer ") + creds::kThousandEyesToken;
  };
  // Every route spends one request of the organisation's window first.
  auto spend = [window](httplib::Response& res) {
    if (window->take()) return true;
    send_problem(res, 429, "Rate limit of 240 requests per minute exceeded for the organization.");
    return false;
  };
  auto aid_allowed = [](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("aid") || known_aid(req.get_param_value("aid"))) return true;
    send_problem(res, 403,
                 "The user is not a member of account group " + req.get_param_value("aid") + ".");
    return false;
  };
  auto usage_based = [](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("aid") || req.get_param_value("aid")[0] != '7') return true;
    send_problem(res, 403, "This endpoint is only available on the usage-based pricing model.");
    return false;
  };

  s.get(kVendor, "/v7/usage", auth, [&s, spend, aid_allowed](const auto& req, auto& res) {
    if (!spend(res) || !aid_allowed(req, res)) return;
    std::set<std::string> expand;
    if (req.has_param("expand")) {
      const std::string list = req.get_param_value("expand");
      size_t start = 0;
      while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        const std::string value = list.substr(start, end - start);
        const auto& known = expand_values();
        if (std::find(known.begin(), known.end(), value) == known.end())
          return send_problem(res, 400, "Invalid expand value '" + value + "'.");
        expand.insert(value);
        start = end + 1;
      }
    }
    send_hal(res, usage_body(s.knobs(kVendor), expand));
  });

  s.get(kVendor, "/v7/usage/units/tests", auth,
        [&s, spend, aid_allowed, usage_based](const auto& req, auto& res) {
          if (!spend(res) || !aid_allowed(req, res) || !usage_based(req, res) ||
              !check_window(req, res))
            return;
          // A later page may see the fleet changed (the fleet_drift listing knob).
          const auto k = req.has_param("cursor") ? later_page_knobs(s, kVendor) : s.knobs(kVendor);
          Json rows = Json::array();
          for (int i = 0; i < k.fleet_size; ++i) {
            rows.push_back(make_test(k, i).breakdown);
            scale_to_window(rows.back(), history_days(req));
          }
          send_page(req, res, rows, k);
        });

  s.get(kVendor, "/v7/usage/units/enterprise-agents", auth,
        [&s, spend](const auto& req, auto& res) {
          if (!spend(res)) return;
          if (req.has_param("aid")) return send_problem(res, 400, "Unknown query parameter 'aid'.");
          if (!check_window(req, res)) return;
          const auto k = req.has_param("cursor") ? later_page_knobs(s, kVendor) : s.knobs(kVendor);
          Json rows = Json::array();
          for (int j = 0; j < agent_count(k); ++j) {
            rows.push_back(make_agent(k, j));
            scale_to_window(rows.back(), history_days(req));
          }
          send_page(req, res, rows, k);
        });
}

}  // namespace sim
