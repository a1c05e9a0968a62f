// /probe?module=&target=: resolving an account's credentials from the module's credentials
// directory (file and Kubernetes-Secret directory layouts), the per-account runner cache, and
// the /probe handler's answers for configured targets and module accounts.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "exporter/config/config.h"
#include "exporter/core/errors.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/probe_handler.h"
#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue {
namespace {

namespace fs = std::filesystem;

std::atomic<int> g_scrapers_built{0};

struct ProbeVendorSettings : VendorSettings {
  Secret token;
  std::vector<std::string> projects;
  std::string mode;
  void describe(std::vector<std::pair<std::string, std::string>>& out) const override {
    out.emplace_back("token", token.redacted());
  }
  void secrets(std::vector<const Secret*>& out) const override { out.push_back(&token); }
};

class FixedScraper : public Scraper {
 public:
  explicit FixedScraper(int serial) : serial_(serial) {}
  void collect(ScrapeContext& ctx) override {
    const auto& s = static_cast<const ProbeVendorSettings&>(*ctx.target.settings);
    if (s.token.reveal() == "tok-bad-credential") throw ScrapeError("unauthorized", "401 from API");
    auto& f = ctx.out.gauge("testvendor_projects", "Projects of the account.", {"mode"});
    f.add({s.mode}, static_cast<double>(s.projects.size()));
    ctx.out.gauge("testvendor_scraper_serial", "Which scraper instance answered.").add({}, serial_);
  }

 private:
  int serial_;
};

VendorDescriptor probe_vendor(const std::string& key) {
  VendorDescriptor d;
  d.key = key;
  d.default_base_url = "http://127.0.0.1:1";
  d.parse_settings = [](config::ConfigNode& node) {
    auto s = std::make_shared<ProbeVendorSettings>();
    s->token = node.secret("token", true);
    s->projects = node.string_list("projects");
    s->mode = node.enum_or("mode", {"fast", "full"}, "full");
    return s;
  };
  d.create = [](const TargetConfig&, http::Client&) -> std::unique_ptr<Scraper> {
    return std::make_unique<FixedScraper>(++g_scrapers_built);
  };
  return d;
}

const VendorRegistry& vendors() {
  static const VendorRegistry r = [] {
    VendorRegistry v;
    v.add(probe_vendor("testvendor"));
    v.add(probe_vendor("othervendor"));
    return v;
  }();
  return r;
}

class ProbeModuleTest : public ::testing::Test {
 protected:
  ProbeModuleTest() {
    accounts = dir.path() + "/accounts";
    fs::create_directories(accounts);
  }

  // Writes the config into the temp dir and loads it (credentials_dir relative to it).
  ExporterConfig load(const std::string& text) {
    const std::string path = dir.file("config.toml");
    test::write_file(path, text);
    return load_config(path, vendors());
  }

  std::string module_config(const std::string& extra = "") {
    return "[[testvendor]]\nname = \"static\"\ntoken = \"tok-static-1111\"\n\n"
           "[[testvendor]]\nname = \"both\"\ntoken = \"tok-static-1111\"\n\n"
           "[[othervendor]]\nname = \"both\"\ntoken = \"tok-static-1111\"\n\n"
           "[[othervendor]]\nname = \"off\"\nenabled = false\ntoken = \"tok-static-1111\"\n\n"
           "[module.tv]\nvendor = \"testvendor\"\ncredentials_dir = \"accounts\"\nmode = \"fast\"\n"
           "timeout = \"5s\"\n" +
           extra;
  }

