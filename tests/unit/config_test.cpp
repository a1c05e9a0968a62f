#include "exporter/config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "exporter/core/log.h"
#include "tests/unit/config_test_vendor.h"

namespace fue {
namespace {

using config::ConfigError;
using namespace std::chrono_literals;

ExporterConfig parse(const std::string& text) {
  return parse_config(text, "test.toml", test::test_vendors());
}

// The message of the ConfigError that parsing `text` throws, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const test::TestVendorSettings& settings_of(const TargetConfig& t) {
  return dynamic_cast<const test::TestVendorSettings&>(*t.settings);
}

TEST(ConfigDefaults, MinimalTargetGetsDocumentedDefaults) {
  ExporterConfig c = parse("[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n");
  EXPECT_EQ(c.file, "test.toml");
  EXPECT_EQ(c.global.max_concurrent_targets, 8);
  EXPECT_EQ(c.global.scrape_timeout_offset, 500ms);
  EXPECT_EQ(c.global.default_timeout, 8s);
  EXPECT_EQ(c.global.user_agent, "");
  ASSERT_EQ(c.targets.size(), 1u);
  const TargetConfig& t = c.targets[0];
  EXPECT_EQ(t.vendor, "testvendor");
  EXPECT_EQ(t.name, "a");
  EXPECT_EQ(t.id(), "testvendor/a");
  EXPECT_EQ(t.line, 1);
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.base_url, "https://api.testvendor.example/v1");
  EXPECT_EQ(t.timeout, 8s);
  EXPECT_EQ(t.min_interval, 0ms);
  EXPECT_EQ(t.groups, (std::set<std::string, std::less<>>{"devices", "usage"}));
  EXPECT_FALSE(t.group_enabled("billing"));
  EXPECT_TRUE(t.per_resource_series);
  EXPECT_EQ(t.max_resources, 5000u);
  EXPECT_EQ(t.http.ca_file, "");
  EXPECT_FALSE(t.http.insecure_skip_verify);
  EXPECT_EQ(t.http.proxy_url, "");
  EXPECT_EQ(t.http.max_response_bytes, 64u << 20);
  EXPECT_EQ(t.http.max_attempts, 3);
  EXPECT_EQ(t.http.concurrency, 4);
  EXPECT_EQ(settings_of(t).mode, "full");
  EXPECT_TRUE(settings_of(t).projects.empty());
  EXPECT_TRUE(settings_of(t).client_secret.empty());
}

TEST(ConfigDefaults, EmptyFileHasNoTargets) {
  ExporterConfig c = parse("");
  EXPECT_TRUE(c.targets.empty());
  EXPECT_EQ(c.global.max_concurrent_targets, 8);
}

TEST(ConfigDefaults, GlobalDefaultTimeoutAppliesToTargetsWithoutTheirOwn) {
  ExporterConfig c = parse(
      "[global]\ndefault_timeout = \"3s\"\n"
      "[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n"
      "[[testvendor]]\nname = \"b\"\ntoken = \"tok-inline-1111\"\ntimeout = 12\n");
  EXPECT_EQ(c.targets[0].timeout, 3s);
  EXPECT_EQ(c.targets[1].timeout, 12s);
  EXPECT_EQ(c.targets[1].line, 6);
}

