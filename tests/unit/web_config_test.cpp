// The exporter-toolkit web config file, bcrypt checks, basic auth headers, the request shape
// checks of the web server and the web flags.
#include "exporter/server/web_config.h"

#include <gtest/gtest.h>

#include "exporter/cli/flags.h"
#include "exporter/server/basic_auth.h"
#include "exporter/server/web_server.h"
#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue {
namespace {

using test::read_file;
using test::run_command;
using test::write_file;

// Made with libxcrypt (python3 crypt.crypt with a $2b$ salt); cost 4 keeps the test fast.
constexpr const char* kHorseHash = "$2b$04$Df.s31aJdFycIG0hOYIvs.nXKrRpMofBEv3tT8mXf7qEaSP50m23y";
constexpr const char* kPromHash = "$2b$04$jdqeXVpgl050cfCzkQlHAePOT2nJOpBH64.xTSmdcUNfMBS4oNOjq";

std::string error_of(const std::string& yaml, bool check_files = false) {
  try {
    parse_web_config(yaml, "/etc/fue/web.yml", check_files);
  } catch (const WebConfigError& e) {
    return e.what();
  }
  return "";
}

std::string basic(const std::string& user_colon_password) {
  // Tiny encoder for the tests.
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  const std::string& s = user_colon_password;
  for (; i + 2 < s.size(); i += 3) {
    unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
    out += {a[v >> 18 & 63], a[v >> 12 & 63], a[v >> 6 & 63], a[v & 63]};
  }
  if (s.size() - i == 1) {
    unsigned v = (unsigned char)s[i] << 16;
    out += {a[v >> 18 & 63], a[v >> 12 & 63], '=', '='};
  } else if (s.size() - i == 2) {
    unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8;
    out += {a[v >> 18 & 63], a[v >> 12 & 63], a[v >> 6 & 63], '='};
  }
  return "Basic " + out;
}

TEST(WebConfig, EmptyFileMeansPlainHttpWithoutAuth) {
  const auto c = parse_web_config("", "web.yml", false);
  EXPECT_FALSE(c.tls);
  EXPECT_TRUE(c.basic_auth_users.empty());
  EXPECT_EQ(describe(c), "tls=off basic_auth_users=0 headers=0");
}

TEST(WebConfig, ParsesEveryKeyAndResolvesRelativePaths) {
  const auto c = parse_web_config(R"(
tls_server_config:
  cert_file: server.crt
  key_file: /abs/server.key
  client_ca_file: certs/ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
  max_version: TLS13
basic_auth_users:
  prometheus: )" + std::string(kPromHash) +
                                      R"(
  alice: ')" + kHorseHash + "'\n",
                                  "/etc/fue/web.yml", false);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->cert_file, "/etc/fue/server.crt");
  EXPECT_EQ(c.tls->key_file, "/abs/server.key");
  EXPECT_EQ(c.tls->client_ca_file, "/etc/fue/certs/ca.crt");
  EXPECT_EQ(c.tls->client_auth_type, ClientAuthType::kRequireAndVerifyClientCert);
  EXPECT_EQ(c.tls->min_version, TlsVersion::kTls13);
  EXPECT_EQ(c.tls->max_version, TlsVersion::kTls13);
  ASSERT_EQ(c.basic_auth_users.size(), 2u);
  EXPECT_EQ(c.basic_auth_users.at("alice"), kHorseHash);
  EXPECT_EQ(describe(c),
            "tls=on min_version=TLS13 client_auth=RequireAndVerifyClientCert basic_auth_users=2 "
            "headers=0");
}

TEST(WebConfig, DefaultsAreTls12AndNoClientCert) {
  const auto c =
      parse_web_config("tls_server_config:\n  cert_file: a\n  key_file: b\n", "w.yml", false);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->min_version, TlsVersion::kTls12);
  EXPECT_EQ(c.tls->client_auth_type, ClientAuthType::kNoClientCert);
  EXPECT_FALSE(c.tls->max_version);
}

