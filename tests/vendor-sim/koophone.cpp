// Huawei Cloud KooPhone: Huawei IAM password tokens and GET /v1/instances/batch-query.
//
// Response shape: the API reference documents two (paging fields inside "data", or at the top
// level as in the vendor's own example). The simulator answers with shape A (inside "data") when
// the vendor's seed is even and shape B (top level) when it is odd; the default seed 42 gives A.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "tests/vendor-sim/listing_knobs.h"
#include "tests/vendor-sim/page_memo.h"
#include "tests/vendor-sim/sim.h"
#include "tests/vendor-sim/token_table.h"

namespace sim {
namespace {

constexpr const char* kVendor = "koophone";
constexpr int kDocumentedTokenLifetime = 24 * 3600;
constexpr int kMaxPageSize = 100;  // the suspected server cap; echoed in page_size

// Test hooks (declared by tests/scrapers/koophone_test.cpp), process-wide like the tests that
// use them: a rendezvous that holds page requests until `rendezvous` of them are in flight at
// once (bounded wait), which proves concurrent paging without timing; and a revocation that lets
// `expire_after` more authenticated requests pass and then expires every issued token.
struct Hooks {
  std::mutex mu;
  std::condition_variable cv;
  int rendezvous = 0;
  int in_flight = 0;
  int peak = 0;
  int expire_after = -1;
  // x-request-id of every batch-query, from the query and the header, in arrival order.
  std::vector<std::pair<std::string, std::string>> request_ids;
};
Hooks& hooks() {
  static Hooks h;
  return h;
}

// Issued tokens, plus the test hook that revokes them all after N authenticated requests.
class Tokens {
 public:
  bool valid(const std::string& token) {
    if (!table_.valid(token)) return false;
    std::lock_guard hook_lock(hooks().mu);
    if (hooks().expire_after == 0) {
      table_.expire_all();
      hooks().expire_after = -1;
      return false;
    }
    if (hooks().expire_after > 0) --hooks().expire_after;
    return true;
  }
  std::string issue(int ttl_seconds, std::chrono::system_clock::time_point& expires) {
    return table_.issue(ttl_seconds, expires);
  }