TEST(ConfigFile, FullFileSetsEveryKey) {
  ExporterConfig c = load_config("tests/configs/valid/full.toml", test::test_vendors());
  EXPECT_EQ(c.global.max_concurrent_targets, 16);
  EXPECT_EQ(c.global.scrape_timeout_offset, 250ms);
  EXPECT_EQ(c.global.default_timeout, 20s);
  EXPECT_EQ(c.global.user_agent, "fue-test/1.0");
  ASSERT_EQ(c.targets.size(), 3u);
  const TargetConfig& t = c.targets[0];
  EXPECT_EQ(t.name, "prod-eu.1");
  EXPECT_EQ(t.line, 8);
  EXPECT_FALSE(t.enabled);
  EXPECT_EQ(t.base_url, "https://eu.testvendor.example/api");
  EXPECT_EQ(t.timeout, 90s);
  EXPECT_EQ(t.min_interval, 5min);
  EXPECT_EQ(t.groups, (std::set<std::string, std::less<>>{"billing", "usage"}));
  EXPECT_FALSE(t.per_resource_series);
  EXPECT_EQ(t.max_resources, 100u);
  EXPECT_EQ(t.http.ca_file, "tests/configs/valid/ca.pem");
  EXPECT_TRUE(t.http.insecure_skip_verify);
  EXPECT_EQ(t.http.proxy_url, "http://proxyuser:proxy-pass-9c1e@proxy.example:3128");
  EXPECT_EQ(t.http.max_response_bytes, 2048u);
  EXPECT_EQ(t.http.max_attempts, 5);
  EXPECT_EQ(t.http.concurrency, 8);
  EXPECT_EQ(settings_of(t).token.reveal(), "tok-from-file-7f3a");
  EXPECT_EQ(settings_of(t).projects, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(settings_of(t).mode, "fast");
  EXPECT_EQ(c.targets[1].timeout, 20s);  // from [global]
  EXPECT_EQ(c.targets[2].vendor, "othervendor");
  EXPECT_EQ(c.targets[2].base_url, "http://other.example");
  EXPECT_EQ(c.targets[2].settings, nullptr);
}

TEST(ConfigFile, SummaryShowsKeysButNoSecrets) {
  ExporterConfig c = load_config("tests/configs/valid/full.toml", test::test_vendors());
  std::string s = c.summary();
  EXPECT_NE(s.find("max_concurrent_targets = 16"), std::string::npos) << s;
  EXPECT_NE(s.find("[[testvendor]]  # line 8, disabled"), std::string::npos) << s;
  EXPECT_NE(s.find("timeout = \"1m30s\""), std::string::npos) << s;
  EXPECT_NE(s.find("metric_groups = [\"billing\", \"usage\"]"), std::string::npos) << s;
  EXPECT_NE(s.find("token = <secret from file tests/configs/valid/token.txt>"), std::string::npos)
      << s;
  EXPECT_NE(s.find("token = <secret from inline>"), std::string::npos) << s;
  EXPECT_NE(s.find("proxy_url = \"http://proxyuser:<redacted>@proxy.example:3128\""),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("[[othervendor]]"), std::string::npos) << s;
  EXPECT_EQ(s.find("tok-from-file-7f3a"), std::string::npos) << s;
  EXPECT_EQ(s.find("tok-inline-55aa"), std::string::npos) << s;
  EXPECT_EQ(s.find("proxy-pass-9c1e"), std::string::npos) << s;
}

TEST(ConfigFile, MissingFileNamesThePath) {
  try {
    load_config("tests/configs/no-such-config.toml", test::test_vendors());
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "tests/configs/no-such-config.toml: cannot read config file: No such file or "
                 "directory");
  }
}

TEST(Durations, ParsesUnitsAndCombinations) {
  struct Case {
    const char* text;
    Duration want;
  } cases[] = {{"500ms", 500ms}, {"10s", 10s},      {"5m", 5min},       {"1h", 1h},
               {"1h30m", 90min}, {"1m30s", 90s},    {"1.5s", 1500ms},   {"0", 0ms},
               {"0s", 0ms},      {"2h0m1s", 7201s}, {"1s250ms", 1250ms}};
  for (const auto& c : cases) {
    Duration d{-1};
    EXPECT_TRUE(config::parse_duration(c.text, d)) << c.text;
    EXPECT_EQ(d, c.want) << c.text;
  }
}

TEST(Durations, RejectsGarbage) {
  for (const char* text : {"", "10", "-5s", "5 s", "s", "10x", "1.s", ".5s", "1..5s", "5sm",
                           "ten seconds", "1h30", "+1s"}) {
    Duration d;
    EXPECT_FALSE(config::parse_duration(text, d)) << "'" << text << "'";
  }
}

