// Secrets never leave the exporter: every vendor is configured with credentials in all three
// forms (inline, _file, _env), some right (the simulator accepts them) and some distinctive and
// wrong, and then everything the exporter says is scanned for them: its debug logs in logfmt and
// json, every endpoint (/metrics, /probe, /, /-/healthy, /-/ready, /-/reload ok and failing), the
// --config.check summary, the errors of bad configs, and the errors of failing vendors, including
// 401 bodies that echo the credentials back. Any hit fails.
#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <chrono>
#include <map>
#include <thread>

#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

using Json = nlohmann::json;

// The simulator's accepted credentials (sim.h creds) and the prefixes of the tokens its IAM routes
// issue: all secrets too.
const std::vector<std::string> kSimSecrets = {
    "sim-losant-token", "sim-notehub-pat",  "sim-thousandeyes-token",  "sim-huawei-password",
    "sim-kakao-id",     "sim-kakao-secret", "sim-huawei-static-token", "sim-kakao-static-token",
    "MIIsim-koophone-",  // tokens issued by the KooPhone IAM route
    "gAAAAsim-kakao-",   // tokens issued by the KakaoCloud IAM route
};

// Distinctive wrong credentials, one per vendor and form.
const std::map<std::string, std::string> kBad = {
    {"losant_inline", "fue-LEAK-losant-inline-7f3a91"},
    {"notehub_file", "fue-LEAK-notehub-file-c02d5e"},
    {"thousandeyes_env", "fue-LEAK-thousandeyes-env-4be810"},
    {"koophone_password_env", "fue-LEAK-koophone-password-env-9a1c"},
    {"koophone_token_inline", "fue-LEAK-koophone-token-inline-61d0"},
    {"bcs_id_file", "fue-LEAK-bcs-id-file-2e7b"},
    {"bcs_secret_inline", "fue-LEAK-bcs-secret-inline-d44f"},
    {"bcs_token_env", "fue-LEAK-bcs-token-env-83aa"},
    // A typo'd credential key: not known to be a secret, so the error must not quote its value.
    {"typo", "fue-LEAK-typo-key-value-5510"},
    // On the line of a TOML syntax error.
    {"syntax", "fue-LEAK-syntax-error-line-0b9e"},
};

std::vector<std::string> all_secrets() {
  auto out = kSimSecrets;
  for (const auto& [k, v] : kBad) out.push_back(v);
  return out;
}

// Where a text mentions a secret: "<secret> at <offset>: ...context...".
std::vector<std::string> hits(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& secret : all_secrets()) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 1)) {
      const size_t from = at < 80 ? 0 : at - 80;
      out.push_back(secret + " at " + std::to_string(at) + ": ..." + text.substr(from, 200) +
                    "...");
    }
  }
  return out;
}

struct Env {
  Env(const char* name, const std::string& value) : name_(name) { setenv(name, value.c_str(), 1); }
  ~Env() { unsetenv(name_); }
  const char* name_;
};

class SecretScan : public ::testing::Test {
 protected:
  // Everything the exporter said, by where it came from.
  std::vector<std::pair<std::string, std::string>> outputs_;
  void keep(const std::string& where, const std::string& text) {
    outputs_.emplace_back(where, text);
  }

  std::string file(const std::string& name, const std::string& content) {
    const auto path = dir_.file(name);
    write_file(path, content + "\n");  // the trailing newline is trimmed when read
    return path;
  }

