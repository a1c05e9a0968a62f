// The Keystone-style IAM vendors (KooPhone and KakaoCloud BCS) against the simulator, counted by
// route: 5 probes of a module account and a reload of an unchanged config reuse the target (one
// exchange, one listing), 4 concurrent 401s renew once, a token living less than the 5-minute
// refresh margin is reused, and every KooPhone attempt carries a fresh x-request-id.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <set>

#include "exporter/config/config.h"
#include "exporter/server/probe_handler.h"
#include "scrapers/registry.h"
#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace sim {
// Test hooks defined in tests/vendor-sim/koophone.cpp.
std::vector<std::pair<std::string, std::string>> koophone_request_ids();
void koophone_clear_request_ids();
}  // namespace sim

namespace fue::test {
namespace {

struct IamVendor {
  std::string key;
  std::string iam_route;     // the token exchange, as /_sim/stats counts it
  std::string list_route;    // the listing
  std::string api_prefix;    // where API faults aim (not the IAM route)
  std::string credentials;   // the credential keys of one account, as TOML lines
  std::string secret_key;    // one secret among them...
  std::string secret_value;  // ...and its value
};

const std::vector<IamVendor> kIamVendors = {
    {"koophone", "POST /koophone/v3/auth/tokens", "GET /koophone/v1/instances/batch-query",
     "/v1/instances",
     "username = \"sim-user\"\npassword = \"sim-huawei-password\"\ndomain = \"sim-domain\"\n",
     "password", "sim-huawei-password"},
    {"kakaocloud_bcs", "POST /kakaocloud_bcs/identity/v3/auth/tokens",
     "GET /kakaocloud_bcs/api/v1/instances", "/api/v1/instances",
     "application_credential_id = \"sim-kakao-id\"\n"
     "application_credential_secret = \"sim-kakao-secret\"\n",
     "application_credential_secret", "sim-kakao-secret"},
};

// The vendor's keys pointing at the simulator (base_url and iam_url), without credentials.
std::string sim_keys(const IamVendor& v, const InProcessSim& sim) {
  return "base_url = \"" + sim.url(v.key) + "\"\niam_url = \"" + sim.url(v.key) + "\"\n";
}

std::string target_table(const IamVendor& v, const InProcessSim& sim, const std::string& extra) {
  return "[[" + v.key + "]]\nname = \"t\"\n" + sim_keys(v, sim) + v.credentials + extra + "\n";
}

class KeystoneAuth : public ::testing::TestWithParam<IamVendor> {
 protected:
  const IamVendor& v() const { return GetParam(); }
  int exchanges() const { return sim.route_requests(v().iam_route); }
  int listings() const { return sim.route_requests(v().list_route); }