TEST(Durations, FormatRoundTrips) {
  for (Duration d : {0ms, 1ms, 500ms, 1000ms, 1500ms, 90000ms, 3600000ms, 5430250ms}) {
    Duration back{-1};
    std::string text = config::format_duration(d);
    ASSERT_TRUE(config::parse_duration(text, back)) << text;
    EXPECT_EQ(back, d) << text;
  }
  EXPECT_EQ(config::format_duration(90min), "1h30m");
  EXPECT_EQ(config::format_duration(500ms), "500ms");
  EXPECT_EQ(config::format_duration(1500ms), "1.5s");
}

TEST(Durations, NumbersAreSeconds) {
  std::string base = "[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n";
  EXPECT_EQ(parse(base + "timeout = 2.5\n").targets[0].timeout, 2500ms);
  EXPECT_EQ(parse(base + "min_interval = 60\n").targets[0].min_interval, 60s);
  EXPECT_EQ(error_of(base + "min_interval = -1\n"),
            "test.toml:4: testvendor[0].min_interval: a duration in seconds must be a "
            "non-negative number");
  EXPECT_EQ(error_of(base + "timeout = true\n"),
            "test.toml:4: testvendor[0].timeout: expected a duration such as \"10s\", got "
            "boolean");
  EXPECT_EQ(error_of(base + "timeout = \"0s\"\n"),
            "test.toml:4: testvendor[0].timeout: must be greater than 0 and at most 5m, got 0s");
  EXPECT_EQ(error_of(base + "timeout = \"6m\"\n"),
            "test.toml:4: testvendor[0].timeout: must be greater than 0 and at most 5m, got 6m");
}

class SecretTest : public ::testing::Test {
 protected:
  const std::string head = "[[testvendor]]\nname = \"a\"\n";
  void SetUp() override {
    setenv("FUE_CONFIG_TEST_TOKEN", "tok-env-3c9d", 1);
    setenv("FUE_CONFIG_TEST_EMPTY", "", 1);
    unsetenv("FUE_CONFIG_TEST_UNSET");
  }
  void TearDown() override {
    unsetenv("FUE_CONFIG_TEST_TOKEN");
    unsetenv("FUE_CONFIG_TEST_EMPTY");
  }
};

TEST_F(SecretTest, InlineFileAndEnvFormsAndTheirOrigins) {
  auto inline_t = parse(head + "token = \"tok-inline-1111\"\n").targets[0];
  EXPECT_EQ(settings_of(inline_t).token.reveal(), "tok-inline-1111");
  EXPECT_EQ(settings_of(inline_t).token.source(), Secret::Source::kInline);
  EXPECT_EQ(settings_of(inline_t).token.origin(), "inline");

  auto file_t = parse(head + "token_file = \"tests/configs/valid/token.txt\"\n").targets[0];
  EXPECT_EQ(settings_of(file_t).token.reveal(), "tok-from-file-7f3a");  // newlines trimmed
  EXPECT_EQ(settings_of(file_t).token.source(), Secret::Source::kFile);
  EXPECT_EQ(settings_of(file_t).token.origin(), "file tests/configs/valid/token.txt");

  auto env_t = parse(head + "token_env = \"FUE_CONFIG_TEST_TOKEN\"\n").targets[0];
  EXPECT_EQ(settings_of(env_t).token.reveal(), "tok-env-3c9d");
  EXPECT_EQ(settings_of(env_t).token.source(), Secret::Source::kEnv);
  EXPECT_EQ(settings_of(env_t).token.origin(), "env FUE_CONFIG_TEST_TOKEN");
}