  // Every vendor three times with the simulator's credentials (inline, _file, _env) and once or
  // twice with distinctive wrong ones.
  std::string config() {
    auto q = [](const std::string& s) { return "\"" + s + "\""; };
    std::string c = "[global]\ndefault_timeout = \"5s\"\n\n";
    auto target = [&](const std::string& vendor, const std::string& name,
                      const std::string& lines) {
      c += "[[" + vendor + "]]\nname = " + q(name) + "\nbase_url = \"{{SIM}}/" + vendor + "\"\n" +
           lines + "\n";
    };
    const std::string losant_ids = "instance_ids = [\"5ff89ff825013dc6c2856188\"]\n";
    target("losant", "losant-inline", "token = \"sim-losant-token\"\n" + losant_ids);
    target("losant", "losant-file",
           "token_file = " + q(file("c1", "sim-losant-token")) + "\n" + losant_ids);
    target("losant", "losant-env", "token_env = \"FUE_SCAN_LOSANT\"\n" + losant_ids);
    target("losant", "losant-bad", "token = " + q(kBad.at("losant_inline")) + "\n" + losant_ids);

    const std::string projects = "projects = [\"app:2606f411-dea6-44a0-9743-1130f57d77d8\"]\n";
    target("notehub", "notehub-inline", "token = \"sim-notehub-pat\"\n" + projects);
    target("notehub", "notehub-file",
           "token_file = " + q(file("c2", "sim-notehub-pat")) + "\n" + projects);
    target("notehub", "notehub-env", "token_env = \"FUE_SCAN_NOTEHUB\"\n" + projects);
    target("notehub", "notehub-bad",
           "token_file = " + q(file("c3", kBad.at("notehub_file"))) + "\n" + projects);

    target("thousandeyes", "te-inline", "token = \"sim-thousandeyes-token\"\n");
    target("thousandeyes", "te-file",
           "token_file = " + q(file("c4", "sim-thousandeyes-token")) + "\n");
    target("thousandeyes", "te-env", "token_env = \"FUE_SCAN_TE\"\n");
    target("thousandeyes", "te-bad", "token_env = \"FUE_SCAN_TE_BAD\"\n");

    const std::string huawei =
        "iam_url = \"{{SIM}}/koophone\"\nusername = \"sim-user\"\n"
        "domain = \"sim-domain\"\n";
    target("koophone", "koophone-inline", huawei + "password = \"sim-huawei-password\"\n");
    target("koophone", "koophone-file",
           huawei + "password_file = " + q(file("c5", "sim-huawei-password")) + "\n");
    target("koophone", "koophone-env", huawei + "password_env = \"FUE_SCAN_HUAWEI\"\n");
    target("koophone", "koophone-token-file",
           "token_file = " + q(file("c6", "sim-huawei-static-token")) + "\n");
    target("koophone", "koophone-bad", huawei + "password_env = \"FUE_SCAN_HUAWEI_BAD\"\n");
    target("koophone", "koophone-bad-token",
           "token = " + q(kBad.at("koophone_token_inline")) + "\n");

    const std::string kakao = "iam_url = \"{{SIM}}/kakaocloud_bcs\"\n";
    target("kakaocloud_bcs", "bcs-inline",
           kakao +
               "application_credential_id = \"sim-kakao-id\"\n"
               "application_credential_secret = \"sim-kakao-secret\"\n");
    target("kakaocloud_bcs", "bcs-file",
           kakao + "application_credential_id_file = " + q(file("c7", "sim-kakao-id")) +
               "\napplication_credential_secret_file = " + q(file("c8", "sim-kakao-secret")) +
               "\n");
    target("kakaocloud_bcs", "bcs-env",
           kakao +
               "application_credential_id_env = \"FUE_SCAN_KAKAO_ID\"\n"
               "application_credential_secret_env = \"FUE_SCAN_KAKAO_SECRET\"\n");
    target("kakaocloud_bcs", "bcs-token-env", "token_env = \"FUE_SCAN_KAKAO_TOKEN\"\n");
    target("kakaocloud_bcs", "bcs-bad",
           kakao + "application_credential_id_file = " + q(file("c9", kBad.at("bcs_id_file"))) +
               "\napplication_credential_secret = " + q(kBad.at("bcs_secret_inline")) + "\n");
    target("kakaocloud_bcs", "bcs-bad-token", "token_env = \"FUE_SCAN_KAKAO_TOKEN_BAD\"\n");
    return c;
  }

  TempDir dir_{"fue-secret-scan"};
  Env e1{"FUE_SCAN_LOSANT", "sim-losant-token"};
  Env e2{"FUE_SCAN_NOTEHUB", "sim-notehub-pat"};
  Env e3{"FUE_SCAN_TE", "sim-thousandeyes-token"};
  Env e4{"FUE_SCAN_TE_BAD", kBad.at("thousandeyes_env")};
  Env e5{"FUE_SCAN_HUAWEI", "sim-huawei-password"};
  Env e6{"FUE_SCAN_HUAWEI_BAD", kBad.at("koophone_password_env")};
  Env e7{"FUE_SCAN_KAKAO_ID", "sim-kakao-id"};
  Env e8{"FUE_SCAN_KAKAO_SECRET", "sim-kakao-secret"};
  Env e9{"FUE_SCAN_KAKAO_TOKEN", "sim-kakao-static-token"};
  Env e10{"FUE_SCAN_KAKAO_TOKEN_BAD", kBad.at("bcs_token_env")};
};

const std::vector<std::string> kGoodTargets = {"losant-inline",
                                               "losant-file",
                                               "losant-env",
                                               "notehub-inline",
                                               "notehub-file",
                                               "notehub-env",
                                               "te-inline",
                                               "te-file",
                                               "te-env",
                                               "koophone-inline",
                                               "koophone-file",
                                               "koophone-env",
                                               "koophone-token-file",
                                               "bcs-inline",
                                               "bcs-file",
                                               "bcs-env",
                                               "bcs-token-env"};
