#include "tests/support/harness.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "exporter/config/config.h"
#include "exporter/engine/self_metrics.h"
#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/serializer.h"
#include "exporter/spend/spend_metrics.h"
#include "scrapers/registry.h"
#include "tests/support/real_stack.h"

namespace fue::test {

InProcessSim::InProcessSim(std::map<std::string, sim::VendorKnobs> knobs)
    : server_(std::make_unique<sim::Server>(FUE_FIXTURES_DIR, std::move(knobs))) {
  sim::register_all(*server_);
  if (!server_->listen("127.0.0.1", 0))
    throw std::runtime_error("vendor simulator could not listen");
}

InProcessSim::~InProcessSim() { server_->stop(); }

int InProcessSim::port() const { return server_->bound_port(); }
std::string InProcessSim::base() const { return "http://127.0.0.1:" + std::to_string(port()); }
std::string InProcessSim::url(const std::string& vendor) const { return base() + "/" + vendor; }

int InProcessSim::requests(const std::string& vendor) const {
  const auto s = server_->stats();
  if (!s.contains("by_vendor") || !s["by_vendor"].contains(vendor)) return 0;
  return s["by_vendor"][vendor].get<int>();
}

int InProcessSim::route_requests(const std::string& route) const {
  const auto s = server_->stats();
  return s["by_route"].contains(route) ? s["by_route"][route].get<int>() : 0;
}

namespace {

// The test config pointed at `sim`. Instrumented builds (scripts/sanitize) run slower: their
// target timeouts stretch by time_scale().
std::shared_ptr<ExporterConfig> test_config(InProcessSim& sim, const std::string& config_text) {
  auto config = std::make_shared<ExporterConfig>(
      parse_config(substitute(config_text, sim.base()), "test.toml", builtin_vendors()));
  for (auto& t : config->targets)
    t.timeout =
        Duration(static_cast<Duration::rep>(static_cast<double>(t.timeout.count()) * time_scale()));
  return config;
}

}  // namespace

TestExporter::TestExporter(InProcessSim& sim, const std::string& config_text)
    : self(std::make_shared<SelfMetrics>()), engine(builtin_vendors(), self) {
  engine.apply(test_config(sim, config_text));
}

std::string substitute(std::string text, const std::string& sim_base) {
  const std::string placeholder = "{{SIM}}";
  for (size_t pos = text.find(placeholder); pos != std::string::npos;
       pos = text.find(placeholder, pos))
    text.replace(pos, placeholder.size(), sim_base);
  return text;
}

CollectOutput collect_with(InProcessSim& sim, const std::string& config_text) {
  auto config = test_config(sim, config_text);
  auto self = std::make_shared<SelfMetrics>();
  Engine engine(builtin_vendors(), self);
  engine.apply(config);
  auto result = engine.collect_all(std::nullopt);
  CollectOutput out;
  serialize_text(result.metrics, out.vendor_text);
  serialize_text(self->collect(), out.self_text);
  out.all_up = result.all_up;
  out.status = engine.status();
  return out;
}

std::string collect_once(const std::string& config_text) {
  InProcessSim sim;
  return collect_with(sim, config_text).vendor_text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::string text;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, n);
  const int status = pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void expect_golden(const std::string& text, const std::string& golden_path) {
  if (const char* update = std::getenv("UPDATE_GOLDEN"); update && std::string(update) == "1") {
    write_file(golden_path, text);
    return;
  }
  if (!std::filesystem::exists(golden_path)) {
    ADD_FAILURE() << "missing golden file " << golden_path
                  << " (run with UPDATE_GOLDEN=1 to create it)";
    return;
  }
  EXPECT_EQ(read_file(golden_path), text)
      << "exposition differs from " << golden_path << " (UPDATE_GOLDEN=1 rewrites it after review)";
}

void expect_promtool_ok(const std::string& exposition) {
  char path[] = "/tmp/fue-promtool-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  write_file(path, exposition);
  std::string output;
  const int rc = run_command(std::string("promtool check metrics < ") + path, &output);
  std::remove(path);
  EXPECT_EQ(rc, 0) << "promtool check metrics failed:\n" << output;
}

std::vector<std::string> produced_expositions() {
  std::vector<std::string> texts;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(FUE_SOURCE_DIR) + "/tests/golden"))
    if (const auto name = entry.path().filename().string();
        name.starts_with("expected") && name.ends_with(".prom"))
      texts.push_back(read_file(entry.path().string()));
  SelfMetrics self;
  self.register_target("losant", "t");
  // Request and partial-error series appear once something happened; make it happen.
  self.observer("losant", "t")->on_request("usage", "200", 0.1);
  self.record_partial_error("losant", "t", "instance_http_404");
  self.record_listings("losant", "t", {{"historical_summaries", {5, 5}}});
  std::string text;
  serialize_text(self.collect(), text);
  texts.push_back(std::move(text));
  std::string process;  // the process_* families /metrics adds
  serialize_text(collect_process_metrics(), process);
  texts.push_back(std::move(process));
  std::string spend;  // the spend families of the demo's prices, at a pinned instant
  serialize_text(spend_metrics(load_config(std::string(FUE_SOURCE_DIR) + "/config/demo.toml",
                                           builtin_vendors()),
                               1795161600),
                 spend);
  texts.push_back(std::move(spend));
  return texts;
}

}  // namespace fue::test