TEST_F(SecretTest, OptionalSecretMayBeAbsentButRequiredMayNot) {
  auto t = parse(head + "token = \"tok-inline-1111\"\n").targets[0];
  EXPECT_TRUE(settings_of(t).client_secret.empty());
  EXPECT_EQ(settings_of(t).client_secret.redacted(), "<unset>");
  EXPECT_EQ(error_of(head),
            "test.toml:1: testvendor[0].token: missing required credential: set one of token, "
            "token_file or token_env");
}

TEST_F(SecretTest, TwoFormsAreAnErrorThatDoesNotShowTheValue) {
  std::string e =
      error_of(head + "token = \"tok-inline-1111\"\ntoken_env = \"FUE_CONFIG_TEST_TOKEN\"\n");
  EXPECT_EQ(e,
            "test.toml:4: testvendor[0].token_env: set only one of token, token_file or token_env "
            "(token is also set)");
  EXPECT_EQ(e.find("tok-inline-1111"), std::string::npos);
}

TEST_F(SecretTest, MissingFileNamesThePath) {
  EXPECT_EQ(error_of(head + "token_file = \"tests/configs/valid/absent.txt\"\n"),
            "test.toml:3: testvendor[0].token_file: cannot read secret file "
            "\"tests/configs/valid/absent.txt\": No such file or directory");
  EXPECT_EQ(error_of(head + "token_file = \"tests/configs/valid\"\n"),
            "test.toml:3: testvendor[0].token_file: cannot read secret file "
            "\"tests/configs/valid\": Is a directory");
}

TEST_F(SecretTest, UnsetOrEmptyEnvNamesTheVariable) {
  EXPECT_EQ(error_of(head + "token_env = \"FUE_CONFIG_TEST_UNSET\"\n"),
            "test.toml:3: testvendor[0].token_env: environment variable FUE_CONFIG_TEST_UNSET is "
            "not set");
  EXPECT_EQ(error_of(head + "token_env = \"FUE_CONFIG_TEST_EMPTY\"\n"),
            "test.toml:3: testvendor[0].token_env: environment variable FUE_CONFIG_TEST_EMPTY is "
            "empty");
}

TEST_F(SecretTest, LaterErrorsInTheSameTargetDoNotShowLoadedSecrets) {
  for (const std::string& form : {std::string("token = \"tok-inline-1111\""),
                                  std::string("token_env = \"FUE_CONFIG_TEST_TOKEN\""),
                                  std::string("token_file = \"tests/configs/valid/token.txt\"")}) {
    std::string e = error_of(head + form + "\nmode = \"slow\"\n");
    EXPECT_EQ(e,
              "test.toml:4: testvendor[0].mode: must be one of \"fast\", \"full\", got \"slow\"");
    e = error_of(head + form + "\ntokens = 1\n");
    EXPECT_NE(e.find("testvendor[0].tokens: unknown key"), std::string::npos) << e;
    for (const char* value : {"tok-inline-1111", "tok-env-3c9d", "tok-from-file-7f3a"}) {
      EXPECT_EQ(e.find(value), std::string::npos) << e;
    }
  }
}

TEST_F(SecretTest, LoadedSecretsAreMaskedInLogs) {
  parse(head + "token_env = \"FUE_CONFIG_TEST_TOKEN\"\n");
  ::testing::internal::CaptureStderr();
  log::error("leak check", {{"value", "prefix tok-env-3c9d suffix"}});
  std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(logged.find("tok-env-3c9d"), std::string::npos) << logged;
  EXPECT_NE(logged.find("<redacted>"), std::string::npos) << logged;
}

TEST(ConfigErrors, UnknownKeyListsTheValidOnes) {
  EXPECT_EQ(
      error_of("[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n\ntimout = \"5s\"\n"),
      "test.toml:5: testvendor[0].timout: unknown key; valid keys here are: base_url, ca_file, "
      "client_secret, client_secret_env, client_secret_file, concurrency, enabled, "
      "insecure_skip_verify, max_attempts, max_resources, max_response_bytes, metric_groups, "
      "min_interval, mode, name, per_resource_series, projects, proxy_url, timeout, token, "
      "token_env, token_file");
  EXPECT_EQ(error_of("[global]\nworkers = 3\n"),
            "test.toml:2: global.workers: unknown key; valid keys here are: default_timeout, "
            "max_concurrent_targets, scrape_timeout_offset, user_agent");
}

