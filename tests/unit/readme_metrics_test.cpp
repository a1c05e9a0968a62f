// The metric reference (docs/metrics.md) is checked against what the code produces: every family in
// the golden expositions and the self-metrics must be documented, and every documented vendor
// metric must be produced by some golden case.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "exporter/engine/self_metrics.h"
#include "exporter/metrics/serializer.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

namespace fs = std::filesystem;
const std::regex kPrefixed(
    "(fleet_usage_exporter|fleet_usage(?!_exporter)|process|losant|notehub|thousandeyes|koophone|"
    "kakaocloud_bcs)_[a-z0-9_]"
    "+");

std::set<std::string> type_lines(const std::string& exposition) {
  std::set<std::string> names;
  const std::regex type("# TYPE ([a-z0-9_]+) ");
  for (auto it = std::sregex_iterator(exposition.begin(), exposition.end(), type);
       it != std::sregex_iterator(); ++it)
    names.insert((*it)[1]);
  return names;
}

std::set<std::string> produced() {
  std::set<std::string> names;
  for (const auto& text : produced_expositions())
    for (const auto& n : type_lines(text)) names.insert(n);
  return names;
}

std::set<std::string> documented() {
  const std::string ref = read_file(std::string(FUE_SOURCE_DIR) + "/docs/metrics.md");
  std::set<std::string> names;
  const std::regex code("`([a-z0-9_]+)`");
  for (auto it = std::sregex_iterator(ref.begin(), ref.end(), code); it != std::sregex_iterator();
       ++it) {
    const std::string n = (*it)[1];
    if (std::regex_match(n, kPrefixed)) names.insert(n);
  }
  return names;
}

TEST(ReadmeMetrics, EveryProducedMetricIsDocumented) {
  const auto docs = documented();
  for (const auto& n : produced())
    EXPECT_TRUE(docs.count(n)) << n << " is produced but not in docs/metrics.md";
}

TEST(ReadmeMetrics, EveryDocumentedMetricIsProduced) {
  const auto made = produced();
  for (const auto& n : documented())
    EXPECT_TRUE(made.count(n)) << n << " is in docs/metrics.md but no golden case produces it";
}

// HELP says what a family is in a line; docs/metrics.md says the rest. Every golden exposition
// (tests/golden/**/expected*.prom) and the self and process families stay within 120 characters
// (the demo's whole exposition, min_interval notes included, is checked by prometheus_scrape_test).
TEST(ReadmeMetrics, EveryHelpIsAtMost120Characters) {
  const std::regex help("# HELP ([a-zA-Z0-9_:]+) (.*)");
  size_t checked = 0;
  for (const auto& text : produced_expositions()) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (!std::regex_match(line, m, help)) continue;
      ++checked;
      EXPECT_LE(m[2].length(), 120)
          << m[1] << " has a HELP of " << m[2].length() << " characters: " << m[2];
    }
  }
  EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace fue::test