  test::TempDir dir{"fue-probe-module"};
  std::string accounts;
};

TEST_F(ProbeModuleTest, AccountFileOverlaysTheModule) {
  auto config = load(module_config());
  ASSERT_EQ(config.modules.size(), 1u);
  const ModuleConfig& m = config.modules[0];
  EXPECT_EQ(m.vendor, "testvendor");
  EXPECT_EQ(m.credentials_dir, dir.path() + "/accounts");
  EXPECT_EQ(m.max_accounts, 1000u);

  test::write_file(accounts + "/acme.toml",
                   "token = \"tok-acme-secret-1\"\nprojects = [\"p1\", \"p2\"]\nmode = \"full\"\n");
  TargetConfig t = resolve_module_account(m, "acme", config.global, vendors());
  EXPECT_EQ(t.vendor, "testvendor");
  EXPECT_EQ(t.name, "acme");
  EXPECT_EQ(t.timeout, Duration(5000));  // from the module
  const auto& s = static_cast<const ProbeVendorSettings&>(*t.settings);
  EXPECT_EQ(s.token.reveal(), "tok-acme-secret-1");
  EXPECT_EQ(s.projects.size(), 2u);
  EXPECT_EQ(s.mode, "full");  // the account's own value wins
}

TEST_F(ProbeModuleTest, SecretDirectoryLayoutAsKubernetesMountsIt) {
  auto config = load(module_config());
  // kubelet: <dir>/<account>/token -> ..data/token, ..data -> ..2026_01_01_00_00_00.1/
  const std::string acct = accounts + "/globex";
  fs::create_directories(acct + "/..2026_01_01_00_00_00.1");
  test::write_file(acct + "/..2026_01_01_00_00_00.1/token", "tok-globex-secret-2\n");
  fs::create_directory_symlink("..2026_01_01_00_00_00.1", acct + "/..data");
  fs::create_symlink("..data/token", acct + "/token");
  TargetConfig t = resolve_module_account(config.modules[0], "globex", config.global, vendors());
  const auto& s = static_cast<const ProbeVendorSettings&>(*t.settings);
  EXPECT_EQ(s.token.reveal(), "tok-globex-secret-2");
  EXPECT_EQ(s.mode, "fast");
}

TEST_F(ProbeModuleTest, UnknownAccountsAndTraversalAreRefusedWithoutPaths) {
  auto config = load(module_config());
  test::write_file(dir.file("outside.toml"), "token = \"tok-outside-3333\"\n");
  for (const char* bad : {"nobody", "../outside", "..", ".", ""}) {
    try {
      resolve_module_account(config.modules[0], bad, config.global, vendors());
      FAIL() << bad << " resolved";
    } catch (const UnknownAccountError& e) {
      EXPECT_EQ(std::string(e.what()).find(dir.path()), std::string::npos) << e.what();
    }
  }
}

TEST_F(ProbeModuleTest, BadAccountFilesNameFileLineAndKeyButNoSecret) {
  auto config = load(module_config());
  const auto& m = config.modules[0];
  auto error_of = [&](const std::string& account) -> std::string {
    try {
      resolve_module_account(m, account, config.global, vendors());
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  test::write_file(accounts + "/typo.toml", "token = \"tok-typo-secret-4\"\nprojcts = [\"a\"]\n");
  EXPECT_EQ(
      error_of("typo").rfind(accounts + "/typo.toml:2: module.tv[typo].projcts: unknown key", 0),
      0u)
      << error_of("typo");
  test::write_file(accounts + "/nokey.toml", "projects = [\"a\"]\n");
  EXPECT_EQ(error_of("nokey"),
            accounts +
                "/nokey.toml: module.tv[nokey].token: missing required credential: set one "
                "of token, token_file or token_env");
  test::write_file(accounts + "/named.toml", "token = \"tok-named-secret-5\"\nname = \"x\"\n");
  EXPECT_EQ(error_of("named"), accounts +
                                   "/named.toml:2: name: not allowed in an account file: it is a "
                                   "module or probe setting");
  test::write_file(accounts + "/syntax.toml", "token = \"tok-syntax-secret-6\n");
  EXPECT_EQ(error_of("syntax").rfind(accounts + "/syntax.toml:1: ", 0), 0u);
  EXPECT_EQ(error_of("syntax").find("tok-syntax-secret-6"), std::string::npos);
  test::write_file(accounts + "/badmode.toml", "token = \"tok-badmode-secret-7\"\nmode = 3\n");
  EXPECT_EQ(error_of("badmode"),
            accounts + "/badmode.toml:2: module.tv[badmode].mode: expected a string, got integer");

  // A bad key of the module itself is reported at the config file's line.
  auto config2 = load(module_config("colour = \"red\"\n"));
  test::write_file(accounts + "/fine.toml", "token = \"tok-fine-secret-8\"\n");
  try {
    resolve_module_account(config2.modules[0], "fine", config2.global, vendors());
    FAIL();
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(dir.file("config.toml") + ":23: module.tv[fine].colour: "
                                                                    "unknown key",
                                          0),
              0u)
        << e.what();
  }
}

// The /probe handler, called directly.
class ProbeHandlerTest : public ProbeModuleTest {
 protected:
  ProbeHandlerTest() : engine(vendors(), std::make_shared<SelfMetrics>()) {}

  void apply(const std::string& text) {
    engine.apply(std::make_shared<const ExporterConfig>(load(text)));
  }
  httplib::Response probe(const httplib::Params& params) {
    httplib::Request req;
    req.params = params;
    httplib::Response res;
    handle_probe(engine, req, res);
    return res;
  }

  Engine engine;
};

TEST_F(ProbeHandlerTest, ConfiguredTargetsByNameVendorSlashNameAndVendorParameter) {
  apply(module_config());
  for (const auto& params :
       {httplib::Params{{"target", "static"}}, httplib::Params{{"target", "testvendor/static"}},
        httplib::Params{{"vendor", "testvendor"}, {"target", "static"}}}) {
    auto res = probe(params);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_NE(res.body.find("testvendor_projects{target=\"static\",mode=\"full\"} 0\n"),
              std::string::npos)
        << res.body;
    EXPECT_NE(res.body.find("\nprobe_success 1\n"), std::string::npos) << res.body;
    EXPECT_NE(res.body.find(
                  "fleet_usage_exporter_target_up{vendor=\"testvendor\",target=\"static\"} 1\n"),
              std::string::npos);
    EXPECT_NE(res.body.find("# TYPE probe_duration_seconds gauge\n"), std::string::npos);
    // Self-metrics other than the target's up stay on /metrics.
    EXPECT_EQ(res.body.find("fleet_usage_exporter_build_info"), std::string::npos);
    EXPECT_EQ(res.body.find("fleet_usage_exporter_target_collections_total"), std::string::npos);
    test::expect_promtool_ok(res.body);
  }
}

TEST_F(ProbeHandlerTest, AmbiguousUnknownAndDisabledTargetsAre400) {
  apply(module_config());
  auto res = probe({{"target", "both"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body,
            "target \"both\" is ambiguous: several vendors have it; use target=testvendor/both, "
            "target=othervendor/both\n");
  EXPECT_EQ(probe({{"target", "othervendor/both"}}).status, 200);

  res = probe({{"target", "nope"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(
      res.body.rfind("unknown target \"nope\"; probe a configured target as target=<name>", 0), 0u);
  EXPECT_NE(
      res.body.find("configured targets: testvendor/static, testvendor/both, othervendor/both"),
      std::string::npos)
      << res.body;
  EXPECT_EQ(res.body.find("othervendor/off"), std::string::npos);  // disabled: not offered

  res = probe({{"target", "othervendor/off"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, "target othervendor/off is disabled (enabled = false)\n");

  res = probe({{"vendor", "nosuchvendor"}, {"target", "static"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, "unknown vendor \"nosuchvendor\"; vendors are: testvendor, othervendor\n");

  res = probe({{"target", "a"}, {"target", "b"}});
  EXPECT_EQ(res.status, 400);
}

TEST_F(ProbeHandlerTest, ModuleAccountIsProbedAndItsRunnerReused) {
  apply(module_config());
  test::write_file(accounts + "/acme.toml", "token = \"tok-acme-secret-1\"\nprojects = [\"a\"]\n");
  const int built_before = g_scrapers_built;
  auto res = probe({{"module", "tv"}, {"target", "acme"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.body.find("testvendor_projects{target=\"acme\",mode=\"fast\"} 1\n"),
            std::string::npos)
      << res.body;
  EXPECT_NE(
      res.body.find("fleet_usage_exporter_target_up{vendor=\"testvendor\",target=\"acme\"} 1\n"),
      std::string::npos);
  EXPECT_NE(res.body.find("\nprobe_success 1\n"), std::string::npos);
  EXPECT_EQ(res.body.find("tok-acme-secret-1"), std::string::npos);
  EXPECT_EQ(res.body.find("fleet_usage_exporter_api_requests_total"), std::string::npos);
  test::expect_promtool_ok(res.body);

  // A second probe reuses the client and scraper; the account's self-metrics are on /metrics.
  EXPECT_EQ(probe({{"module", "tv"}, {"target", "acme"}}).status, 200);
  EXPECT_EQ(g_scrapers_built - built_before, 1);
  EXPECT_EQ(engine.adhoc_runners(), 1u);
  std::string self;
  serialize_text(engine.self().collect(), self);
  EXPECT_NE(self.find("fleet_usage_exporter_target_collections_total{vendor=\"testvendor\","
                      "target=\"acme\"} 2\n"),
            std::string::npos)
      << self;

  // A rotated credential builds a fresh client (and token).
  test::write_file(accounts + "/acme.toml", "token = \"tok-acme-rotated-2\"\nprojects = [\"a\"]\n");
  EXPECT_EQ(probe({{"module", "tv"}, {"target", "acme"}}).status, 200);
  EXPECT_EQ(g_scrapers_built - built_before, 2);
  EXPECT_EQ(engine.adhoc_runners(), 1u);
}

TEST_F(ProbeHandlerTest, ModuleAccountsAreBoundedLeastRecentlyUsedFirst) {
  apply(module_config("max_accounts = 2\n"));
  for (const char* a : {"a1", "a2", "a3"})
    test::write_file(accounts + "/" + a + ".toml", "token = \"tok-" + std::string(a) + "-999\"\n");
  EXPECT_EQ(probe({{"module", "tv"}, {"target", "a1"}}).status, 200);
  EXPECT_EQ(probe({{"module", "tv"}, {"target", "a2"}}).status, 200);
  EXPECT_EQ(probe({{"module", "tv"}, {"target", "a1"}}).status, 200);  // a2 is now the oldest
  EXPECT_EQ(probe({{"module", "tv"}, {"target", "a3"}}).status, 200);
  EXPECT_EQ(engine.adhoc_runners(), 2u);
  std::string self;
  serialize_text(engine.self().collect(), self);
  EXPECT_NE(self.find("target=\"a1\""), std::string::npos);
  EXPECT_EQ(self.find("target=\"a2\""), std::string::npos) << "evicted account keeps self-metrics";
  EXPECT_NE(self.find("target=\"a3\""), std::string::npos);
}

TEST_F(ProbeHandlerTest, IdleAccountsExpire) {
  apply(module_config("account_ttl = \"1ms\"\n"));
  test::write_file(accounts + "/a1.toml", "token = \"tok-a1-1111\"\n");
  test::write_file(accounts + "/a2.toml", "token = \"tok-a2-2222\"\n");
  EXPECT_EQ(probe({{"module", "tv"}, {"target", "a1"}}).status, 200);
  // A later probe of the module drops a1 (with its self-metrics) once it is idle past the ttl.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool gone = false;
  while (!gone && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(probe({{"module", "tv"}, {"target", "a2"}}).status, 200);
    std::string self;
    serialize_text(engine.self().collect(), self);
    gone = self.find("target=\"a1\"") == std::string::npos;
  }
  EXPECT_TRUE(gone);
  EXPECT_EQ(engine.adhoc_runners(), 1u);
}

TEST_F(ProbeHandlerTest, ModuleErrorsAre400Or500WithoutSecrets) {
  apply(module_config());
  auto res = probe({{"module", "nomodule"}, {"target", "acme"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, "unknown module \"nomodule\"; configured modules: tv\n");

  res = probe({{"module", "tv"}, {"target", "ghost"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body,
            "unknown account \"ghost\" of module \"tv\": no ghost.toml and no directory ghost/ in "
            "its credentials_dir\n");

  res = probe({{"module", "tv"}, {"target", "../config"}});
  EXPECT_EQ(res.status, 400);

  test::write_file(accounts + "/static.toml", "token = \"tok-static-2222\"\n");
  res = probe({{"module", "tv"}, {"target", "static"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body,
            "account \"static\" of module tv has the name of a configured [[testvendor]] target; "
            "probe that as target=testvendor/static, or rename one of them\n");

  test::write_file(accounts + "/typo.toml", "token = \"tok-typo-secret-4\"\nmode = \"slow\"\n");
  res = probe({{"module", "tv"}, {"target", "typo"}});
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("typo.toml:2: module.tv[typo].mode: must be one of"), std::string::npos)
      << res.body;
  EXPECT_EQ(res.body.find("tok-typo-secret-4"), std::string::npos);

  // A failing account is a successful probe that says so, as blackbox_exporter does.
  test::write_file(accounts + "/locked.toml", "token = \"tok-bad-credential\"\n");
  res = probe({{"module", "tv"}, {"target", "locked"}});
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("\nprobe_success 0\n"), std::string::npos) << res.body;
  EXPECT_NE(
      res.body.find("fleet_usage_exporter_target_up{vendor=\"testvendor\",target=\"locked\"} 0"),
      std::string::npos);
  EXPECT_EQ(res.body.find("testvendor_projects"), std::string::npos);
  test::expect_promtool_ok(res.body);
}

}  // namespace
}  // namespace fue
