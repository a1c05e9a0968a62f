#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exporter/engine/engine.h"
#include "tests/vendor-sim/sim.h"

namespace fue::test {

// The vendor simulator with every vendor's routes, in-process on a free loopback port.
class InProcessSim {
 public:
  explicit InProcessSim(std::map<std::string, sim::VendorKnobs> knobs = {});
  ~InProcessSim();
  InProcessSim(const InProcessSim&) = delete;
  InProcessSim& operator=(const InProcessSim&) = delete;

  std::string base() const;                          // "http://127.0.0.1:PORT"
  std::string url(const std::string& vendor) const;  // base() + "/" + vendor
  int port() const;
  sim::Server& server() { return *server_; }
  void add_fault(const sim::Fault& fault) { server_->add_fault(fault); }
  void clear_faults() { server_->clear_faults(); }
  nlohmann::json stats() const { return server_->stats(); }
  // Requests the simulator received for one vendor since the last reset.
  int requests(const std::string& vendor) const;
  // Requests one route received, e.g. "GET /koophone/v1/instances/batch-query".
  int route_requests(const std::string& route) const;

 private:
  std::unique_ptr<sim::Server> server_;
};

// Simulator knobs for a fleet of `size` devices, instances or tests.
inline sim::VendorKnobs fleet_knobs(int size) {
  sim::VendorKnobs k;
  k.fleet_size = size;
  return k;
}

// One long-lived engine on a config, as in the running exporter: clients and tokens survive
// between collections, so tests can count token exchanges and cache behaviour.
struct TestExporter {
  TestExporter(InProcessSim& sim, const std::string& config_text);
  Engine::Result collect() { return engine.collect_all(std::nullopt); }
  std::string last_error() { return engine.status().at(0).last_error; }
  std::shared_ptr<SelfMetrics> self;
  Engine engine;
};

// Replaces every "{{SIM}}" in a config text with the simulator's base URL.
std::string substitute(std::string text, const std::string& sim_base);

struct CollectOutput {
  std::string vendor_text;  // the vendor families, as served on /metrics
  std::string self_text;    // the fleet_usage_exporter_ families
  bool all_up = false;
  std::vector<TargetStatus> status;
};

// Parses `config_text` ({{SIM}} substituted) with the built-in vendors and collects every target
// once through the real Engine against `sim`.
CollectOutput collect_with(InProcessSim& sim, const std::string& config_text);
// The same against a fresh simulator with default knobs; returns the vendor families' text.
std::string collect_once(const std::string& config_text);

// Compares `text` with the golden file; UPDATE_GOLDEN=1 in the environment rewrites it instead.
void expect_golden(const std::string& text, const std::string& golden_path);
// Runs `promtool check metrics` on the exposition and fails the test with its output on a problem.
void expect_promtool_ok(const std::string& exposition);

// Every exposition the exporter is known to produce: each golden case's expected.prom, and the
// self-metrics with every family present. Tests of the README and dashboards check names in them.
std::vector<std::string> produced_expositions();

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
// Runs a shell command, returning its exit code and combined output.
int run_command(const std::string& command, std::string* output);

}  // namespace fue::test
