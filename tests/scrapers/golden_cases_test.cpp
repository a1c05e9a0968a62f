// json_exporter-style triples: every tests/golden/<vendor>/<case>/ holds config.toml, an optional
// served.json of responses to serve instead of the simulator's own, an optional knobs.json, and
// expected.prom. One parameterised test runs them all, so a new case needs no code.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "scrapers/registry.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> case_dirs() {
  std::vector<std::string> dirs;
  const fs::path root = fs::path(FUE_SOURCE_DIR) / "tests" / "golden";
  if (!fs::exists(root)) return dirs;
  for (const auto& vendor : fs::directory_iterator(root)) {
    if (!vendor.is_directory()) continue;
    for (const auto& c : fs::directory_iterator(vendor.path()))
      if (fs::exists(c.path() / "config.toml")) dirs.push_back(c.path().string());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// Golden cases are the same on any date: every vendor's simulated "now" is pinned to
// 2026-11-20T00:00:00Z (ThousandEyes' billing period 2026-11-05 to 2026-12-05) unless knobs.json
// says otherwise.
constexpr int64_t kGoldenNow = 1795132800;

std::map<std::string, sim::VendorKnobs> knobs_of(const fs::path& dir) {
  std::map<std::string, sim::VendorKnobs> knobs;
  for (const auto& vendor : builtin_vendors().all()) knobs[vendor.key].now_unix = kGoldenNow;
  if (!fs::exists(dir / "knobs.json")) return knobs;
  const auto j = nlohmann::json::parse(read_file((dir / "knobs.json").string()));
  for (const auto& [vendor, k] : j.items()) {
    sim::VendorKnobs v;
    v.now_unix = k.value("now_unix", kGoldenNow);
    v.fleet_size = k.value("fleet_size", v.fleet_size);
    v.seed = k.value("seed", v.seed);
    v.latency_ms = k.value("latency_ms", v.latency_ms);
    v.token_ttl_seconds = k.value("token_ttl_seconds", v.token_ttl_seconds);
    v.page_cap = k.value("page_cap", v.page_cap);
    v.fleet_drift = k.value("fleet_drift", v.fleet_drift);
    v.page_shift = k.value("page_shift", v.page_shift);
    knobs[vendor] = v;
  }
  return knobs;
}

// Each served.json entry answers requests under path_prefix with a body file from the case dir.
void serve_overrides(InProcessSim& sim, const fs::path& dir, const std::string& vendor) {
  if (!fs::exists(dir / "served.json")) return;
  const auto list = nlohmann::json::parse(read_file((dir / "served.json").string()));
  for (const auto& entry : list) {
    sim::Fault f;
    f.vendor = entry.value("vendor", vendor);
    f.path_prefix = entry.value("path_prefix", "");
    f.status = entry.value("status", 200);
    f.times = entry.value("times", -1);
    if (entry.contains("body_file"))
      f.body = read_file((dir / entry["body_file"].get<std::string>()).string());
    if (entry.contains("headers"))
      for (const auto& [k, v] : entry["headers"].items()) f.headers[k] = v.get<std::string>();
    sim.add_fault(f);
  }
}

// An optional expected_status file holds lines "<target name> up" or "<target name> down <text>",
// where <text> must appear in the target's last error.
void expect_statuses(const fs::path& dir, const CollectOutput& out) {
  if (!fs::exists(dir / "expected_status")) return;
  std::istringstream lines(read_file((dir / "expected_status").string()));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name, state, text;
    words >> name >> state;
    std::getline(words >> std::ws, text);
    if (name.empty()) continue;
    auto it = std::find_if(out.status.begin(), out.status.end(),
                           [&](const auto& s) { return s.name == name; });
    ASSERT_NE(it, out.status.end()) << "no target named " << name;
    EXPECT_EQ(it->up, state == "up") << name << ": " << it->last_error;
    if (!text.empty()) {
      EXPECT_NE(it->last_error.find(text), std::string::npos) << it->last_error;
    }
  }
}

class GoldenCase : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCase, MatchesExpectedExposition) {
  const fs::path dir = GetParam();
  const std::string vendor = dir.parent_path().filename().string();
  InProcessSim sim(knobs_of(dir));
  serve_overrides(sim, dir, vendor);
  const auto out = collect_with(sim, read_file((dir / "config.toml").string()));
  expect_golden(out.vendor_text, (dir / "expected.prom").string());
  if (!out.vendor_text.empty()) expect_promtool_ok(out.vendor_text);
  expect_promtool_ok(out.self_text);
  expect_statuses(dir, out);
}

INSTANTIATE_TEST_SUITE_P(Vendors, GoldenCase, ::testing::ValuesIn(case_dirs()),
                         [](const auto& info) {
                           const fs::path p(info.param);
                           std::string name =
                               p.parent_path().filename().string() + "_" + p.filename().string();
                           for (char& c : name)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenCase);

}  // namespace
}  // namespace fue::test
