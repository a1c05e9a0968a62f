#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sim {

using Json = nlohmann::json;

struct FaultGate;  // the rendezvous of a `concurrent` rule (sim_internal.h)

// A fault rule set through POST /_sim/faults; it applies to requests whose path (after the vendor
// mount, e.g. "/instances/abc") starts with `path_prefix`, for `times` requests (-1: forever).
struct Fault {
  std::string vendor;       // vendor key; empty matches every vendor
  std::string path_prefix;  // empty matches every path
  int times = -1;
  int after = 0;  // the first `after` matching requests pass untouched
  // Holds each request it applies to until `concurrent` of them are in flight together (at most
  // 5 s), so that they all meet the fault at once: status 401 with times = concurrent = 4 is "a
  // 401 on 4 concurrent requests", all sent with the same token.
  int concurrent = 0;
  std::shared_ptr<FaultGate> gate;  // set by add_fault when `concurrent` is set
  int latency_ms = 0;               // before answering
  int status = 0;                   // 0: answer normally; otherwise this status with `body`
  std::string body;                 // for status; empty means the vendor's own error body for it
  std::map<std::string, std::string> headers;  // extra response headers (e.g. Retry-After)
  // How the body is mangled: "" (intact), "malformed", "truncated", "empty", "wrong_types",
  // "drip" (a few bytes every drip_ms), "hang" (headers, then no body for hang_ms),
  // "reset" (half the body, then the connection drops), "huge" (pads past huge_bytes),
  // "extra_fields" (unknown keys added to every object).
  std::string body_mode;
  int drip_ms = 200;
  int hang_ms = 30000;
  size_t huge_bytes = 80u << 20;
};

// A Fault from its JSON form (the struct's field names; "body" may also be any JSON value).
// Throws std::invalid_argument naming the offending field.
Fault fault_from_json(const nlohmann::json& j);
nlohmann::json fault_to_json(const Fault& fault);

// Per-vendor knobs set at start-up (flags) or through POST /_sim/knobs.
struct VendorKnobs {
  int fleet_size = 25;  // devices, instances, tests... generated deterministically
  uint64_t seed = 42;
  int latency_ms = 0;  // added to every request of this vendor
  // Lifetime of tokens issued by a vendor's IAM route (reported in expires_at and enforced);
  // 0 means the vendor's documented lifetime. Lets tests make a token expire mid-run.
  int token_ttl_seconds = 0;
  // Listing faults (tests/vendor-sim/listing_knobs.h; 0: none). page_cap: the most rows a page
  // holds whatever was asked, echoed where the vendor echoes a page size. fleet_drift: rows
  // added (negative: removed) once, as soon as a page after a listing's first is served.
  // page_shift: pages after the first start this many rows early (a row repeated across pages)
  // or, negative, late (a row skipped).
  int page_cap = 0;
  int fleet_drift = 0;
  int page_shift = 0;
  // The vendor's "now" for calendar-derived answers (Unix seconds; 0: the real clock), so that a
  // golden case is the same on any date. Used by ThousandEyes' current billing period.
  int64_t now_unix = 0;
};

class Server;

// Vendor routes are registered relative to the vendor's mount "/<vendor>". The wrapper counts
// the request, applies latency and faults, and checks auth before `handler` runs.
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
// Returns true when the request carries valid credentials for this vendor.
using AuthCheck = std::function<bool(const httplib::Request&)>;
// The vendor's own error body for a status, e.g. Losant {"type":"NotFound","message":"..."}.
using ErrorBody = std::function<std::string(int status, const std::string& message)>;

struct VendorSpec {
  std::string key;
  ErrorBody error_body;
  // Headers added to every response of this vendor (e.g. ThousandEyes rate-limit headers).
  std::function<void(httplib::Response&)> decorate;
};

// Certificate and key (PEM files) for serving HTTPS instead of HTTP.
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