 private:
  TokenTable table_{"MIIsim-koophone-", creds::kHuaweiStaticToken};
};

std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
  return buf;
}

std::string local_time(int64_t unix_seconds) {
  const std::time_t secs = unix_seconds;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string error_body(int status, const std::string& message) {
  std::string code = "KOOPHONE.API.9999";
  std::string msg = message;
  if (status == 401) {
    code = "APIG.0301";
    msg = "Incorrect IAM authentication information: " + message;
  } else if (status == 429) {
    code = "APIG.0308";
  } else if (status == 404) {
    code = "APIG.0101";
  } else if (status == 400) {
    code = "KOOPHONE.API.1000";
  }
  return Json{{"error_code", code}, {"error_msg", msg}, {"request_id", "5f1c2a7e9b3d4c6a"}}.dump();
}

void keystone_error(httplib::Response& res, int status, const std::string& title,
                    const std::string& message) {
  res.status = status;
  res.set_content(
      Json{{"error", {{"code", status}, {"message", message}, {"title", title}}}}.dump(),
      "application/json");
}

// POST /v3/auth/tokens, password method, project scope.
void issue_token(Server& s, Tokens& tokens, const httplib::Request& req, httplib::Response& res) {
  const Json body = Json::parse(req.body, nullptr, false);
  const auto user_ptr = "/auth/identity/password/user"_json_pointer;
  const Json* user = body.is_object() && body.contains(user_ptr) ? &body.at(user_ptr) : nullptr;
  if (!user || !user->is_object())
    return keystone_error(res, 400, "Bad Request", "The request body is malformed.");
  const bool ok = user->value("name", "") == creds::kHuaweiUser &&
                  user->value("password", "") == creds::kHuaweiPassword &&
                  user->value("/domain/name"_json_pointer, "") == creds::kHuaweiDomain;
  if (!ok) return keystone_error(res, 401, "Unauthorized", "The username or password is wrong.");
  const int ttl = s.knobs(kVendor).token_ttl_seconds;
  std::chrono::system_clock::time_point expires;
  const std::string token = tokens.issue(ttl > 0 ? ttl : kDocumentedTokenLifetime, expires);
  const auto now = std::chrono::system_clock::now();
  Json t = s.fixture(kVendor, "iam-token-response.json");
  t["token"]["expires_at"] = iso_utc(expires);
  t["token"]["issued_at"] = iso_utc(now);
  t["token"]["user"]["name"] = creds::kHuaweiUser;
  if (body.contains("/auth/scope/project/name"_json_pointer))
    t["token"]["project"]["name"] = body["/auth/scope/project/name"_json_pointer];
  res.status = 201;
  res.set_header("X-Subject-Token", token);
  res.set_content(t.dump(), "application/json;charset=UTF-8");
}

constexpr const char* kSkus[] = {
    "Professional edition | 8 vCPUs | 16 GB | 10 GB storage | Maximum resolution: 720p",
    "Standard edition | 4 vCPUs | 8 GB | 10 GB storage | Maximum resolution: 720p",
    "Flagship edition | 16 vCPUs | 32 GB | 64 GB storage | Maximum resolution: 1080p",
};

std::string phone_id(uint64_t seed, int i) {
  static const char* alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  std::string id;
  for (uint64_t x = mix(seed, i), n = 0; n < 8; ++n, x >>= 5) id += alphabet[x & 31];
  return id;
}

std::string phone_name(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "FIELD-SALES-%05d", i + 1);
  return name;
}

// The pool scene is a filter only: phones are CLOUD_PHONE unless picked as CLOUD_APP.
std::string scene_tag(uint64_t seed, int i) {
  return pick(seed, i, 12, 0, 4) == 0 ? "CLOUD_APP" : "CLOUD_PHONE";
}

// Phone i of the fleet; the same (seed, i) always gives the same phone.
Json phone(uint64_t seed, int i) {
  const std::string id = phone_id(seed, i);
  const std::string name = phone_name(i);
  const bool north = pick(seed, i, 1, 0, 9) == 0;
  const int64_t running = pick(seed, i, 2, 0, 99);
  // Most phones run; a few are stopped, starting, going offline, shut down or unknown.
  const int running_status = running < 70   ? 2
                             : running < 85 ? 1
                             : running < 90 ? 4
                             : running < 94 ? 3
                             : running < 98 ? 5
                                            : 0;
  const int assign = pick(seed, i, 3, 0, 9) < 8 ? 1 : 0;
  const int login = running_status == 2 && assign && pick(seed, i, 4, 0, 1) ? 1 : 0;
  const int64_t base = 1795046400;  // 2026-11-18 00:00:00 UTC
  Json p = {{"instance_id", id},
            {"instance_name", name},
            {"region", north ? "cn-north-4" : "cn-south-1"},
            {"instance_sku", kSkus[pick(seed, i, 5, 0, 2)]},
            {"frozen_status", pick(seed, i, 6, 0, 49) == 0 ? 1 : 0},
            {"running_status", running_status},
            {"login_status", login},
            {"assign_status", assign},
            {"billing_mode", "1"},
            {"project_id", "0f5e3a1c8b7d4e2f9a6b5c4d3e2f1a0b"},
            {"project_name", "cn-south-1"},
            {"phone_id", id},
            {"member_name", assign ? "member-" + std::to_string(i % 40) : ""},
            {"account_name", "ops-admin@example.com"},
            {"region_name", north ? "CN North-Beijing4" : "CN South-Guangzhou"},
            {"region_name_en", north ? "CN North-Beijing4" : "CN South-Guangzhou"},
            {"backup_status", pick(seed, i, 7, 0, 9) < 8 ? 2 : pick(seed, i, 8, 0, 4)},
            {"backup_time", local_time(base + pick(seed, i, 9, 0, 5 * 86400))},
            {"restore_status", pick(seed, i, 10, 0, 9) < 9 ? 4 : 2}};
  if (assign) p["assign_user"] = std::to_string(1008600000097131000LL + i);
  if (p["restore_status"] == 2) p["restore_time"] = local_time(base + pick(seed, i, 11, 0, 86400));
  return p;
}

bool positive_int(const std::string& text, int& out) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  out = std::stoi(text);
  return out > 0;
}

// Holds a request until hooks().rendezvous requests are in flight together, for at most 5 s.
void await_rendezvous() {
  Hooks& h = hooks();
  std::unique_lock lock(h.mu);
  if (h.rendezvous <= 0) return;
  h.peak = std::max(h.peak, ++h.in_flight);
  h.cv.notify_all();
  h.cv.wait_for(lock, std::chrono::seconds(5), [&] { return h.peak >= h.rendezvous; });
  --h.in_flight;
}