TEST(WebConfig, ErrorsNameTheFileAndTheKey) {
  struct Case {
    std::string yaml, key, message;
  };
  const std::vector<Case> cases = {
      {"tls_server_config:\n  key_file: k\n", "tls_server_config.cert_file", "missing"},
      {"tls_server_config:\n  cert_file: c\n", "tls_server_config.key_file", "missing"},
      {"tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: Always\n",
       "tls_server_config.client_auth_type", "unknown client auth type \"Always\""},
      {"tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: SSL3\n",
       "tls_server_config.min_version", "unknown TLS version"},
      {"tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS13\n"
       "  max_version: TLS12\n",
       "tls_server_config.max_version", "lower than min_version"},
      {"tls_server_config:\n  cert_file: c\n  key_file: k\n"
       "  client_auth_type: RequireAndVerifyClientCert\n",
       "tls_server_config.client_ca_file", "required"},
      {"tls_server_config:\n  cert_file: c\n  key_file: k\n  client_ca_file: ca\n",
       "tls_server_config.client_auth_type", "NoClientCert"},
      {"tls_server_config:\n  cert_file: c\n  key_file: k\n  cipher_suites: [x]\n",
       "tls_server_config.cipher_suites", "unknown name \"x\""},
      {"tls_server_config:\n  cert_file: c\n  key_file: k\n  session_tickets: x\n",
       "tls_server_config.session_tickets", "unsupported key"},
      {"tls_server_config:\n  cert_file: [c]\n  key_file: k\n", "tls_server_config.cert_file",
       "expected a string"},
      {"tls_server_config: yes\n", "tls_server_config", "expected a mapping"},
      {"http_server_config:\n  http3: false\n", "http_server_config.http3", "unsupported key"},
      {"basic_auth_users: [a, b]\n", "basic_auth_users", "expected a mapping"},
      {"basic_auth_users:\n  'a:b': " + std::string(kHorseHash) + "\n", "basic_auth_users.a:b",
       "no ':'"},
      {"basic_auth_users:\n  bob: {x: 1}\n", "basic_auth_users.bob", "expected a bcrypt hash"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    const std::string e = error_of(c.yaml);
    EXPECT_NE(e.find("web config /etc/fue/web.yml:"), std::string::npos) << e;
    EXPECT_NE(e.find(c.key + ":"), std::string::npos) << e;
    EXPECT_NE(e.find(c.message), std::string::npos) << e;
  }
}

// The rest of exporter-toolkit's schema, so a node_exporter web.yml is accepted as it is.
TEST(WebConfig, AcceptsExporterToolkitsWholeSchema) {
  const auto c = parse_web_config(R"(
tls_server_config:
  cert_file: a.crt
  key_file: a.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
  client_allowed_sans: [prometheus.example.com]
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
    Strict-Transport-Security: max-age=31536000
)",
                                  "/etc/fue/web.yml", false);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->cipher_list, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305");
  EXPECT_EQ(c.tls->groups_list, "X25519:P-256");
  EXPECT_FALSE(c.tls->prefer_server_cipher_suites);
  EXPECT_EQ(c.tls->client_allowed_sans, std::vector<std::string>{"prometheus.example.com"});
  EXPECT_FALSE(c.http.http2);
  ASSERT_EQ(c.http.headers.size(), 3u);
  EXPECT_EQ(c.http.headers[0], (std::pair<std::string, std::string>{"X-Frame-Options", "deny"}));
}

TEST(WebConfig, SchemaValuesAreCheckedAsExporterToolkitChecksThem) {
  const std::string tls = "tls_server_config:\n  cert_file: a\n  key_file: b\n";
  EXPECT_NE(error_of(tls + "  cipher_suites: [TLS_FANCY]\n")
                .find("tls_server_config.cipher_suites: unknown name \"TLS_FANCY\""),
            std::string::npos);
  EXPECT_NE(error_of(tls + "  curve_preferences: [P256]\n").find("curve_preferences"),
            std::string::npos);
  EXPECT_NE(error_of(tls + "  client_allowed_sans: [x]\n")
                .find("client_allowed_sans: needs a verified client certificate"),
            std::string::npos);
  EXPECT_NE(error_of("http_server_config:\n  headers:\n    X-Frame-Options: allow\n")
                .find("http_server_config.headers.X-Frame-Options: value \"allow\" is not allowed"),
            std::string::npos);
  EXPECT_NE(error_of("http_server_config:\n  headers:\n    Server: mine\n")
                .find("http_server_config.headers.Server: this header cannot be configured"),
            std::string::npos);
  EXPECT_NE(error_of("http_server_config:\n  http2: maybe\n").find("http2: expected true or false"),
            std::string::npos);
}