const std::vector<std::pair<std::string, std::string>> kBadTargets = {
    {"losant", "losant-bad"},           {"notehub", "notehub-bad"},
    {"thousandeyes", "te-bad"},         {"koophone", "koophone-bad"},
    {"koophone", "koophone-bad-token"}, {"kakaocloud_bcs", "bcs-bad"},
    {"kakaocloud_bcs", "bcs-bad-token"}};

std::string vendor_of_target(const std::string& name) {
  if (name.rfind("losant", 0) == 0) return "losant";
  if (name.rfind("notehub", 0) == 0) return "notehub";
  if (name.rfind("te-", 0) == 0) return "thousandeyes";
  if (name.rfind("koophone", 0) == 0) return "koophone";
  return "kakaocloud_bcs";
}

std::string up_line(const std::string& vendor, const std::string& target, int value) {
  return "fleet_usage_exporter_target_up{vendor=\"" + vendor + "\",target=\"" + target + "\"} " +
         std::to_string(value);
}

// A 401 body in the vendor's own error format that echoes every secret back.
std::string echo_body(const std::string& vendor) {
  std::string all;
  for (const auto& s : all_secrets()) all += s + " ";
  const std::string text = "credentials rejected: " + all;
  if (vendor == "losant") return Json{{"type", "Unauthorized"}, {"message", text}}.dump();
  if (vendor == "notehub")
    return Json{{"err", text}, {"code", 401}, {"status", "Unauthorized"}}.dump();
  if (vendor == "thousandeyes")
    return Json{{"error", "invalid_token"}, {"error_description", text}}.dump();
  if (vendor == "koophone")
    return Json{{"error_code", "APIG.0301"}, {"error_msg", text}, {"request_id", "x"}}.dump();
  return Json{{"error", {{"code", 401}, {"title", "Unauthorized"}, {"message", text}}}}.dump();
}