class Server {
 public:
  Server(std::string fixtures_dir, std::map<std::string, VendorKnobs> knobs);
  // Serves HTTPS; throws std::runtime_error when the certificate or key cannot be loaded.
  Server(std::string fixtures_dir, std::map<std::string, VendorKnobs> knobs, const TlsFiles& tls);
  ~Server();  // stops serving
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void add_vendor(VendorSpec spec);
  std::vector<std::string> vendors() const;  // keys passed to add_vendor, sorted
  // `pattern` is an httplib regex relative to the vendor mount, e.g. R"(/instances/([^/]+))".
  void get(const std::string& vendor, const std::string& pattern, AuthCheck auth, Handler handler);
  void post(const std::string& vendor, const std::string& pattern, AuthCheck auth, Handler handler);

  VendorKnobs knobs(const std::string& vendor) const;
  // A fixture file from tests/fixtures/<vendor>/<name>, parsed.
  Json fixture(const std::string& vendor, const std::string& name) const;
  // Writes the vendor's error body with `status`.
  void error(const std::string& vendor, httplib::Response& res, int status,
             const std::string& message) const;

  // Fault rules, request counters and knobs, also reachable over HTTP:
  //   POST /_sim/faults (a Fault as JSON), DELETE /_sim/faults, GET /_sim/stats,
  //   POST /_sim/knobs ({"<vendor>": {"fleet_size": N, "seed": S, "latency_ms": L,
  //   "token_ttl_seconds": T}}), POST /_sim/reset.
  void add_fault(const Fault& fault);
  void clear_faults();
  std::vector<Fault> faults() const;  // the rules still active, in match order
  void set_knobs(const std::string& vendor, const VendorKnobs& knobs);
  // {"total": N, "by_vendor": {"losant": N}, "by_route": {"GET /losant/instances/x": N}}
  Json stats() const;
  void reset_stats();

  httplib::Server& http() { return *http_; }
  bool listen(const std::string& host, int port);  // port 0: pick one; see bound_port()
  int bound_port() const { return port_; }
  void stop();

 private:
  // ...the implementation keeps faults, counters and the vendor table.
  struct State;
  void init_http(std::unique_ptr<httplib::Server> http);
  void route(const std::string& method, const std::string& vendor, const std::string& pattern,
             AuthCheck auth, Handler handler);
  std::shared_ptr<State> state_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
};

// Deterministic data: the same (seed, index) always gives the same numbers.
uint64_t mix(uint64_t seed, uint64_t index);
// A number in [lo, hi] derived from (seed, index, salt).
int64_t pick(uint64_t seed, uint64_t index, uint64_t salt, int64_t lo, int64_t hi);

// Each vendor file defines one of these; register_all (tests/vendor-sim/vendors.cpp, the
// simulator's one list of vendors) calls them all.
void register_all(Server& s);
void register_losant(Server& s);
void register_notehub(Server& s);
void register_thousandeyes(Server& s);
void register_koophone(Server& s);
void register_kakaocloud_bcs(Server& s);

// Demo credentials the simulator accepts (anything else is 401).
namespace creds {
inline constexpr const char* kLosantToken = "sim-losant-token";
inline constexpr const char* kNotehubToken = "sim-notehub-pat";
inline constexpr const char* kThousandEyesToken = "sim-thousandeyes-token";
inline constexpr const char* kHuaweiUser = "sim-user";
inline constexpr const char* kHuaweiPassword = "sim-huawei-password";
inline constexpr const char* kHuaweiDomain = "sim-domain";
inline constexpr const char* kKakaoCredentialId = "sim-kakao-id";
inline constexpr const char* kKakaoCredentialSecret = "sim-kakao-secret";
// Pre-issued tokens (the token-file auth mode) that never expire.
inline constexpr const char* kHuaweiStaticToken = "sim-huawei-static-token";
inline constexpr const char* kKakaoStaticToken = "sim-kakao-static-token";
}  // namespace creds

}  // namespace sim
