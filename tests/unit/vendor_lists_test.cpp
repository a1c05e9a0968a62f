// scrapers/registry.cpp is the one list of vendors. Everything else that must cover every vendor
// (the fault matrix, fuzzing, the secret scan, the simulator, the docs, the chart, the dashboards
// and alerts) is checked against it here, so a new vendor cannot silently miss one of them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "scrapers/registry.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

namespace fs = std::filesystem;

std::string source(const std::string& relative) {
  return std::string(FUE_SOURCE_DIR) + "/" + relative;
}

std::vector<std::string> vendor_keys() {
  std::vector<std::string> keys;
  for (const auto& v : builtin_vendors().all()) keys.push_back(v.key);
  return keys;
}

// Files that name every vendor key (a list, a table or a regex of them).
const std::vector<std::string> kFilesNamingEveryVendor = {
    "tests/e2e/fault_matrix_test.cpp",     // every vendor's fault cells
    "tests/e2e/secret_scan_test.cpp",      // every vendor's credentials kept out of outputs
    "tests/fuzz/fuzz_targets.h",           // a fuzz target per vendor parser
    "tests/fuzz/build_corpus.py",          // and its seed corpus
    "tests/unit/readme_metrics_test.cpp",  // the metric prefixes the docs are checked for
    "tests/vendor-sim/vendors.cpp",        // the simulator speaks every vendor
    "helm/fleet-usage-exporter/values.schema.json",  // the chart's config tables
    "helm/fleet-usage-exporter/values.yaml",
    "dashboards/generate.py",  // a dashboard per vendor
    "dashboards/alerts/fleet-usage-exporter.rules.yml",
    "config/example.toml",    // an annotated table per vendor
    "docs/metrics.md",        // its metric reference
    "docs/configuration.md",  // its config reference
};

TEST(VendorLists, EveryPlaceThatListsVendorsNamesEveryRegisteredVendor) {
  const auto keys = vendor_keys();
  ASSERT_EQ(keys.size(), 5u) << "update the expected count with the registry";
  for (const auto& file : kFilesNamingEveryVendor) {
    const std::string text = read_file(source(file));
    ASSERT_FALSE(text.empty()) << file << " is missing or empty";
    for (const auto& key : keys)
      EXPECT_NE(text.find(key), std::string::npos)
          << file << " does not name the vendor \"" << key << "\" (scrapers/registry.cpp)";
  }
}

TEST(VendorLists, EveryVendorHasItsFolderFixturesGoldenCasesAndDashboard) {
  for (const auto& key : vendor_keys()) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(fs::is_directory(source("scrapers/" + key)));
    EXPECT_TRUE(fs::is_directory(source("tests/fixtures/" + key)));
    EXPECT_TRUE(fs::is_directory(source("tests/golden/" + key)));
    EXPECT_TRUE(fs::exists(source("dashboards/" + key + ".json")));
    EXPECT_NE(read_file(source("config/example.toml")).find("[[" + key + "]]"), std::string::npos);
  }
}

// One file scheme in every vendor folder (CONTRIBUTING.md "Adding a vendor"): <key>_<role> with an
// optional _<detail>, and the roles every vendor has. Model and history are there where the vendor
// has one.
TEST(VendorLists, EveryVendorFolderFollowsOneFileScheme) {
  for (const auto& key : vendor_keys()) {
    SCOPED_TRACE(key);
    const std::regex scheme(key + "_(vendor|settings|scraper|parse|model|metrics|errors|history)" +
                            "(_[a-z0-9_]+)?\\.(h|cpp)");
    for (const auto& entry : fs::directory_iterator(source("scrapers/" + key))) {
      const std::string name = entry.path().filename().string();
      EXPECT_TRUE(std::regex_match(name, scheme))
          << "scrapers/" << key << "/" << name << " is outside the <key>_<role> scheme";
    }
    EXPECT_TRUE(fs::exists(source("scrapers/" + key + "/" + key + "_vendor.cpp")));
    for (const std::string role : {"settings", "scraper", "parse", "metrics", "errors"})
      for (const std::string ext : {".h", ".cpp"})
        EXPECT_TRUE(fs::exists(source("scrapers/" + key + "/" + key + "_" + role + ext)))
            << key << "_" << role << ext << " is missing";
  }
}

// Vendor code names metric groups and error reasons by constants (<key>_settings.h,
// exporter/core/reasons.h): a literal would compile with a typo and never match.
TEST(VendorLists, GroupsAndReasonsAreNamedByConstants) {
  const std::regex literal_group(R"(group_enabled\(")");
  const std::regex literal_reason(R"((ScrapeError|partial_error)\("[a-z_0-9]+")");
  for (const std::string root : {"scrapers", "exporter"}) {
    for (const auto& entry : fs::recursive_directory_iterator(source(root))) {
      if (!entry.is_regular_file()) continue;
      const std::string text = read_file(entry.path().string());
      const std::string name = entry.path().lexically_relative(source("")).string();
      EXPECT_FALSE(std::regex_search(text, literal_group)) << name << ": group_enabled(\"...\")";
      EXPECT_FALSE(std::regex_search(text, literal_reason)) << name << ": a reason literal";
    }
  }
}

// A built-in vendor is never half filled: it reads its settings, builds its scraper and installs
// its credentials through the descriptor, the one place the engine and the backfill look.
TEST(VendorLists, EveryBuiltinDescriptorIsComplete) {
  for (const auto& v : builtin_vendors().all()) {
    SCOPED_TRACE(v.key);
    EXPECT_TRUE(v.parse_settings);
    EXPECT_TRUE(v.create);
    EXPECT_TRUE(v.authenticator);
    EXPECT_FALSE(v.groups.empty());
    EXPECT_FALSE(v.display_name.empty());
  }
}

// The groups a vendor's settings header names are the groups its descriptor declares: a constant
// the registry does not know would be a group no config can enable.
TEST(VendorLists, GroupConstantsAreTheDescriptorsGroups) {
  const std::regex constant(R"re(inline constexpr const char\* k\w+Group = "(\w+)")re");
  for (const auto& v : builtin_vendors().all()) {
    SCOPED_TRACE(v.key);
    const std::string text = read_file(source("scrapers/" + v.key + "/" + v.key + "_settings.h"));
    std::set<std::string> named, declared;
    for (std::sregex_iterator it(text.begin(), text.end(), constant), end; it != end; ++it)
      named.insert((*it)[1].str());
    for (const auto& g : v.groups) declared.insert(g.name);
    EXPECT_EQ(named, declared);
  }
}

// The reverse: a vendor folder, fixture set or golden set that the registry does not know is a
// vendor half added or half removed.
TEST(VendorLists, NoFolderNamesAnUnregisteredVendor) {
  const auto keys = vendor_keys();
  for (const std::string root : {"scrapers", "tests/fixtures", "tests/golden"}) {
    for (const auto& entry : fs::directory_iterator(source(root))) {
      if (!entry.is_directory()) continue;
      const std::string name = entry.path().filename().string();
      EXPECT_NE(std::find(keys.begin(), keys.end(), name), keys.end())
          << root << "/" << name << " is not a registered vendor";
    }
  }
}

}  // namespace
}  // namespace fue::test
