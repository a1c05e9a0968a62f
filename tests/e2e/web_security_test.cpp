// The real fleet-usage-exporter binary protecting its endpoints: TLS, client certificates and
// basic auth from an exporter-toolkit web config file (certificates made with the openssl CLI at
// test time), and bad input on its own endpoints: huge headers, bad query strings, slowloris
// clients, many connections, and the /-/reload rules.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "tests/support/harness.h"
#include "tests/support/raw_http.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

using namespace std::chrono_literals;

// bcrypt (cost 4, made with libxcrypt) of "s3cret-Pr0m".
constexpr const char* kPassword = "s3cret-Pr0m";
constexpr const char* kPromHash = "$2b$04$jdqeXVpgl050cfCzkQlHAePOT2nJOpBH64.xTSmdcUNfMBS4oNOjq";

constexpr const char* kConfig =
    "[[losant]]\nname = \"losant-sec\"\nbase_url = \"{{SIM}}/losant\"\n"
    "token = \"sim-losant-token\"\ninstance_ids = [\"5ff89ff825013dc6c2856188\"]\n"
    "min_interval = \"1m\"\n";

void openssl(const std::string& args) {
  std::string out;
  ASSERT_EQ(run_command("openssl " + args + " 2>&1", &out), 0) << "openssl " << args << "\n" << out;
}

class WebSecurity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A refused TLS handshake can leave the client writing to a closed socket.
    std::signal(SIGPIPE, SIG_IGN);
    certs_ = new TempDir("fue-websec");
    sim_ = new SimProcess();
    const std::string d = certs_->path() + "/";
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    // A CA, a server certificate for 127.0.0.1 and a client certificate it signed; and a rogue CA
    // with a client certificate of its own.
    for (const std::string ca : {"ca", "rogue-ca"})
      openssl("req -x509 " + ec + "-days 2 -subj /CN=" + ca + " -keyout " + d + ca + ".key -out " +
              d + ca + ".crt");
    write_file(d + "server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    struct Leaf {
      std::string name, ca, ext;
    };
    for (const Leaf& leaf : {Leaf{"server", "ca", "-extfile " + d + "server.ext"},
                             Leaf{"client", "ca", ""}, Leaf{"rogue-client", "rogue-ca", ""}}) {
      openssl("req " + ec + "-subj /CN=" + leaf.name + " -keyout " + d + leaf.name + ".key -out " +
              d + leaf.name + ".csr");
      openssl("x509 -req -days 2 -in " + d + leaf.name + ".csr -CA " + d + leaf.ca +
              ".crt -CAkey " + d + leaf.ca + ".key -CAcreateserial -out " + d + leaf.name +
              ".crt " + leaf.ext);
    }
  }
  static void TearDownTestSuite() {
    delete sim_;
    delete certs_;
  }

  static std::string cert(const std::string& name) { return certs_->file(name); }

  // An exporter with a web config file holding `web_yaml` (paths relative to the cert folder).
  std::unique_ptr<ExporterProcess> start_with_web_config(const std::string& web_yaml,
                                                         std::vector<std::string> extra = {}) {
    const std::string path = certs_->file("web-" + std::to_string(++web_configs_) + ".yml");
    write_file(path, web_yaml);
    extra.push_back("--web.config.file=" + path);
    return std::make_unique<ExporterProcess>(kConfig, sim_->base(), extra);
  }

  static std::unique_ptr<httplib::SSLClient> tls_client(int port, const std::string& client = "") {
    auto c = client.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port)
                            : std::make_unique<httplib::SSLClient>(
                                  "127.0.0.1", port, cert(client + ".crt"), cert(client + ".key"));
    c->set_ca_cert_path(cert("ca.crt").c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(10, 0);
    c->set_read_timeout(30, 0);
    return c;
  }

  // Polls until a TLS GET of path answers anything (the exporter has loaded and listens).
  static void wait_tls(httplib::SSLClient& c, const std::string& path = "/-/healthy") {
    for (int i = 0; i < 200 && !c.Get(path.c_str()); ++i) std::this_thread::sleep_for(50ms);
  }

  static TempDir* certs_;
  static SimProcess* sim_;
  int web_configs_ = 0;
};

TempDir* WebSecurity::certs_ = nullptr;
SimProcess* WebSecurity::sim_ = nullptr;

