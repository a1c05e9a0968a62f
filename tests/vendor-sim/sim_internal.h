#pragma once
// Pieces of the simulator core shared between its .cpp files; vendor files use only sim.h.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/vendor-sim/sim.h"

namespace sim {

// Where the requests of one `concurrent` fault rule wait for each other.
struct FaultGate {
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  // Counts this request in and waits (at most 5 s, or until the server stops) for `needed`.
  void arrive_and_wait(int needed, const std::atomic<bool>& stopping);
};

struct Server::State {
  std::string fixtures_dir;

  mutable std::mutex mu;  // guards everything below except `stopping` and `thread`
  std::map<std::string, VendorKnobs> knobs;
  std::map<std::string, VendorSpec> vendors;
  std::vector<Fault> faults;
  uint64_t total = 0;
  std::map<std::string, uint64_t> by_vendor;
  std::map<std::string, uint64_t> by_route;

  // Set by stop(): sleeping faults (latency, hang, drip) give up so the pool can be joined.
  // Shared so that streaming content providers can hold it without reaching into State.
  std::shared_ptr<std::atomic<bool>> stopping = std::make_shared<std::atomic<bool>>(false);
  std::thread thread;

  // The first fault matching (vendor, path relative to the mount); counts down its `times`.
  std::optional<Fault> take_fault(const std::string& vendor, const std::string& path);
  std::string error_body(const std::string& vendor, int status, const std::string& message) const;
};

// Sleeps `ms` in short slices; returns false (early) once `stopping` is set.
bool sleep_unless_stopping(const std::atomic<bool>& stopping, int ms);

// Rewrites the response body as the fault's body_mode asks (see Fault::body_mode). Streaming
// modes install a content provider that gives up once `*stopping` is set.
void apply_body_mode(const Fault& fault, httplib::Response& res,
                     const std::shared_ptr<std::atomic<bool>>& stopping);

// The JSON mutations behind "wrong_types" and "extra_fields", exposed for reuse.
Json with_wrong_types(const Json& j, int depth = 0);
Json with_extra_fields(const Json& j);

// POST/DELETE/GET /_sim/... on the server's own httplib instance.
void register_control_api(Server& server, httplib::Server& http);

}  // namespace sim