  InProcessSim sim;
  TempDir dir{"fue-keystone-auth"};
};

// Defect 2: the settings reported no secrets, so every probe rebuilt the account's target.
TEST_P(KeystoneAuth, FiveProbesOfAModuleAccountMakeOneExchangeAndOneListing) {
  std::filesystem::create_directories(dir.file("accounts"));
  write_file(dir.file("accounts/acme.toml"), v().credentials);
  write_file(dir.file("config.toml"), "[module.m]\nvendor = \"" + v().key +
                                          "\"\ncredentials_dir = \"accounts\"\n"
                                          "min_interval = \"1h\"\n" +
                                          sim_keys(v(), sim));
  Engine engine(builtin_vendors(), std::make_shared<SelfMetrics>());
  engine.apply(std::make_shared<const ExporterConfig>(
      load_config(dir.file("config.toml"), builtin_vendors())));
  for (int i = 0; i < 5; ++i) {
    httplib::Request req;
    req.params = {{"module", "m"}, {"target", "acme"}};
    httplib::Response res;
    handle_probe(engine, req, res);
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_NE(res.body.find("\nprobe_success 1\n"), std::string::npos) << res.body;
  }
  EXPECT_EQ(exchanges(), 1) << "IAM token exchanges for 5 probes";
  EXPECT_EQ(listings(), 1) << "listings for 5 probes with min_interval 1h";
  EXPECT_EQ(engine.adhoc_runners(), 1u);
}

// Defect 2, on reload: an unchanged config keeps each target's client, token and cache. The
// password comes from a file, as a rotated secret would.
TEST_P(KeystoneAuth, AReloadOfAnUnchangedConfigMakesNoExchange) {
  std::string credentials = v().credentials;
  const std::string inline_line = v().secret_key + " = \"" + v().secret_value + "\"";
  credentials.replace(credentials.find(inline_line), inline_line.size(),
                      v().secret_key + "_file = \"" + dir.file("secret") + "\"");
  write_file(dir.file("secret"), v().secret_value + "\n");
  write_file(dir.file("config.toml"), "[[" + v().key + "]]\nname = \"t\"\nmin_interval = \"1h\"\n" +
                                          sim_keys(v(), sim) + credentials);
  Engine engine(builtin_vendors(), std::make_shared<SelfMetrics>());
  auto load = [&] {
    return std::make_shared<const ExporterConfig>(
        load_config(dir.file("config.toml"), builtin_vendors()));
  };
  engine.apply(load());
  ASSERT_TRUE(engine.collect_all(std::nullopt).all_up) << engine.status().at(0).last_error;
  for (int i = 0; i < 3; ++i) {
    engine.apply(load());
    ASSERT_TRUE(engine.collect_all(std::nullopt).all_up) << engine.status().at(0).last_error;
  }
  EXPECT_EQ(exchanges(), 1) << "IAM token exchanges after 3 reloads of an unchanged config";
  EXPECT_EQ(listings(), 1) << "the min_interval cache survives the reloads";

  // A rotated secret at the same path does rebuild the target.
  write_file(dir.file("secret"), "rotated-" + v().secret_value + "\n");
  engine.apply(load());
  engine.collect_all(std::nullopt);
  EXPECT_EQ(exchanges(), 2);
}

// Defect 3: pages 2..5 in flight together all meet a 401 with the same token.
TEST_P(KeystoneAuth, FourConcurrent401sRenewOnce) {
  sim.server().set_knobs(v().key, fleet_knobs(25));
  TestExporter exporter(sim, target_table(v(), sim, "page_size = 5\nconcurrency = 4\n"));
  ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  ASSERT_EQ(exchanges(), 1);
  ASSERT_EQ(listings(), 5);
  sim::Fault f;
  f.vendor = v().key;
  f.path_prefix = v().api_prefix;
  f.after = 1;  // page 1 passes; the other 4 are held until all are in flight, then get 401
  f.times = 4;
  f.concurrent = 4;
  f.status = 401;
  sim.add_fault(f);
  auto result = exporter.collect();
  ASSERT_TRUE(result.all_up) << exporter.last_error();
  EXPECT_EQ(exchanges() - 1, 1) << "renewals for 4 concurrent 401s";
  EXPECT_EQ(listings(), 5 + 5 + 4);  // each rejected page retried once
}

// Defect 3: a token living less than the fixed 5-minute margin was exchanged on every request.
TEST_P(KeystoneAuth, ATokenLivingLessThanFiveMinutesIsReused) {
  sim::VendorKnobs knobs;
  knobs.token_ttl_seconds = 120;
  sim.server().set_knobs(v().key, knobs);
  TestExporter exporter(sim, target_table(v(), sim, ""));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  EXPECT_EQ(exchanges(), 1) << "exchanges for 3 collections with a 120 s token";
  EXPECT_EQ(listings(), 3);
}

INSTANTIATE_TEST_SUITE_P(Vendors, KeystoneAuth, ::testing::ValuesIn(kIamVendors),
                         [](const auto& info) { return info.param.key; });

// Defect 4: a retried KooPhone request carried the failed attempt's x-request-id.
TEST(KoophoneRequestId, EveryAttemptCarriesAFreshOne) {
  InProcessSim sim;
  const IamVendor& v = kIamVendors.at(0);
  TestExporter exporter(sim, target_table(v, sim, ""));
  ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  sim::Fault f;
  f.vendor = "koophone";
  f.path_prefix = v.api_prefix;
  f.times = 2;
  f.status = 503;  // retried with backoff (max_attempts 3)
  sim.add_fault(f);
  sim::koophone_clear_request_ids();
  ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  const auto ids = sim::koophone_request_ids();
  ASSERT_EQ(ids.size(), 3u);  // two 503s, then the answer
  std::set<std::string> distinct;
  for (const auto& [query, header] : ids) {
    EXPECT_EQ(query.size(), 36u) << query;
    EXPECT_EQ(query, header) << "the query and header copies differ";
    distinct.insert(query);
  }
  EXPECT_EQ(distinct.size(), 3u) << "a retry reused an x-request-id";

  // A 401 renewal is a new attempt too.
  f.times = 1;
  f.status = 401;
  sim.add_fault(f);
  sim::koophone_clear_request_ids();
  ASSERT_TRUE(exporter.collect().all_up) << exporter.last_error();
  const auto renewed = sim::koophone_request_ids();
  ASSERT_EQ(renewed.size(), 2u);
  EXPECT_NE(renewed[0].first, renewed[1].first);
}

}  // namespace
}  // namespace fue::test
