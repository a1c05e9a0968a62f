// sim::Server: vendor mounts, the request wrapper (count, latency, faults, auth), listen/stop.
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/vendor-sim/gzip_memo.h"
#include "tests/vendor-sim/sim_internal.h"

namespace sim {
namespace {

// Enough workers that hanging or dripping faults on one vendor never starve the others.
constexpr size_t kWorkerThreads = 128;

// The vendor whose mount "/<vendor>/..." a path is under, or "".
std::string vendor_of_path(const std::map<std::string, VendorSpec>& vendors,
                           const std::string& path) {
  for (const auto& [key, spec] : vendors) {
    const auto mount = "/" + key;
    if (path == mount || path.rfind(mount + "/", 0) == 0) return key;
  }
  return "";
}

}  // namespace

bool sleep_unless_stopping(const std::atomic<bool>& stopping, int ms) {
  using clock = std::chrono::steady_clock;
  const auto until = clock::now() + std::chrono::milliseconds(ms);
  while (!stopping.load()) {
    const auto now = clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(
        std::min<clock::duration>(until - now, std::chrono::milliseconds(50)));
  }
  return false;
}

std::optional<Fault> Server::State::take_fault(const std::string& vendor, const std::string& path) {
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (!it->vendor.empty() && it->vendor != vendor) continue;
    if (path.rfind(it->path_prefix, 0) != 0) continue;
    if (it->after > 0) {  // still letting requests through untouched
      --it->after;
      return std::nullopt;
    }
    Fault hit = *it;
    if (it->times > 0 && --it->times == 0) faults.erase(it);
    return hit;
  }
  return std::nullopt;
}

std::string Server::State::error_body(const std::string& vendor, int status,
                                      const std::string& message) const {
  ErrorBody render;
  {
    std::lock_guard lock(mu);
    auto it = vendors.find(vendor);
    if (it != vendors.end()) render = it->second.error_body;
  }
  if (render) return render(status, message);
  return Json{{"error", message}}.dump();
}

Server::Server(std::string fixtures_dir, std::map<std::string, VendorKnobs> knobs)
    : state_(std::make_shared<State>()) {
  state_->fixtures_dir = std::move(fixtures_dir);
  state_->knobs = std::move(knobs);
  init_http(std::make_unique<httplib::Server>());
}

Server::Server(std::string fixtures_dir, std::map<std::string, VendorKnobs> knobs,
               const TlsFiles& tls)
    : state_(std::make_shared<State>()) {
  state_->fixtures_dir = std::move(fixtures_dir);
  state_->knobs = std::move(knobs);
  auto https = std::make_unique<httplib::SSLServer>(tls.cert_file.c_str(), tls.key_file.c_str());
  if (!https->is_valid())
    throw std::runtime_error("cannot load TLS certificate '" + tls.cert_file + "' or key '" +
                             tls.key_file + "'");
  init_http(std::move(https));
}

Server::~Server() { stop(); }