TEST(WebConfig, APlainPasswordInPlaceOfAHashIsRefusedWithoutRepeatingIt) {
  const std::string e = error_of("basic_auth_users:\n  bob: hunter2-plaintext\n");
  EXPECT_NE(e.find("web config /etc/fue/web.yml:2: basic_auth_users.bob: not a bcrypt hash"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  // A truncated hash and a wrong prefix are not bcrypt either.
  EXPECT_NE(error_of("basic_auth_users:\n  bob: '$2b$04$short'\n").find("not a bcrypt hash"),
            std::string::npos);
  std::string md5 = kHorseHash;
  md5[1] = '1';
  EXPECT_NE(error_of("basic_auth_users:\n  bob: '" + md5 + "'\n").find("not a bcrypt hash"),
            std::string::npos);
}

TEST(WebConfig, InvalidYamlNamesTheFileAndLine) {
  const std::string e = error_of("basic_auth_users:\n  bob: [unclosed\n");
  EXPECT_NE(e.find("web config /etc/fue/web.yml:"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
  EXPECT_NE(error_of("- a\n- b\n").find("expected a mapping at the top level"), std::string::npos);
}

TEST(WebConfig, MissingFilesAreNamedWithTheirKey) {
  EXPECT_THROW(load_web_config("/nonexistent/web.yml"), WebConfigError);
  try {
    load_web_config("/nonexistent/web.yml");
  } catch (const WebConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/web.yml"), std::string::npos);
  }
  test::TempDir dir("fue-webcfg");
  write_file(dir.file("web.yml"), "tls_server_config:\n  cert_file: nope.crt\n  key_file: k\n");
  try {
    load_web_config(dir.file("web.yml"));
    FAIL() << "expected an error";
  } catch (const WebConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("tls_server_config.cert_file: cannot load " + dir.file("nope.crt")),
              std::string::npos)
        << m;
  }
}

TEST(WebConfig, CertificateAndKeyThatDoNotMatchAreRefused) {
  test::TempDir dir("fue-webcfg");
  const std::string d = dir.path();
  std::string out;
  for (const char* name : {"a", "b"}) {
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 1 -subj /CN=x -keyout " +
        d + "/" + name + ".key -out " + d + "/" + name + ".crt 2>&1";
    ASSERT_EQ(run_command(cmd, &out), 0) << out;
  }
  write_file(dir.file("web.yml"), "tls_server_config:\n  cert_file: a.crt\n  key_file: b.key\n");
  try {
    load_web_config(dir.file("web.yml"));
    FAIL() << "expected an error";
  } catch (const WebConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("tls_server_config.key_file:"), std::string::npos)
        << e.what();
  }
  write_file(dir.file("web.yml"), "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n");
  EXPECT_TRUE(load_web_config(dir.file("web.yml")).tls);
}

TEST(WebConfig, TheShippedExampleParses) {
  const std::string path = std::string(FUE_SOURCE_DIR) + "/config/web-config.example.yml";
  const auto c = parse_web_config(read_file(path), path, false);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->client_auth_type, ClientAuthType::kRequireAndVerifyClientCert);
  EXPECT_EQ(c.tls->min_version, TlsVersion::kTls12);
  ASSERT_EQ(c.basic_auth_users.count("prometheus"), 1u);
  EXPECT_TRUE(bcrypt_verify("change-me", c.basic_auth_users.at("prometheus")));
}

TEST(Bcrypt, VerifiesOnlyTheRightPassword) {
  EXPECT_TRUE(bcrypt_verify("correct horse", kHorseHash));
  EXPECT_FALSE(bcrypt_verify("correct horse ", kHorseHash));
  EXPECT_FALSE(bcrypt_verify("", kHorseHash));
  EXPECT_FALSE(bcrypt_verify(std::string("correct horse\0x", 15), kHorseHash));
  // htpasswd writes $2y$, older tools $2a$: the same algorithm for these passwords.
  std::string y = kHorseHash, a = kHorseHash;
  y[2] = 'y';
  a[2] = 'a';
  EXPECT_TRUE(bcrypt_verify("correct horse", y));
  EXPECT_TRUE(bcrypt_verify("correct horse", a));
  // A hash with one character changed, a malformed one and a non-bcrypt one never match.
  std::string changed = kHorseHash;
  changed[40] = changed[40] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(bcrypt_verify("correct horse", changed));
  EXPECT_FALSE(bcrypt_verify("correct horse", "$2b$04$"));
  EXPECT_FALSE(bcrypt_verify("correct horse", "*0"));
  EXPECT_FALSE(bcrypt_verify("correct horse", ""));
}

TEST(BasicAuth, ChecksTheAuthorizationHeader) {
  BasicAuth auth(
      std::map<std::string, std::string>{{"alice", kHorseHash}, {"prometheus", kPromHash}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.check(basic("alice:correct horse")));
  EXPECT_TRUE(auth.check(basic("alice:correct horse")));  // now from the remembered digest
  EXPECT_TRUE(auth.check(basic("prometheus:s3cret-Pr0m")));
  EXPECT_FALSE(auth.check(basic("alice:wrong")));
  EXPECT_FALSE(auth.check(basic("prometheus:correct horse")));  // another user's password
  EXPECT_FALSE(auth.check(basic("mallory:correct horse")));     // unknown user
  EXPECT_FALSE(auth.check(basic("alice")));                     // no colon
  EXPECT_FALSE(auth.check(basic(":correct horse")));
  EXPECT_FALSE(auth.check(""));
  EXPECT_FALSE(auth.check("Basic"));
  EXPECT_FALSE(auth.check("Basic !!!!"));
  EXPECT_FALSE(auth.check("Bearer " + basic("alice:correct horse").substr(6)));
  // The scheme is case-insensitive (RFC 7617).
  EXPECT_TRUE(auth.check("basic " + basic("alice:correct horse").substr(6)));
  // The password may hold colons; only the first one separates the user.
  BasicAuth colon(std::map<std::string, std::string>{
      {"u", "$2b$04$e/7J4qUSV7A9Jk1r85ZNnunuShuDhCX0LF33mrdr2.q9u3cGl7Pze"}});  // "pa:ss"
  EXPECT_TRUE(colon.check(basic("u:pa:ss")));
  EXPECT_FALSE(colon.check(basic("u:pa")));
  EXPECT_FALSE(BasicAuth(std::map<std::string, std::string>{}).enabled());
}

TEST(BasicAuth, DecodesBase64Strictly) {
  std::string out;
  EXPECT_TRUE(decode_base64("YWxpY2U6cHc=", out));
  EXPECT_EQ(out, "alice:pw");
  EXPECT_TRUE(decode_base64("YQ==", out));
  EXPECT_EQ(out, "a");
  EXPECT_TRUE(decode_base64("", out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(decode_base64("YQ=", out));
  EXPECT_FALSE(decode_base64("Y=Q=", out));
  EXPECT_FALSE(decode_base64("YQ==YQ==", out));
  EXPECT_FALSE(decode_base64("YW*j", out));
}

TEST(RequestShape, QueryStringsMustBeWellFormed) {
  EXPECT_TRUE(valid_query_string("/metrics"));
  EXPECT_TRUE(valid_query_string("/probe?vendor=losant&target=a%20b"));
  EXPECT_TRUE(valid_query_string("/probe?vendor=losant&target=%E2%9C%93"));
  EXPECT_TRUE(valid_query_string("/metrics?"));
  EXPECT_FALSE(valid_query_string("/metrics?a=%"));
  EXPECT_FALSE(valid_query_string("/metrics?a=%4"));
  EXPECT_FALSE(valid_query_string("/metrics?a=%zz"));
  EXPECT_FALSE(valid_query_string("/probe?vendor=%00"));
  EXPECT_FALSE(valid_query_string("/probe?vendor=%0d%0aSet-Cookie:x"));
  EXPECT_FALSE(valid_query_string(std::string("/probe?vendor=a\x01", 16)));
}

TEST(RequestShape, TooManyOrTooLargeHeadersGet431) {
  WebServerOptions options;
  httplib::Headers headers{{"Host", "x"}};
  EXPECT_FALSE(check_request_shape("/metrics", headers, options));
  for (size_t i = 0; i < options.max_header_count; ++i)
    headers.emplace("X-H" + std::to_string(i), "v");
  auto r = check_request_shape("/metrics", headers, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  httplib::Headers big;
  for (int i = 0; i < 5; ++i) big.emplace("X-Big" + std::to_string(i), std::string(8000, 'a'));
  r = check_request_shape("/metrics", big, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  r = check_request_shape("/metrics?%", {{"Host", "x"}}, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST(WebFlags, ConfigFileAndReloadSwitch) {
  auto f = cli::parse_flags(std::vector<std::string>{});
  EXPECT_EQ(f.web_config_file, "");
  EXPECT_TRUE(f.enable_reload);
  f = cli::parse_flags({"--web.config.file=/etc/web.yml", "--no-web.enable-reload"});
  EXPECT_EQ(f.web_config_file, "/etc/web.yml");
  EXPECT_FALSE(f.enable_reload);
  EXPECT_FALSE(cli::parse_flags({"--web.enable-reload=false"}).enable_reload);
  EXPECT_TRUE(cli::parse_flags({"--web.enable-reload"}).enable_reload);
  EXPECT_THROW(cli::parse_flags({"--web.enable-reload=maybe"}), cli::FlagError);
  // --no- applies to boolean flags only.
  EXPECT_THROW(cli::parse_flags({"--no-web.config.file"}), cli::FlagError);
  EXPECT_THROW(cli::parse_flags({"--no-web.enable-reload=true"}), cli::FlagError);
  const std::string usage = cli::usage();
  EXPECT_NE(usage.find("--web.config.file"), std::string::npos);
  EXPECT_NE(usage.find("--web.enable-reload"), std::string::npos);
}

}  // namespace
}  // namespace fue
