// The configs the project ships must stay valid as the code changes.
#include <gtest/gtest.h>

#include <regex>

#include "exporter/config/config.h"
#include "scrapers/registry.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

TEST(ShippedConfigs, DemoConfigLoadsWithEveryVendor) {
  const auto config =
      load_config(std::string(FUE_SOURCE_DIR) + "/config/demo.toml", builtin_vendors());
  std::set<std::string> vendors;
  for (const auto& t : config.targets) vendors.insert(t.vendor);
  EXPECT_EQ(vendors.size(), builtin_vendors().all().size());
}

TEST(ShippedConfigs, ExampleConfigIsValidOnceItsSecretFilesExist) {
  // The example takes credentials from /run/secrets files and the environment; give them inline
  // values instead.
  std::string text = read_file(std::string(FUE_SOURCE_DIR) + "/config/example.toml");
  text = std::regex_replace(text, std::regex(R"((\w+)_file = "[^"]*")"), "$1 = \"example-secret\"");
  text = std::regex_replace(text, std::regex(R"((\w+)_env = "[^"]*")"), "$1 = \"example-secret\"");
  text = std::regex_replace(text, std::regex(R"(ca_file = "[^"]*")"), "");
  const auto config = parse_config(text, "config/example.toml", builtin_vendors());
  std::set<std::string> vendors;
  for (const auto& t : config.targets) vendors.insert(t.vendor);
  EXPECT_EQ(vendors.size(), builtin_vendors().all().size());
  ASSERT_EQ(config.modules.size(), 1u);  // the documented /probe module
  EXPECT_EQ(config.modules[0].vendor, "notehub");
}

}  // namespace
}  // namespace fue::test