TEST_F(SecretScan, NoConfiguredSecretAppearsInAnyOutput) {
  SimProcess sim;
  const std::string config_text = config();
  // The scanner itself finds what it should: the config holds the inline secrets.
  ASSERT_FALSE(hits(config_text).empty());

  ExporterProcess logfmt(config_text, sim.base(), {"--log.level", "debug"});
  ExporterProcess json(config_text, sim.base(), {"--log.level", "debug", "--log.format", "json"});

  auto get = [&](ExporterProcess& e, const std::string& path) {
    const auto [status, body] = e.get(path);
    EXPECT_NE(status, 0) << path;
    keep(path + " (" + std::to_string(status) + ")", body);
    return body;
  };
  auto post_reload = [&](ExporterProcess& e) {
    httplib::Client c("127.0.0.1", e.port());
    c.set_read_timeout(30, 0);
    auto r = c.Post("/-/reload");
    EXPECT_TRUE(r);
    if (!r) return 0;
    keep("POST /-/reload (" + std::to_string(r->status) + ")", r->body);
    return r->status;
  };
  auto every_endpoint = [&](ExporterProcess& e) {
    const std::string metrics = get(e, "/metrics");
    for (const auto& t : kGoodTargets)
      get(e, "/probe?vendor=" + vendor_of_target(t) + "&target=" + t);
    for (const auto& [v, t] : kBadTargets) get(e, "/probe?vendor=" + v + "&target=" + t);
    get(e, "/probe?vendor=losant&target=nonexistent");
    get(e, "/");
    get(e, "/-/healthy");
    get(e, "/-/ready");
    return metrics;
  };

  // 1. Normal operation: the right credentials work, the wrong ones are 401 from the simulator.
  for (auto* e : {&logfmt, &json}) {
    const std::string metrics = every_endpoint(*e);
    for (const auto& t : kGoodTargets)
      EXPECT_NE(metrics.find(up_line(vendor_of_target(t), t, 1)), std::string::npos)
          << t << " should be up with the simulator's credentials";
    for (const auto& [v, t] : kBadTargets)
      EXPECT_NE(metrics.find(up_line(v, t, 0)), std::string::npos) << t << " should be down";
    EXPECT_EQ(post_reload(*e), 200);
  }

  // 2. Failing vendors whose 401 bodies echo every secret, on the API and on the IAM routes.
  for (const char* vendor : {"losant", "notehub", "thousandeyes", "koophone", "kakaocloud_bcs"})
    sim.post("faults", {{"vendor", vendor}, {"status", 401}, {"body", echo_body(vendor)}});
  for (auto* e : {&logfmt, &json}) {
    const std::string metrics = every_endpoint(*e);
    for (const auto& t : kGoodTargets)
      EXPECT_NE(metrics.find(up_line(vendor_of_target(t), t, 0)), std::string::npos) << t;
    const std::string landing = e->get("/").second;
    EXPECT_NE(landing.find("credentials rejected"), std::string::npos)
        << "the landing page should show the vendors' errors (so this scan means something)";
  }

  // 3. A failing reload: a bad config holding secrets; the answer names the problem, not them.
  const std::string good_config = read_file(logfmt.config_path());
  write_file(logfmt.config_path(), good_config + "\n[[losant]]\nname = \"broken\"\ntoken = \"" +
                                       kBad.at("typo") + "\"\ninstance_ids = 42\n");
  EXPECT_NE(post_reload(logfmt), 200);
  write_file(logfmt.config_path(), good_config);
  EXPECT_EQ(post_reload(logfmt), 200);

  // 4. --config.check on the good config, and the errors of bad ones.
  std::string out;
  EXPECT_EQ(run_command(std::string(FUE_EXPORTER_BIN) + " --config.check --config.file " +
                            logfmt.config_path() + " 2>&1",
                        &out),
            0)
      << out;
  EXPECT_NE(out.find("<secret"), std::string::npos) << "the summary should show redacted secrets";
  keep("--config.check summary", out);
  const std::string sim_base = sim.base();
  const std::vector<std::pair<std::string, std::string>> bad_configs = {
      {"two forms of one secret",
       "[[losant]]\nname = \"a\"\ntoken = \"" + kBad.at("losant_inline") +
           "\"\ntoken_env = \"FUE_SCAN_TE_BAD\"\ninstance_ids = [\"5ff89ff825013dc6c2856188\"]\n"},
      {"secret of the wrong type", "[[notehub]]\nname = \"a\"\ntoken = [\"" +
                                       kBad.at("notehub_file") + "\"]\nprojects = [\"app:x\"]\n"},
      {"unknown (typo'd) credential key", "[[thousandeyes]]\nname = \"a\"\ntoken = \"" +
                                              kBad.at("thousandeyes_env") + "\"\ntokne = \"" +
                                              kBad.at("typo") + "\"\n"},
      {"TOML syntax error on a secret line",
       "[[losant]]\nname = \"a\"\ntoken = \"" + kBad.at("syntax") + "\n"},
      {"bad value next to secrets",
       "[[koophone]]\nname = \"a\"\nusername = \"u\"\ndomain = \"d\"\npassword = \"" +
           kBad.at("koophone_password_env") + "\"\npage_size = \"" +
           kBad.at("koophone_token_inline") + "\"\n"},
      {"credential and token together",
       "[[kakaocloud_bcs]]\nname = \"a\"\napplication_credential_id = \"" + kBad.at("bcs_id_file") +
           "\"\napplication_credential_secret = \"" + kBad.at("bcs_secret_inline") +
           "\"\ntoken = \"" + kBad.at("bcs_token_env") + "\"\n"},
      {"secret file and env that do not exist",
       "[[losant]]\nname = \"a\"\ntoken_file = \"/nonexistent/fue-scan\"\n"
       "instance_ids = [\"5ff89ff825013dc6c2856188\"]\n[[notehub]]\nname = \"b\"\n"
       "token_env = \"FUE_SCAN_UNSET_VARIABLE\"\nprojects = [\"app:x\"]\n"},
  };
  for (const auto& [what, text] : bad_configs) {
    const std::string path = dir_.file("bad.toml");
    write_file(path, text);
    EXPECT_NE(run_command(
                  std::string(FUE_EXPORTER_BIN) + " --config.check --config.file " + path + " 2>&1",
                  &out),
              0)
        << what << " was accepted";
    EXPECT_FALSE(out.empty()) << what;
    keep("--config.check, " + what, out);
    // Starting with it fails the same way.
    run_command(std::string(FUE_EXPORTER_BIN) + " --once --config.file " + path + " 2>&1", &out);
    keep("start-up, " + what, out);
  }

  // 5. The logs, last: everything above has been logged by now.
  EXPECT_TRUE(logfmt.running());
  EXPECT_TRUE(json.running());
  const std::string log_text = logfmt.log(), json_text = json.log();
  EXPECT_NE(log_text.find("level=debug"), std::string::npos) << "no debug lines were logged";
  EXPECT_NE(json_text.find("\"level\":\"debug\""), std::string::npos);
  EXPECT_NE(log_text.find("target collection failed"), std::string::npos);
  keep("logfmt debug log", log_text);
  keep("json debug log", json_text);

  size_t scanned = 0;
  for (const auto& [where, text] : outputs_) {
    scanned += text.size();
    for (const auto& hit : hits(text)) ADD_FAILURE() << "secret in " << where << ": " << hit;
  }
  std::cout << "scanned " << outputs_.size() << " outputs, " << scanned << " bytes, for "
            << all_secrets().size() << " secrets\n";
}

}  // namespace
}  // namespace fue::test