void Server::init_http(std::unique_ptr<httplib::Server> http) {
  http_ = std::move(http);
  http_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  // Idle keep-alive connections hold a worker and delay stop(); keep them short.
  // Headers and body go out as separate writes; with Nagle each response waited for the
  // client's delayed ACK, about 40 ms a request that no real vendor adds.
  http_->set_tcp_nodelay(true);
  http_->set_keep_alive_timeout(2);
  http_->set_keep_alive_max_count(1000);

  auto state = state_;
  // A handler that throws becomes a 500 in the vendor's error format rather than a dropped reply.
  http_->set_exception_handler(
      [state](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::string vendor;
        {
          std::lock_guard lock(state->mu);
          vendor = vendor_of_path(state->vendors, req.path);
        }
        res.status = 500;
        res.set_content(state->error_body(vendor, 500, "simulator handler failed: " + what),
                        "application/json");
      });
  // Unknown paths under a vendor mount answer 404 in that vendor's error format.
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [state](const httplib::Request& req, httplib::Response& res) {
        if (!req.matches.empty() || res.status != 404 || !res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        std::string vendor;
        {
          std::lock_guard lock(state->mu);
          vendor = vendor_of_path(state->vendors, req.path);
        }
        res.set_content(state->error_body(vendor, 404, "no simulator route for " + req.path),
                        "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  register_control_api(*this, *http_);
}

void Server::add_vendor(VendorSpec spec) {
  std::lock_guard lock(state_->mu);
  auto key = spec.key;
  state_->vendors[key] = std::move(spec);
}

std::vector<std::string> Server::vendors() const {
  std::lock_guard lock(state_->mu);
  std::vector<std::string> keys;
  for (const auto& [key, spec] : state_->vendors) keys.push_back(key);
  return keys;
}

void Server::get(const std::string& vendor, const std::string& pattern, AuthCheck auth,
                 Handler handler) {
  route("GET", vendor, pattern, std::move(auth), std::move(handler));
}

void Server::post(const std::string& vendor, const std::string& pattern, AuthCheck auth,
                  Handler handler) {
  route("POST", vendor, pattern, std::move(auth), std::move(handler));
}

void Server::route(const std::string& method, const std::string& vendor, const std::string& pattern,
                   AuthCheck auth, Handler handler) {
  auto state = state_;
  auto wrapped = [state, vendor, auth = std::move(auth), handler = std::move(handler)](
                     const httplib::Request& req, httplib::Response& res) {
    const std::string path = req.path.substr(vendor.size() + 1);  // relative to "/<vendor>"
    VendorKnobs knobs;
    std::optional<Fault> fault;
    std::function<void(httplib::Response&)> decorate;
    {
      std::lock_guard lock(state->mu);
      ++state->total;
      ++state->by_vendor[vendor];
      ++state->by_route[req.method + " " + req.path];
      if (auto it = state->knobs.find(vendor); it != state->knobs.end()) knobs = it->second;
      if (auto it = state->vendors.find(vendor); it != state->vendors.end())
        decorate = it->second.decorate;
      fault = state->take_fault(vendor, path);
    }
    sleep_unless_stopping(*state->stopping, knobs.latency_ms);
    if (fault) sleep_unless_stopping(*state->stopping, fault->latency_ms);
    if (fault && fault->gate) fault->gate->arrive_and_wait(fault->concurrent, *state->stopping);

    const bool rejected = auth && !auth(req);
    if (rejected) {
      res.status = 401;
      res.set_content(state->error_body(vendor, 401, "invalid or missing credentials"),
                      "application/json");
    } else if (fault && fault->status != 0) {
      res.status = fault->status;
      if (fault->body.empty())
        res.set_content(state->error_body(vendor, fault->status, "injected fault"),
                        "application/json");
      else
        res.set_content(fault->body, "application/json");
    } else {
      handler(req, res);
    }
    if (fault && !rejected) {
      for (const auto& [name, value] : fault->headers) res.set_header(name, value);
      apply_body_mode(*fault, res, state->stopping);
    }
    if (decorate) decorate(res);
    serve_compressed_from_memo(req, res);
  };
  const auto full = "/" + vendor + pattern;
  if (method == "GET")
    http_->Get(full, wrapped);
  else
    http_->Post(full, wrapped);
}

VendorKnobs Server::knobs(const std::string& vendor) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->knobs.find(vendor);
  return it == state_->knobs.end() ? VendorKnobs{} : it->second;
}

void Server::set_knobs(const std::string& vendor, const VendorKnobs& knobs) {
  std::lock_guard lock(state_->mu);
  state_->knobs[vendor] = knobs;
}

Json Server::fixture(const std::string& vendor, const std::string& name) const {
  const auto path = state_->fixtures_dir + "/" + vendor + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Json::parse(text.str());
  } catch (const Json::exception& e) {
    throw std::runtime_error("fixture " + path + " is not valid JSON: " + e.what());
  }
}

void Server::error(const std::string& vendor, httplib::Response& res, int status,
                   const std::string& message) const {
  res.status = status;
  res.set_content(state_->error_body(vendor, status, message), "application/json");
}

void Server::add_fault(const Fault& fault) {
  if (fault.times == 0) return;  // a rule for zero requests never applies
  std::lock_guard lock(state_->mu);
  state_->faults.push_back(fault);
  if (fault.concurrent > 0) state_->faults.back().gate = std::make_shared<FaultGate>();
}

void FaultGate::arrive_and_wait(int needed, const std::atomic<bool>& stopping) {
  std::unique_lock lock(mu);
  ++arrived;
  cv.notify_all();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  // Short slices, so that a stopping server is not held up by a rendezvous that never fills.
  while (arrived < needed && !stopping.load() && std::chrono::steady_clock::now() < until)
    cv.wait_for(lock, std::chrono::milliseconds(50));
}

void Server::clear_faults() {
  std::lock_guard lock(state_->mu);
  state_->faults.clear();
}

std::vector<Fault> Server::faults() const {
  std::lock_guard lock(state_->mu);
  return state_->faults;
}

Json Server::stats() const {
  std::lock_guard lock(state_->mu);
  Json by_vendor = Json::object();
  for (const auto& [k, n] : state_->by_vendor) by_vendor[k] = n;
  Json by_route = Json::object();
  for (const auto& [k, n] : state_->by_route) by_route[k] = n;
  return Json{{"total", state_->total}, {"by_vendor", by_vendor}, {"by_route", by_route}};
}

void Server::reset_stats() {
  std::lock_guard lock(state_->mu);
  state_->total = 0;
  state_->by_vendor.clear();
  state_->by_route.clear();
}

bool Server::listen(const std::string& host, int port) {
  if (state_->thread.joinable()) return false;  // already serving
  *state_->stopping = false;
  if (port == 0) {
    port = http_->bind_to_any_port(host);
    if (port < 0) return false;
  } else if (!http_->bind_to_port(host, port)) {
    return false;
  }
  port_ = port;
  state_->thread = std::thread([http = http_.get()] { http->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so wait for it before returning.
  for (int i = 0; i < 5000 && !http_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return http_->is_running();
}

void Server::stop() {
  *state_->stopping = true;
  if (http_) http_->stop();
  if (state_->thread.joinable()) state_->thread.join();
}

}  // namespace sim