TEST_F(WebSecurity, BasicAuthOverTls) {
  auto exporter = start_with_web_config(
      "tls_server_config:\n  cert_file: server.crt\n"
      "  key_file: server.key\nbasic_auth_users:\n  prometheus: " +
      std::string(kPromHash) + "\n");
  auto c = tls_client(exporter->port());
  c->set_basic_auth("prometheus", kPassword);
  wait_tls(*c);

  // The right password.
  auto r = c->Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error()) << "\n" << exporter->log();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("losant_"), std::string::npos);
  EXPECT_NE(r->body.find("fleet_usage_exporter_"), std::string::npos);
  expect_promtool_ok(r->body);

  // No password: 401 with a challenge, on every endpoint.
  auto anonymous = tls_client(exporter->port());
  for (const char* path : {"/metrics", "/", "/-/healthy", "/probe?vendor=losant&target=x"}) {
    SCOPED_TRACE(path);
    r = anonymous->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"),
              "Basic realm=\"fleet-usage-exporter\", charset=\"UTF-8\"");
    EXPECT_EQ(r->body.find("losant"), std::string::npos);
  }
  r = anonymous->Post("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);

  // A wrong password, an unknown user, the right password for the wrong user.
  for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
           {"prometheus", "s3cret-Pr0M"}, {"nobody", kPassword}, {"prometheus", ""}}) {
    auto wrong = tls_client(exporter->port());
    wrong->set_basic_auth(user.c_str(), password.c_str());
    r = wrong->Get("/metrics");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << user;
  }

  // Plain HTTP to the TLS port gets no HTTP answer, and TLS clients are still served after it.
  httplib::Client plain("127.0.0.1", exporter->port());
  plain.set_read_timeout(10, 0);
  auto p = plain.Get("/metrics");
  EXPECT_TRUE(!p || p->status >= 400);
  if (p) {
    EXPECT_EQ(p->body.find("losant_"), std::string::npos);
  }
  r = c->Get("/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(exporter->running());

  // Neither the password nor its hash reaches the log.
  const std::string log = exporter->log();
  EXPECT_EQ(log.find(kPassword), std::string::npos);
  EXPECT_EQ(log.find(kPromHash), std::string::npos);
  EXPECT_NE(log.find("tls=on"), std::string::npos) << log;
}