void batch_query(Server& s, const httplib::Request& req, httplib::Response& res) {
  // The vendor documents x-request-id as a required query parameter.
  if (req.get_param_value("x-request-id").empty())
    return s.error(kVendor, res, 400, "x-request-id is required");
  int page_no = 0, page_size = 0;
  if (!positive_int(req.get_param_value("page_no"), page_no) ||
      !positive_int(req.get_param_value("page_size"), page_size))
    return s.error(kVendor, res, 400, "page_no and page_size must be positive integers");
  const std::string tag = req.get_param_value("pool_scene_tag");
  if (!tag.empty() && tag != "CLOUD_APP" && tag != "CLOUD_PHONE")
    return s.error(kVendor, res, 400, "pool_scene_tag must be CLOUD_APP or CLOUD_PHONE");
  const std::string want_id = req.get_param_value("instance_id");
  const std::string want_name = req.get_param_value("instance_name");

  if (page_no > 1) await_rendezvous();
  // A later page may see the fleet changed (fleet_drift) and start off its place (page_shift).
  const VendorKnobs k = page_no > 1 ? later_page_knobs(s, kVendor) : s.knobs(kVendor);
  page_size = capped_page_size(k, page_size, kMaxPageSize);  // echoed in page_size
  auto make = [&] {
    // Filters use the cheap per-phone fields, so only the rows of this page are built in full.
    std::vector<int> matching;
    for (int i = 0; i < k.fleet_size; ++i) {
      if (!tag.empty() && scene_tag(k.seed, i) != tag) continue;
      if (!want_id.empty() && phone_id(k.seed, i) != want_id) continue;
      if (!want_name.empty() && phone_name(i) != want_name) continue;
      matching.push_back(i);
    }
    Json result = Json::array();
    const int planned = (page_no - 1) * page_size;
    const size_t start = page_no > 1 ? shifted_start(k, planned) : 0;
    for (size_t n = start; n < matching.size() && n < start + page_size; ++n)
      result.push_back(phone(k.seed, matching[n]));

    Json paging = {{"page_no", page_no},
                   {"page_size", page_size},
                   {"total_count", matching.size()},
                   {"error_code", "0"},
                   {"error_msg", "OK"}};
    Json body;
    if (k.seed % 2 == 0) {  // shape A: the field table
      body["data"] = paging;
      body["data"]["result"] = std::move(result);
    } else {  // shape B: the vendor's example
      body = paging;
      body["data"] = {{"result", std::move(result)}};
    }
    return body.dump();
  };
  // A page depends only on the fleet, the paging and the filters (not on x-request-id).
  static PageMemo memo;
  const auto page =
      memo.get(std::to_string(k.fleet_size) + "/" + std::to_string(k.seed) + "/" +
                   std::to_string(page_no) + "/" + std::to_string(page_size) + "/" +
                   std::to_string(k.page_shift) + "/" + tag + "/" + want_id + "/" + want_name,
               make);
  res.set_content(*page, "application/json;charset=UTF-8");
}

}  // namespace

void koophone_set_rendezvous(int requests) {
  std::lock_guard lock(hooks().mu);
  hooks().rendezvous = requests;
  hooks().in_flight = hooks().peak = 0;
}
int koophone_peak_in_flight() {
  std::lock_guard lock(hooks().mu);
  return hooks().peak;
}
void koophone_expire_tokens_after(int requests) {
  std::lock_guard lock(hooks().mu);
  hooks().expire_after = requests;
}

std::vector<std::pair<std::string, std::string>> koophone_request_ids() {
  std::lock_guard lock(hooks().mu);
  return hooks().request_ids;
}
void koophone_clear_request_ids() {
  std::lock_guard lock(hooks().mu);
  hooks().request_ids.clear();
}

void register_koophone(Server& s) {
  s.add_vendor({kVendor, error_body, nullptr});
  auto tokens = std::make_shared<Tokens>();
  s.post(kVendor, "/v3/auth/tokens", nullptr,
         [&s, tokens](const httplib::Request& req, httplib::Response& res) {
           issue_token(s, *tokens, req, res);
         });
  auto auth = [tokens](const httplib::Request& req) {
    {  // every request passes the auth check, even one a fault answers: record its ids here
      std::lock_guard lock(hooks().mu);
      hooks().request_ids.emplace_back(req.get_param_value("x-request-id"),
                                       req.get_header_value("x-request-id"));
    }
    return tokens->valid(req.get_header_value("X-Auth-Token"));
  };
  s.get(kVendor, "/v1/instances/batch-query", auth,
        [&s](const httplib::Request& req, httplib::Response& res) { batch_query(s, req, res); });
}

}  // namespace sim
