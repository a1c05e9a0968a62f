// Every tests/configs/invalid/NAME.toml must fail to load with exactly the message in NAME.err.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "exporter/config/config.h"
#include "tests/unit/config_test_vendor.h"

namespace fue {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = "tests/configs/invalid";  // tests run from the repo root

std::string read_trimmed(const fs::path& p) {
  std::ifstream in(p);
  std::string s(std::istreambuf_iterator<char>(in), {});
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (entry.path().extension() == ".toml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class InvalidConfig : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    // The env cases rely on one unset and one empty variable.
    unsetenv("FUE_INVALID_TEST_UNSET");
    setenv("FUE_INVALID_TEST_EMPTY", "", 1);
  }
};

TEST_P(InvalidConfig, FailsWithTheExpectedMessage) {
  const fs::path toml = kDir / (GetParam() + ".toml");
  const fs::path err = kDir / (GetParam() + ".err");
  ASSERT_TRUE(fs::exists(err)) << err << " is missing";
  const std::string expected = read_trimmed(err);
  try {
    load_config(toml.string(), test::test_vendors());
    FAIL() << toml << " loaded without error";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Folder, InvalidConfig, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

TEST(InvalidConfigFolder, HasEnoughCasesAndNoStrayFiles) {
  EXPECT_GE(case_names().size(), 15u);
  for (const auto& entry : fs::directory_iterator(kDir)) {
    const fs::path& p = entry.path();
    EXPECT_TRUE(p.extension() == ".toml" || p.extension() == ".err") << p;
    if (p.extension() == ".err") {
      EXPECT_TRUE(fs::exists(fs::path(p).replace_extension(".toml"))) << p << " has no .toml";
    }
  }
}

}  // namespace
}  // namespace fue