TEST(ConfigErrors, PlaceholderVendorAcceptsOnlyCommonKeys) {
  EXPECT_EQ(error_of("[[othervendor]]\nname = \"x\"\ntoken = \"tok-inline-1111\"\n")
                .rfind("test.toml:3: othervendor[0].token: unknown key", 0),
            0u);
}

TEST(ConfigErrors, UnknownTopLevelSectionListsVendors) {
  EXPECT_EQ(error_of("[[losant]]\nname = \"a\"\n"),
            "test.toml:1: losant: unknown vendor or section; valid ones are: global, testvendor, "
            "othervendor, module, price");
}

TEST(ConfigErrors, TableInsteadOfArrayOfTablesSuggestsTheFix) {
  EXPECT_EQ(error_of("[testvendor]\nname = \"a\"\n"),
            "test.toml:1: testvendor: expected an array of tables: write [[testvendor]] (one per "
            "entry), not [testvendor]");
}

TEST(ConfigErrors, WrongTypesNameTheExpectedAndActualType) {
  std::string base = "[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n";
  EXPECT_EQ(error_of(base + "enabled = \"yes\"\n"),
            "test.toml:4: testvendor[0].enabled: expected a boolean, got string");
  EXPECT_EQ(error_of(base + "max_attempts = 2.0\n"),
            "test.toml:4: testvendor[0].max_attempts: expected an integer, got floating-point "
            "number");
  EXPECT_EQ(error_of(base + "projects = \"alpha\"\n"),
            "test.toml:4: testvendor[0].projects: expected an array of strings, got string");
  EXPECT_EQ(error_of(base + "projects = [\"alpha\",\n  7]\n"),
            "test.toml:5: testvendor[0].projects[1]: expected a string, got integer");
  EXPECT_EQ(error_of("[[testvendor]]\nname = 7\n"),
            "test.toml:2: testvendor[0].name: expected a string, got integer");
  EXPECT_EQ(error_of("global = 1\n"), "test.toml:1: global: expected a table, got integer");
}

TEST(ConfigErrors, RangesAreChecked) {
  std::string base = "[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n";
  EXPECT_EQ(error_of("[global]\nmax_concurrent_targets = 0\n"),
            "test.toml:2: global.max_concurrent_targets: must be between 1 and 256, got 0");
  EXPECT_EQ(error_of(base + "max_response_bytes = 10\n"),
            "test.toml:4: testvendor[0].max_response_bytes: must be at least 1024, got 10");
  EXPECT_EQ(error_of(base + "concurrency = 65\n"),
            "test.toml:4: testvendor[0].concurrency: must be between 1 and 64, got 65");
}

TEST(ConfigErrors, NamesAreRequiredValidAndUniquePerVendor) {
  EXPECT_EQ(error_of("[[testvendor]]\ntoken = \"tok-inline-1111\"\n"),
            "test.toml:1: testvendor[0].name: missing required key");
  EXPECT_EQ(error_of("[[testvendor]]\nname = \"has space\"\n"),
            "test.toml:2: testvendor[0].name: must be 1 to 64 characters of letters, digits, '_', "
            "'.' or '-', got \"has space\"");
  EXPECT_EQ(error_of("[[testvendor]]\nname = \"\"\n")
                .rfind("test.toml:2: testvendor[0].name: must be 1 to 64", 0),
            0u);
  EXPECT_EQ(error_of(std::string("[[testvendor]]\nname = \"") + std::string(65, 'x') + "\"\n")
                .rfind("test.toml:2: testvendor[0].name: must be 1 to 64", 0),
            0u);
  EXPECT_EQ(error_of("[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n"
                     "[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n"),
            "test.toml:5: testvendor[1].name: duplicate name \"a\" (already used by the "
            "[[testvendor]] at line 1)");
}

