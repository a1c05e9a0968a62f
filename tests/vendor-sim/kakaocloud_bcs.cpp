// KakaoCloud BCS: KakaoCloud IAM application-credential tokens and GET /api/v1/instances.
// Instances are generated oldest first from fleet_size and seed; limit/offset page them with
// pagination.total, and the documented filters apply before paging. The listing knobs cap
// the limit (echoed in pagination.limit), change the fleet mid-listing or shift later pages.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include "tests/vendor-sim/listing_knobs.h"
#include "tests/vendor-sim/page_memo.h"
#include "tests/vendor-sim/sim.h"
#include "tests/vendor-sim/token_table.h"

namespace sim {
namespace {

constexpr const char* kVendor = "kakaocloud_bcs";
constexpr int kDocumentedTokenLifetime = 12 * 3600;
constexpr int kMaxLimit = 1000;  // UNCONFIRMED upstream; the simulator caps and echoes it

using Tokens = TokenTable;

std::string iso_utc(int64_t unix_seconds, bool micros) {
  const std::time_t secs = unix_seconds;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, micros ? "%Y-%m-%dT%H:%M:%S.000000Z" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int64_t unix_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// ErrorResponseModel: {"error": {"code": "<string>", "message": "<string>"}}.
std::string error_body(int status, const std::string& message) {
  const char* code = status == 401   ? "Unauthorized"
                     : status == 403 ? "Forbidden"
                     : status == 404 ? "NotFound"
                     : status == 429 ? "TooManyRequests"
                     : status < 500  ? "BadRequest"
                                     : "InternalServerError";
  return Json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

void keystone_error(httplib::Response& res, int status, const std::string& title,
                    const std::string& message) {
  res.status = status;
  res.set_content(
      Json{{"error", {{"code", status}, {"message", message}, {"title", title}}}}.dump(),
      "application/json");
}

// FastAPI's 422 shape, for a query value of the wrong kind.
void validation_error(httplib::Response& res, const std::string& field, const std::string& msg) {
  res.status = 422;
  res.set_content(
      Json{{"detail", {{{"loc", {"query", field}}, {"msg", msg}, {"type", "type_error"}}}}}.dump(),
      "application/json");
}

void issue_token(Server& s, Tokens& tokens, const httplib::Request& req, httplib::Response& res) {
  // Mandatory since 2026-04-02 per the vendor's API preparation guide.
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
    return keystone_error(res, 400, "Bad Request", "Content-Type must be application/json.");
  const Json body = Json::parse(req.body, nullptr, false);
  const auto cred = "/auth/identity/application_credential"_json_pointer;
  if (!body.is_object() || !body.contains(cred) || !body[cred].is_object())
    return keystone_error(res, 400, "Bad Request", "The request body is malformed.");
  const Json& c = body[cred];
  if (c.value("id", "") != creds::kKakaoCredentialId ||
      c.value("secret", "") != creds::kKakaoCredentialSecret)
    return keystone_error(res, 401, "Unauthorized",
                          "The request you have made requires authentication.");
  const int ttl = s.knobs(kVendor).token_ttl_seconds;
  std::chrono::system_clock::time_point expires;
  const std::string token = tokens.issue(ttl > 0 ? ttl : kDocumentedTokenLifetime, expires);
  Json t = s.fixture(kVendor, "iam-token-response.json");
  t["token"]["expires_at"] = iso_utc(unix_of(expires), true);
  t["token"]["issued_at"] = iso_utc(unix_of(std::chrono::system_clock::now()), true);
  t["token"]["application_credential"]["id"] = creds::kKakaoCredentialId;
  res.status = 201;
  res.set_header("X-Subject-Token", token);
  res.set_header("Vary", "X-Auth-Token");
  res.set_content(t.dump(), "application/json");
}

struct Flavor {
  const char* name;
  const char* group;
  int vcpus;
  int memory_mb;
  const char* instance_type;
};
constexpr Flavor kFlavors[] = {
    {"m2a.large", "m2a", 2, 8192, "vm"},       {"m2a.xlarge", "m2a", 4, 16384, "vm"},
    {"c2a.2xlarge", "c2a", 8, 16384, "vm"},    {"r2a.xlarge", "r2a", 4, 32768, "vm"},
    {"p2i.6xlarge", "p2i", 24, 196608, "gpu"}, {"bm1.metal", "bm1", 64, 262144, "bm"},
};
constexpr const char* kZones[] = {"kr-central-2-a", "kr-central-2-b", "kr-central-2-c"};
constexpr const char* kImages[] = {"Ubuntu 22.04", "Rocky Linux 9.4", "Ubuntu 24.04"};

std::string uuid_of(uint64_t seed, int i, uint64_t salt) {
  const uint64_t a = mix(seed ^ salt, i), b = mix(seed ^ (salt * 31 + 7), i);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFF),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

// Instance i, created i hours after a fixed start, so index order is created_at order.
Json instance(uint64_t seed, int i) {
  const Flavor& f =
      kFlavors[pick(seed, i, 1, 0, 9) < 7 ? pick(seed, i, 2, 0, 3) : pick(seed, i, 2, 0, 5)];
  const int64_t st = pick(seed, i, 3, 0, 99);
  const char* state = st < 75   ? "active"
                      : st < 88 ? "stopped"
                      : st < 96 ? "shelved_offloaded"
                                : "error";
  const char* power = st < 75   ? "RUNNING"
                      : st < 96 ? (st < 88 ? "SHUTDOWN" : "NOSTATE")
                                : "NOSTATE";
  const bool hadoop = pick(seed, i, 4, 0, 9) == 0;
  const bool k8se = !hadoop && pick(seed, i, 5, 0, 6) == 0;
  const std::string id = uuid_of(seed, i, 11);
  const std::string name = (hadoop ? "hadoop-worker-"
                            : k8se ? "k8se-node-"
                                   : "web-") +
                           std::to_string(i + 1);
  const int64_t created = 1782864000 + static_cast<int64_t>(i) * 3600;  // 2026-07-01 UTC
  const char* zone = kZones[pick(seed, i, 6, 0, 2)];
  const char* image = kImages[pick(seed, i, 7, 0, 2)];
  Json flavor = {{"id", uuid_of(seed, pick(seed, i, 1, 0, 5), 21)},
                 {"name", f.name},
                 {"group", f.group},
                 {"vcpus", f.vcpus},
                 {"is_burstable", false},
                 {"manufacturer", "AMD"},
                 {"memory_mb", f.memory_mb},
                 {"root_gb", 0},
                 {"disk_type", "network"},
                 {"instance_family", f.group},
                 {"os_distro", Json::array()},
                 {"maximum_network_interfaces", 4},
                 {"hw_type", std::string(f.instance_type) == "gpu" ? Json("GPU") : Json()},
                 {"hw_count", std::string(f.instance_type) == "gpu" ? Json(1) : Json()},
                 {"is_hyper_threading_supported", true},
                 {"real_vcpus", f.vcpus / 2}};
  Json img = {{"id", uuid_of(seed, pick(seed, i, 7, 0, 2), 31)},
              {"name", image},
              {"description", std::string(image) + " base image"},
              {"owner", "kakaocloud"},
              {"is_windows", false},
              {"size", 2361393152LL},
              {"status", "active"},
              {"image_type", "base"},
              {"disk_format", "qcow2"},
              {"instance_type", f.instance_type},
              {"member_status", nullptr},
              {"min_disk", 20},
              {"min_memory", 0},
              {"os_admin", "ubuntu"},
              {"os_distro", "ubuntu"},
              {"os_type", "linux"},
              {"os_architecture", "x86_64"},
              {"created_at", "2026-06-01T00:00:00Z"},
              {"updated_at", "2026-06-01T00:00:00Z"}};
  char ip[20];
  std::snprintf(ip, sizeof ip, "10.0.%d.%d", (i / 250) % 250, i % 250 + 2);
  return {{"id", id},
          {"name", name},
          {"description", nullptr},
          {"flavor", flavor},
          {"addresses",
           {{{"private_ip", ip},
             {"public_ip", pick(seed, i, 8, 0, 4) == 0 ? Json("211.249.50.17") : Json()},
             {"network_interface_id", uuid_of(seed, i, 41)}}}},
          {"is_hyper_threading", true},
          {"is_hadoop", hadoop},
          {"is_k8se", k8se},
          {"image", img},
          {"vm_state", state},
          {"task_state", nullptr},
          {"power_state", power},
          {"status", state},
          {"user_id", "5e9a1c7b3d2f4e6a8b0c1d2e3f4a5b6c"},
          {"project_id", "8d2f4a6c1b3e4f5a9c7d0e1f2a3b4c5d"},
          {"key_name", "ops-keypair"},
          {"hostname", name},
          {"availability_zone", zone},
          {"attached_volumes", Json::array()},
          {"attached_volume_count", 0},
          {"security_groups", {{{"id", uuid_of(seed, 0, 51)}, {"name", "default"}}}},
          {"security_group_count", 1},
          {"instance_type", f.instance_type},
          {"created_at", iso_utc(created, false)},
          {"updated_at", iso_utc(created + 86400, false)}};
}

bool int_param(const httplib::Request& req, const std::string& key, int fallback, int& out) {
  const std::string v = req.get_param_value(key);
  if (v.empty()) {
    out = fallback;
    return true;
  }
  if (v.size() > 9) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  out = std::stoi(v);
  return true;
}

bool matches(const Json& vm, const httplib::Request& req) {
  for (const char* key : {"id", "vm_state", "availability_zone", "instance_type", "status"}) {
    const std::string want = req.get_param_value(key);
    if (!want.empty() && vm.value(key, "") != want) return false;
  }
  const std::string flavor = req.get_param_value("flavor_name");
  if (!flavor.empty() && vm["flavor"]["name"] != flavor) return false;
  const std::string name = req.get_param_value("name");  // a "contains" match
  if (!name.empty() && vm["name"].get<std::string>().find(name) == std::string::npos) return false;
  return true;
}

void list_instances(Server& s, const httplib::Request& req, httplib::Response& res) {
  int limit = 0, offset = 0;
  if (!int_param(req, "limit", 20, limit))
    return validation_error(res, "limit", "value is not a valid integer");
  if (!int_param(req, "offset", 0, offset))
    return validation_error(res, "offset", "value is not a valid integer");
  // A later page may see the fleet changed (fleet_drift) and start off its offset (page_shift).
  const VendorKnobs k = offset > 0 ? later_page_knobs(s, kVendor) : s.knobs(kVendor);
  limit = capped_page_size(k, std::max(limit, 1), kMaxLimit);  // echoed in pagination.limit
  const int start = offset > 0 ? shifted_start(k, offset) : offset;
  const std::string dir = req.has_param("sort_dirs") ? req.get_param_value("sort_dirs") : "desc";
  if (dir != "asc" && dir != "desc")
    return s.error(kVendor, res, 400, "sort_dirs must be asc or desc");

  bool filtered = false;
  for (const char* key :
       {"id", "name", "vm_state", "flavor_name", "availability_zone", "instance_type", "status"})
    filtered = filtered || req.has_param(key);
  auto make = [&] {
    std::vector<int> order;
    for (int i = 0; i < k.fleet_size; ++i) order.push_back(dir == "asc" ? i : k.fleet_size - 1 - i);
    Json page = Json::array();
    int total = 0;
    if (!filtered) {  // large fleets: build only the rows of this page
      total = k.fleet_size;
      for (int n = start; n < total && n < start + limit; ++n)
        page.push_back(instance(k.seed, order[n]));
    }
    for (int i : filtered ? order : std::vector<int>{}) {
      Json vm = instance(k.seed, i);
      if (!matches(vm, req)) continue;
      if (total >= start && total < start + limit) page.push_back(std::move(vm));
      ++total;
    }
    Json body = {{"instances", std::move(page)},
                 {"pagination", {{"total", total}, {"offset", offset}, {"limit", limit}}}};
    return body.dump();
  };
  if (filtered) return res.set_content(make(), "application/json");
  // An unfiltered page depends only on the fleet and the paging.
  static PageMemo memo;
  const auto page = memo.get(std::to_string(k.fleet_size) + "/" + std::to_string(k.seed) + "/" +
                                 std::to_string(offset) + "/" + std::to_string(start) + "/" +
                                 std::to_string(limit) + "/" + dir,
                             make);
  res.set_content(*page, "application/json");
}

}  // namespace

void register_kakaocloud_bcs(Server& s) {
  s.add_vendor({kVendor, error_body, nullptr});
  auto tokens = std::make_shared<Tokens>("gAAAAsim-kakao-", creds::kKakaoStaticToken);
  s.post(kVendor, "/identity/v3/auth/tokens", nullptr,
         [&s, tokens](const httplib::Request& req, httplib::Response& res) {
           issue_token(s, *tokens, req, res);
         });
  auto auth = [tokens](const httplib::Request& req) {
    return tokens->valid(req.get_header_value("X-Auth-Token"));
  };
  s.get(kVendor, "/api/v1/instances", auth,
        [&s](const httplib::Request& req, httplib::Response& res) { list_instances(s, req, res); });
}

}  // namespace sim