TEST_F(WebSecurity, ClientCertificatesAreVerifiedAgainstTheClientCa) {
  auto exporter = start_with_web_config(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n");
  auto good = tls_client(exporter->port(), "client");
  wait_tls(*good);
  auto r = good->Get("/metrics");
  ASSERT_TRUE(r) << httplib::to_string(r.error()) << "\n" << exporter->log();
  EXPECT_EQ(r->status, 200);

  // No client certificate, and one from another CA: no answer.
  auto none = tls_client(exporter->port());
  EXPECT_FALSE(none->Get("/metrics"));
  auto rogue = tls_client(exporter->port(), "rogue-client");
  EXPECT_FALSE(rogue->Get("/metrics"));
  // The refused handshakes did not disturb the server.
  r = good->Get("/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(exporter->running());
}

TEST_F(WebSecurity, VerifyClientCertIfGivenAcceptsNoneButNotABadOne) {
  auto exporter = start_with_web_config(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  client_ca_file: ca.crt\n  client_auth_type: VerifyClientCertIfGiven\n");
  auto none = tls_client(exporter->port());
  wait_tls(*none);
  auto r = none->Get("/-/healthy");
  ASSERT_TRUE(r) << exporter->log();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(tls_client(exporter->port(), "client")->Get("/-/healthy"));
  EXPECT_FALSE(tls_client(exporter->port(), "rogue-client")->Get("/-/healthy"));
}

TEST_F(WebSecurity, ClientAllowedSansNarrowTheVerifiedCertificates) {
  // The client certificate names CN=client and no SAN; OpenSSL then matches the CN, as Go does.
  auto allowed = start_with_web_config(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_allowed_sans: [client]\n");
  auto good = tls_client(allowed->port(), "client");
  wait_tls(*good);
  auto r = good->Get("/-/healthy");
  ASSERT_TRUE(r) << allowed->log();
  EXPECT_EQ(r->status, 200);
  auto other = start_with_web_config(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_allowed_sans: [prometheus.example.com]\n");
  EXPECT_FALSE(tls_client(other->port(), "client")->Get("/-/healthy"));
  EXPECT_TRUE(other->running());
}

// The web config is read again on SIGHUP like the config: users and headers change for the next
// request, and a bad file keeps the last good one.
TEST_F(WebSecurity, WebConfigReloadsOnSighupAndKeepsTheLastGoodOne) {
  const std::string path = certs_->file("reloaded-web.yml");
  write_file(path, std::string("basic_auth_users:\n  prometheus: '") + kPromHash +
                       "'\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n");
  ExporterProcess exporter(kConfig, sim_->base(), {"--web.config.file=" + path});
  httplib::Client c("127.0.0.1", exporter.port());
  c.set_read_timeout(30, 0);
  auto r = c.Get("/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("X-Frame-Options"), "deny");

  write_file(path, "http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n");
  ASSERT_EQ(kill(exporter.pid(), SIGHUP), 0);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    r = c.Get("/-/healthy");
    if (r && r->status == 200) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << exporter.log();
  EXPECT_EQ(r->get_header_value("X-Frame-Options"), "sameorigin");

  write_file(path, "http_server_config:\n  headers:\n    X-Frame-Options: allow-all\n");
  ASSERT_EQ(kill(exporter.pid(), SIGHUP), 0);
  const auto logged = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < logged &&
         exporter.log().find("web config reload failed") == std::string::npos)
    std::this_thread::sleep_for(50ms);
  EXPECT_NE(exporter.log().find("web config reload failed"), std::string::npos) << exporter.log();
  r = c.Get("/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("X-Frame-Options"), "sameorigin");
  // POST /-/reload says so too.
  r = c.Post("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("X-Frame-Options"), std::string::npos) << r->body;
}

TEST_F(WebSecurity, MinVersionTls13RefusesTls12) {
  auto exporter = start_with_web_config(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  min_version: TLS13\n");
  auto modern = tls_client(exporter->port());
  wait_tls(*modern);
  auto r = modern->Get("/-/healthy");
  ASSERT_TRUE(r) << exporter->log();
  EXPECT_EQ(r->status, 200);

  auto old = tls_client(exporter->port());
  SSL_CTX_set_max_proto_version(old->ssl_context(), TLS1_2_VERSION);
  EXPECT_FALSE(old->Get("/-/healthy"));
  // The same TLS 1.2 client is served by a server left at the default (TLS12).
  auto lenient = start_with_web_config(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
  auto old2 = tls_client(lenient->port());
  SSL_CTX_set_max_proto_version(old2->ssl_context(), TLS1_2_VERSION);
  wait_tls(*old2);
  r = old2->Get("/-/healthy");
  ASSERT_TRUE(r) << lenient->log();
  EXPECT_EQ(r->status, 200);
}

TEST_F(WebSecurity, ABadWebConfigStopsTheStartWithTheFileAndKey) {
  const std::string path = certs_->file("bad-web.yml");
  write_file(path, "tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n");
  std::string out;
  const std::string config = certs_->file("c.toml");
  write_file(config, substitute(kConfig, sim_->base()));
  const int rc =
      run_command(std::string(FUE_EXPORTER_BIN) + " --config.file=" + config +
                      " --web.listen-address=127.0.0.1:0 --web.config.file=" + path + " 2>&1",
                  &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find(path), std::string::npos) << out;
  EXPECT_NE(out.find("tls_server_config.cert_file"), std::string::npos) << out;
}

class BadInput : public WebSecurity {
 protected:
  static void SetUpTestSuite() {
    WebSecurity::SetUpTestSuite();
    exporter_ = new ExporterProcess(kConfig, sim_->base());
  }
  static void TearDownTestSuite() {
    delete exporter_;
    WebSecurity::TearDownTestSuite();
  }
  static int port() { return exporter_->port(); }
  static ExporterProcess* exporter_;
};
ExporterProcess* BadInput::exporter_ = nullptr;

TEST_F(BadInput, HugeHeadersGet4xx) {
  // One header line over cpp-httplib's 8 KiB line limit: 400.
  EXPECT_EQ(raw_status(port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                   std::string(20000, 'a') + "\r\nConnection: close\r\n\r\n"),
            400);
  // Many small headers: 431.
  std::string many = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(raw_status(port(), many + "Connection: close\r\n\r\n"), 431);
  // Headers each under the line limit but over 32 KiB together: 431.
  std::string big = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 6; ++i)
    big += "X-B" + std::to_string(i) + ": " + std::string(7000, 'b') + "\r\n";
  EXPECT_EQ(raw_status(port(), big + "Connection: close\r\n\r\n"), 431);
  // A request line over 8 KiB: 414.
  EXPECT_EQ(raw_status(port(), "GET /metrics?" + std::string(9000, 'q') +
                                   " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            414);
  // A body over the 64 KiB limit: 413.
  EXPECT_EQ(raw_status(port(),
                       "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                       "Connection: close\r\n\r\n" +
                           std::string(100000, 'x')),
            413);
  EXPECT_EQ(exporter_->get("/-/healthy").first, 200);
}

TEST_F(BadInput, BadQueryStringsGet400) {
  for (const char* target :
       {"/metrics?a=%", "/metrics?a=%zz", "/probe?vendor=%00&target=x",
        "/probe?vendor=losant&target=%0d%0aX-Injected:%201", "/metrics?a=%4"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(raw_status(port(), std::string("GET ") + target +
                                     " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
              400);
  }
  // Garbage request lines.
  EXPECT_EQ(raw_status(port(), "GARBAGE\r\n\r\n"), 400);
  EXPECT_EQ(raw_status(port(), "GET /metrics HTTP/1.1 extra\r\nHost: x\r\n\r\n"), 400);
  // Well-formed ones still work; unknown parameters on /metrics are ignored.
  EXPECT_EQ(exporter_->get("/metrics?foo=bar%20baz").first, 200);
  EXPECT_EQ(exporter_->get("/-/healthy").first, 200);
}

TEST_F(BadInput, ReloadIsPostOnly) {
  httplib::Client c("127.0.0.1", port());
  c.set_read_timeout(30, 0);
  auto r = c.Get("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  for (const auto& result : {c.Put("/-/reload", "", "text/plain"), c.Delete("/-/reload"),
                             c.Patch("/-/reload", "", "text/plain")}) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 405);
  }
  r = c.Post("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(WebSecurity, ReloadCanBeDisabled) {
  ExporterProcess exporter(kConfig, sim_->base(), {"--no-web.enable-reload"});
  httplib::Client c("127.0.0.1", exporter.port());
  c.set_read_timeout(30, 0);
  for (int i = 0; i < 200 && !c.Get("/-/healthy"); ++i) std::this_thread::sleep_for(50ms);
  auto r = c.Post("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("disabled"), std::string::npos);
  r = c.Get("/-/reload");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(exporter.get("/metrics").first, 200);
}

TEST_F(BadInput, SlowlorisClientsDoNotStopOthersAndAreTimedOut) {
  // More half-sent requests than cpp-httplib's default pool has threads (8 on this machine).
  constexpr int kSlow = 24;
  std::vector<int> slow;
  for (int i = 0; i < kSlow; ++i) {
    const int fd = connect_raw(port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(200ms);  // let the server pick them all up
  // Another client is served while every slow connection is still open.
  const auto before = std::chrono::steady_clock::now();
  const auto [status, body] = exporter_->get("/-/healthy", 10);
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_EQ(status, 200);
  int open = 0;
  for (int fd : slow) open += closed_by_peer(fd, 0) ? 0 : 1;
  EXPECT_EQ(open, kSlow) << "slow connections were closed before the other client was served "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                         << " ms";
  // The server closes each stalled connection after its read timeout (5 s).
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  int closed = 0;
  for (int fd : slow) {
    bool gone = false;
    while (!gone && std::chrono::steady_clock::now() < deadline) gone = closed_by_peer(fd, 200);
    closed += gone ? 1 : 0;
    close(fd);
  }
  EXPECT_EQ(closed, kSlow);
  EXPECT_TRUE(exporter_->running());
}

TEST_F(BadInput, ManyConcurrentConnectionsAreAllServed) {
  // 200 idle connections that never send a byte, then 32 clients scraping at once.
  std::vector<int> idle;
  for (int i = 0; i < 200; ++i) {
    const int fd = connect_raw(port());
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> scrapers;
  for (int i = 0; i < 32; ++i)
    scrapers.emplace_back([&] {
      httplib::Client c("127.0.0.1", port());
      c.set_read_timeout(30, 0);
      for (int j = 0; j < 3; ++j) {
        auto r = c.Get("/metrics");
        (r && r->status == 200 ? ok : failed)++;
      }
    });
  for (auto& t : scrapers) t.join();
  EXPECT_EQ(ok.load(), 96);
  EXPECT_EQ(failed.load(), 0);
  for (int fd : idle) close(fd);
  EXPECT_EQ(exporter_->get("/-/healthy").first, 200);
  EXPECT_TRUE(exporter_->running());
}

}  // namespace
}  // namespace fue::test