TEST(ConfigErrors, UrlsMustBeHttpAndHaveAHost) {
  std::string base = "[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n";
  EXPECT_EQ(parse(base + "base_url = \"http://h:8080///\"\n").targets[0].base_url, "http://h:8080");
  EXPECT_EQ(error_of(base + "base_url = \"ftp://h\"\n"),
            "test.toml:4: testvendor[0].base_url: must start with http:// or https://, got "
            "\"ftp://h\"");
  EXPECT_EQ(error_of(base + "base_url = \"https:///\"\n"),
            "test.toml:4: testvendor[0].base_url: has no host: \"https:///\"");
  EXPECT_EQ(error_of(base + "proxy_url = \"https://u:hunter22@p:1\"\n"),
            "test.toml:4: testvendor[0].proxy_url: must start with http://, got "
            "\"https://u:<redacted>@p:1\"");
}

TEST(ConfigErrors, MetricGroupsMustBeKnown) {
  std::string base = "[[testvendor]]\nname = \"a\"\ntoken = \"tok-inline-1111\"\n";
  EXPECT_EQ(parse(base + "metric_groups = []\n").targets[0].groups.size(), 0u);
  EXPECT_EQ(error_of(base + "metric_groups = [\"usage\", \"bills\"]\n"),
            "test.toml:4: testvendor[0].metric_groups: unknown metric group \"bills\"; valid "
            "groups are: usage, devices, billing");
}

TEST(ConfigErrors, SyntaxErrorsCarryTheLineFromTheParser) {
  std::string e = error_of("[global]\nmax_concurrent_targets = 3\nuser_agent = \n");
  EXPECT_EQ(e.rfind("test.toml:3: ", 0), 0u) << e;
}

TEST(ConfigNodeTest, NestedArraysOfTablesHaveIndexedPaths) {
  toml::table root =
      toml::parse("[[v]]\nname = \"a\"\n[[v.instances]]\nid = 1\n[[v.instances]]\nid = \"x\"\n");
  config::ConfigNode top(root, "n.toml", "");
  auto vs = top.children("v");
  ASSERT_EQ(vs.size(), 1u);
  auto instances = vs[0].children("instances");
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0].path(), "v[0].instances[0]");
  EXPECT_EQ(instances[0].int_or("id", 0, 0, 10), 1);
  try {
    instances[1].int_or("id", 0, 0, 10);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "n.toml:6: v[0].instances[1].id: expected an integer, got string");
    EXPECT_EQ(e.file(), "n.toml");
    EXPECT_EQ(e.line(), 6);
    EXPECT_EQ(e.key(), "v[0].instances[1].id");
  }
  toml::table bad = toml::parse("[v.instances]\nid = 1\n");
  config::ConfigNode bad_top(bad, "n.toml", "");
  try {
    bad_top.child("v")->children("instances");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "n.toml:1: v.instances: expected an array of tables: write [[v.instances]] (one "
                 "per entry), not [v.instances]");
  }
}

TEST(ConfigNodeTest, ChildAndDoubleAndHas) {
  toml::table root = toml::parse("ratio = 2\n[sub]\nx = 1.5\n");
  config::ConfigNode top(root, "n.toml", "");
  EXPECT_TRUE(top.has("ratio"));
  EXPECT_FALSE(top.has("nope"));
  EXPECT_EQ(top.double_or("ratio", 0), 2.0);
  EXPECT_EQ(top.double_or("nope", 0.25), 0.25);
  auto sub = top.child("sub");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->double_or("x", 0), 1.5);
  EXPECT_FALSE(top.child("absent"));
  EXPECT_NO_THROW(top.reject_unknown_keys());
  EXPECT_NO_THROW(sub->reject_unknown_keys());
}

}  // namespace
}  // namespace fue
