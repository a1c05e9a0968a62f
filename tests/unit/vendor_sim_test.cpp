// The simulator core over real loopback HTTP, with a test vendor registered here (not the real
// vendors): counting, auth, every fault kind, knobs, the control API and concurrency.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <stdexcept>
#include <thread>

#include "tests/vendor-sim/sim.h"

namespace {

using sim::Json;
using Clock = std::chrono::steady_clock;

const char* kItems = R"({"items":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"total":2,"ok":true})";

std::string temp_fixtures() {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("vendor_sim_test_" + std::to_string(getpid()));
  fs::create_directories(dir / "acme");
  std::ofstream(dir / "acme" / "good.json") << R"({"fleet": [1, 2, 3]})";
  std::ofstream(dir / "acme" / "bad.json") << R"({"fleet": [1, 2,)";
  return dir.string();
}

void register_test_vendors(sim::Server& s) {
  s.add_vendor({"acme",
                [](int status, const std::string& message) {
                  return Json{{"code", status}, {"msg", message}}.dump();
                },
                [](httplib::Response& res) { res.set_header("X-Acme", "yes"); }});
  s.add_vendor({"other", nullptr, nullptr});
  auto acme_auth = [](const httplib::Request& req) {
    return req.get_header_value("Authorization") == "Bearer good";
  };
  s.get("acme", "/items", acme_auth, [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kItems, "application/json");
  });
  s.get("acme", R"(/items/(\d+))", acme_auth,
        [](const httplib::Request& req, httplib::Response& res) {
          res.set_content(Json{{"id", std::stoi(req.matches[1])}}.dump(), "application/json");
        });
  s.get("acme", "/knobs", acme_auth, [&s](const httplib::Request&, httplib::Response& res) {
    const auto k = s.knobs("acme");
    res.set_content(Json{{"fleet_size", k.fleet_size}, {"seed", k.seed}}.dump(),
                    "application/json");
  });
  s.get("acme", "/teapot", acme_auth, [&s](const httplib::Request&, httplib::Response& res) {
    s.error("acme", res, 418, "short and stout");
  });
  s.get("acme", "/boom", acme_auth,
        [](const httplib::Request&, httplib::Response&) { throw std::runtime_error("kaboom"); });
  s.post("acme", "/echo", acme_auth, [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "application/json");
  });
  s.get("other", "/ping", nullptr, [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"pong":true})", "application/json");
  });
}

class VendorSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<sim::Server>(
        temp_fixtures(), std::map<std::string, sim::VendorKnobs>{{"acme", {7, 99, 0}}});
    register_test_vendors(*server_);
    ASSERT_TRUE(server_->listen("127.0.0.1", 0));
    ASSERT_GT(server_->bound_port(), 0);
  }
  void TearDown() override { server_->stop(); }

  std::unique_ptr<httplib::Client> client() {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", server_->bound_port());
    c->set_default_headers({{"Authorization", "Bearer good"}});
    c->set_read_timeout(20, 0);
    return c;
  }
  httplib::Result get(const std::string& path) { return client()->Get(path.c_str()); }
  httplib::Result control(const std::string& path, const std::string& body) {
    return client()->Post(path.c_str(), body, "application/json");
  }
  void add(const std::string& fault_json) {
    server_->add_fault(sim::fault_from_json(Json::parse(fault_json)));
  }

  std::unique_ptr<sim::Server> server_;
};

TEST_F(VendorSimTest, ServesRoutesUnderTheVendorMountAndCountsThem) {
  auto r = get("/acme/items");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(r->body), Json::parse(kItems));
  EXPECT_EQ(r->get_header_value("X-Acme"), "yes");
  ASSERT_TRUE(get("/acme/items/5"));
  ASSERT_TRUE(get("/acme/items/5"));
  ASSERT_TRUE(get("/other/ping"));
  ASSERT_TRUE(get("/_sim/healthy"));  // the control API is not counted

  const auto stats = server_->stats();
  EXPECT_EQ(stats["total"], 4);
  EXPECT_EQ(stats["by_vendor"]["acme"], 3);
  EXPECT_EQ(stats["by_vendor"]["other"], 1);
  EXPECT_EQ(stats["by_route"]["GET /acme/items/5"], 2);
  EXPECT_EQ(stats["by_route"]["GET /acme/items"], 1);
  EXPECT_EQ(Json::parse(get("/acme/items/12")->body)["id"], 12);
}

TEST_F(VendorSimTest, WrongCredentialsGetTheVendorsOwn401) {
  httplib::Client anonymous("127.0.0.1", server_->bound_port());
  auto r = anonymous.Get("/acme/items");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Json::parse(r->body)["code"], 401);
  EXPECT_EQ(r->get_header_value("X-Acme"), "yes");  // decorate runs on errors too
  EXPECT_EQ(server_->stats()["total"], 1);          // rejected requests still count

  anonymous.set_default_headers({{"Authorization", "Bearer wrong"}});
  EXPECT_EQ(anonymous.Get("/acme/items")->status, 401);
  EXPECT_EQ(anonymous.Get("/other/ping")->status, 200);  // no auth check on this route
}

TEST_F(VendorSimTest, ErrorUsesTheVendorBodyOrAGenericOne) {
  auto r = get("/acme/teapot");
  EXPECT_EQ(r->status, 418);
  EXPECT_EQ(Json::parse(r->body), (Json{{"code", 418}, {"msg", "short and stout"}}));

  httplib::Response res;
  server_->error("other", res, 404, "gone");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(Json::parse(res.body), (Json{{"error", "gone"}}));
}

TEST_F(VendorSimTest, UnknownPathsAndThrowingHandlersAnswerInTheVendorFormat) {
  auto missing = get("/acme/nope");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json::parse(missing->body)["code"], 404);
  auto boom = get("/acme/boom");
  EXPECT_EQ(boom->status, 500);
  EXPECT_NE(Json::parse(boom->body)["msg"].get<std::string>().find("kaboom"), std::string::npos);
}

TEST_F(VendorSimTest, StatusFaultUsesItsBodyOrTheVendorErrorAndItsHeaders) {
  add(R"({"vendor": "acme", "status": 429, "headers": {"Retry-After": "7"}, "times": 1})");
  auto limited = get("/acme/items");
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "7");
  EXPECT_EQ(Json::parse(limited->body)["code"], 429);
  EXPECT_EQ(get("/acme/items")->status, 200);

  add(R"({"status": 502, "body": "<html>bad gateway</html>", "times": 1})");
  auto gateway = get("/acme/items");
  EXPECT_EQ(gateway->status, 502);
  EXPECT_EQ(gateway->body, "<html>bad gateway</html>");
}

TEST_F(VendorSimTest, Status200WithBodyOverridesTheServedJson) {
  add(R"({"vendor": "acme", "path_prefix": "/items", "status": 200, "body": {"items": []}})");
  auto r = get("/acme/items");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(r->body), (Json{{"items", Json::array()}}));
}

TEST_F(VendorSimTest, AuthIsCheckedBeforeAFaultStatus) {
  add(R"({"status": 503})");
  httplib::Client anonymous("127.0.0.1", server_->bound_port());
  EXPECT_EQ(anonymous.Get("/acme/items")->status, 401);
  EXPECT_EQ(get("/acme/items")->status, 503);
}

TEST_F(VendorSimTest, TimesCountsDownAndRemovesTheRule) {
  add(R"({"status": 503, "times": 2})");
  EXPECT_EQ(get("/acme/items")->status, 503);
  EXPECT_EQ(server_->faults().at(0).times, 1);
  EXPECT_EQ(get("/other/ping")->status, 503);
  EXPECT_TRUE(server_->faults().empty());
  EXPECT_EQ(get("/acme/items")->status, 200);
}

TEST_F(VendorSimTest, AfterLetsRequestsThroughBeforeTheRuleApplies) {
  add(R"({"status": 503, "times": 1, "after": 2})");
  EXPECT_EQ(get("/acme/items")->status, 200);
  EXPECT_EQ(get("/acme/items")->status, 200);
  EXPECT_EQ(get("/acme/items")->status, 503);
  EXPECT_EQ(get("/acme/items")->status, 200);
}

// "A 401 on N concurrent requests": the rule holds its requests until N are in flight, so none
// is answered before the others were sent.
TEST_F(VendorSimTest, ConcurrentHoldsItsRequestsUntilAllAreInFlight) {
  add(R"({"vendor": "acme", "status": 401, "times": 3, "concurrent": 3})");
  std::vector<std::future<int>> answers;
  for (int i = 0; i < 2; ++i)
    answers.push_back(std::async(std::launch::async, [&] { return get("/acme/items")->status; }));
  // Two of three arrived: both are still held.
  EXPECT_EQ(answers[0].wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  answers.push_back(std::async(std::launch::async, [&] { return get("/acme/items")->status; }));
  for (auto& a : answers) EXPECT_EQ(a.get(), 401);
  EXPECT_EQ(get("/acme/items")->status, 200);  // times used up
}

TEST_F(VendorSimTest, FaultsMatchByVendorAndPathPrefixFirstRuleWins) {
  add(R"({"vendor": "other", "status": 500})");
  add(R"({"vendor": "acme", "path_prefix": "/items/", "status": 404})");
  add(R"({"vendor": "acme", "path_prefix": "/items/", "status": 410})");
  EXPECT_EQ(get("/acme/items")->status, 200);    // prefix "/items/" does not match "/items"
  EXPECT_EQ(get("/acme/items/3")->status, 404);  // the first matching rule
  EXPECT_EQ(get("/acme/knobs")->status, 200);    // other path
  EXPECT_EQ(get("/other/ping")->status, 500);    // vendor rule
  server_->clear_faults();
  EXPECT_EQ(get("/other/ping")->status, 200);
}

TEST_F(VendorSimTest, HeadersOnlyFaultDecoratesTheNormalAnswer) {
  add(R"({"vendor": "acme", "headers": {"X-RateLimit-Remaining": "0"}})");
  auto r = get("/acme/items");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("X-RateLimit-Remaining"), "0");
  EXPECT_EQ(Json::parse(r->body), Json::parse(kItems));
}

TEST_F(VendorSimTest, LatencyFaultAndLatencyKnobDelayTheAnswer) {
  add(R"({"vendor": "acme", "latency_ms": 150, "times": 1})");
  auto start = Clock::now();
  EXPECT_EQ(get("/acme/items")->status, 200);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(150));

  auto knobs = server_->knobs("acme");
  knobs.latency_ms = 120;
  server_->set_knobs("acme", knobs);
  start = Clock::now();
  EXPECT_EQ(get("/acme/items")->status, 200);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(120));
}

TEST_F(VendorSimTest, MalformedTruncatedAndEmptyBodiesDoNotParse) {
  add(R"({"body_mode": "malformed", "times": 1})");
  auto malformed = get("/acme/items");
  EXPECT_EQ(malformed->status, 200);
  EXPECT_TRUE(Json::parse(malformed->body, nullptr, false).is_discarded()) << malformed->body;

  add(R"({"body_mode": "truncated", "times": 1})");
  auto truncated = get("/acme/items");
  EXPECT_EQ(truncated->body, std::string(kItems).substr(0, std::string(kItems).size() / 2));
  EXPECT_TRUE(Json::parse(truncated->body, nullptr, false).is_discarded());

  add(R"({"body_mode": "empty", "times": 1})");
  auto empty = get("/acme/items");
  EXPECT_EQ(empty->status, 200);
  EXPECT_EQ(empty->body, "");
  EXPECT_EQ(empty->get_header_value("Content-Type"), "application/json");
}

TEST_F(VendorSimTest, WrongTypesKeepsJsonButBreaksTheShape) {
  add(R"({"body_mode": "wrong_types"})");
  auto j = Json::parse(get("/acme/items")->body);
  EXPECT_TRUE(j["total"].is_string());
  EXPECT_TRUE(j["items"].is_object());  // arrays near the top become objects
  EXPECT_TRUE(j["items"]["0"]["id"].is_string());
  EXPECT_EQ(j["items"]["1"]["name"], "b");
  EXPECT_EQ(j["ok"], true);
}

TEST_F(VendorSimTest, ExtraFieldsAddsAnUnknownKeyToEveryObject) {
  add(R"({"body_mode": "extra_fields"})");
  auto j = Json::parse(get("/acme/items")->body);
  EXPECT_TRUE(j.contains("unexpected_field_xyz"));
  EXPECT_TRUE(j["items"][0].contains("unexpected_field_xyz"));
  EXPECT_EQ(j["items"][1]["id"], 2);
  EXPECT_EQ(j["unexpected_field_xyz"]["nested"], Json::array({1, 2}));
}

TEST_F(VendorSimTest, HugePadsAValidBodyPastTheLimit) {
  add(R"({"body_mode": "huge", "huge_bytes": 300000})");
  auto r = get("/acme/items");
  ASSERT_TRUE(r);
  EXPECT_GT(r->body.size(), 300000u);
  EXPECT_EQ(Json::parse(r->body), Json::parse(kItems));
}

TEST_F(VendorSimTest, DripSendsTheBodySlowlyButIntact) {
  add(R"({"body_mode": "drip", "drip_ms": 20})");
  const std::string items = kItems;
  const auto writes = (items.size() + 15) / 16;
  const auto start = Clock::now();
  auto r = get("/acme/items");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, items);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(20 * writes));
}

TEST_F(VendorSimTest, ResetDropsTheConnectionMidBody) {
  add(R"({"body_mode": "reset"})");
  auto r = get("/acme/items");
  EXPECT_FALSE(r);
  EXPECT_EQ(server_->stats()["total"], 1);
}

TEST_F(VendorSimTest, HangHoldsTheBodyThenSendsIt) {
  add(R"({"body_mode": "hang", "hang_ms": 100, "times": 1})");
  auto start = Clock::now();
  auto r = get("/acme/items");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, kItems);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(100));

  add(R"({"body_mode": "hang", "hang_ms": 30000})");
  auto c = client();
  c->set_read_timeout(0, 300000);
  auto timed_out = c->Get("/acme/items");
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error(), httplib::Error::Read);
}

TEST_F(VendorSimTest, AHangingRouteDoesNotBlockOthersAndStopEndsIt) {
  add(R"({"vendor": "acme", "body_mode": "hang", "hang_ms": 60000})");
  std::atomic<bool> hanging_done{false};
  auto hanging = std::async(std::launch::async, [&] {
    auto r = get("/acme/items");
    hanging_done = true;
    return static_cast<bool>(r);
  });
  while (server_->stats()["total"] != 1) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  for (int i = 0; i < 3; ++i) {  // several answers while the first request still hangs
    auto other = get("/other/ping");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200);
  }
  EXPECT_FALSE(hanging_done);

  const auto start = Clock::now();
  server_->stop();  // must not wait out the 60 s hang
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(15));
  EXPECT_FALSE(hanging.get());  // the hung request ends without its body
}

TEST_F(VendorSimTest, KnobsFromConstructorSettersAndHttp) {
  EXPECT_EQ(Json::parse(get("/acme/knobs")->body), (Json{{"fleet_size", 7}, {"seed", 99}}));
  EXPECT_EQ(server_->knobs("other").fleet_size, sim::VendorKnobs{}.fleet_size);

  auto r = control("/_sim/knobs", R"({"acme": {"fleet_size": 3}})");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(get("/acme/knobs")->body), (Json{{"fleet_size", 3}, {"seed", 99}}));

  EXPECT_EQ(control("/_sim/knobs", R"({"nobody": {"fleet_size": 3}})")->status, 400);
  EXPECT_EQ(control("/_sim/knobs", R"({"acme": {"fleet": 3}})")->status, 400);
  EXPECT_EQ(control("/_sim/knobs", R"({"acme": {"fleet_size": -1}})")->status, 400);
  EXPECT_EQ(server_->knobs("acme").fleet_size, 3);  // rejected updates change nothing

  auto ttl = control("/_sim/knobs", R"({"acme": {"token_ttl_seconds": 5}})");
  ASSERT_EQ(ttl->status, 200) << ttl->body;
  EXPECT_EQ(Json::parse(ttl->body)["acme"]["token_ttl_seconds"], 5);
  EXPECT_EQ(server_->knobs("acme").token_ttl_seconds, 5);
  EXPECT_EQ(server_->knobs("acme").fleet_size, 3);  // fields left out keep their value
  EXPECT_EQ(control("/_sim/knobs", R"({"acme": {"token_ttl_seconds": -1}})")->status, 400);
}

TEST_F(VendorSimTest, ControlApiManagesFaultsStatsAndReset) {
  auto added = control("/_sim/faults", R"({"vendor": "acme", "status": 503, "times": 1})");
  EXPECT_EQ(added->status, 200);
  EXPECT_EQ(Json::parse(client()->Get("/_sim/faults")->body).size(), 1u);
  EXPECT_EQ(get("/acme/items")->status, 503);
  EXPECT_EQ(get("/acme/items")->status, 200);

  auto bad_json = control("/_sim/faults", "{not json");
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_NE(bad_json->body.find("bad fault"), std::string::npos);
  auto bad_field = control("/_sim/faults", R"({"staus": 503})");
  EXPECT_EQ(bad_field->status, 400);
  EXPECT_NE(bad_field->body.find("staus"), std::string::npos);
  EXPECT_EQ(control("/_sim/faults", R"({"body_mode": "sideways"})")->status, 400);
  EXPECT_EQ(control("/_sim/faults", R"({"times": "twice"})")->status, 400);

  control("/_sim/faults", R"({"status": 500})");
  EXPECT_EQ(client()->Delete("/_sim/faults")->status, 200);
  EXPECT_EQ(get("/acme/items")->status, 200);

  auto stats = Json::parse(client()->Get("/_sim/stats")->body);
  EXPECT_EQ(stats["total"], 3);
  EXPECT_EQ(stats["by_route"]["GET /acme/items"], 3);

  control("/_sim/faults", R"({"status": 500})");
  EXPECT_EQ(control("/_sim/reset", "")->status, 200);
  EXPECT_TRUE(server_->faults().empty());
  EXPECT_EQ(server_->stats()["total"], 0);
  EXPECT_EQ(get("/acme/items")->status, 200);

  auto healthy = client()->Get("/_sim/healthy");
  EXPECT_EQ(healthy->status, 200);
}

TEST_F(VendorSimTest, ResetStatsClearsCounters) {
  get("/acme/items");
  server_->reset_stats();
  EXPECT_EQ(server_->stats(),
            (Json{{"total", 0}, {"by_vendor", Json::object()}, {"by_route", Json::object()}}));
}

TEST_F(VendorSimTest, FaultJsonRoundTrips) {
  sim::Fault f;
  f.vendor = "acme";
  f.path_prefix = "/x";
  f.times = 3;
  f.after = 1;
  f.concurrent = 2;
  f.status = 429;
  f.headers = {{"Retry-After", "1"}};
  f.body_mode = "drip";
  f.drip_ms = 5;
  const auto back = sim::fault_from_json(sim::fault_to_json(f));
  EXPECT_EQ(sim::fault_to_json(back), sim::fault_to_json(f));
  EXPECT_THROW(sim::fault_from_json(Json::array()), std::invalid_argument);
}

TEST_F(VendorSimTest, FixturesParseOrNameTheFile) {
  EXPECT_EQ(server_->fixture("acme", "good.json"), (Json{{"fleet", {1, 2, 3}}}));
  try {
    server_->fixture("acme", "bad.json");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("acme/bad.json"), std::string::npos);
  }
  try {
    server_->fixture("acme", "missing.json");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("acme/missing.json"), std::string::npos);
  }
}

TEST_F(VendorSimTest, VendorsListsRegisteredKeys) {
  EXPECT_EQ(server_->vendors(), (std::vector<std::string>{"acme", "other"}));
}

TEST(VendorSimServer, StopWithoutListenAndDoubleStopAreHarmless) {
  sim::Server s("/nonexistent", {});
  s.stop();
  ASSERT_TRUE(s.listen("127.0.0.1", 0));
  s.stop();
  s.stop();
}

TEST(VendorSimDeterministic, MixAndPickAreStableAndSpread) {
  EXPECT_EQ(sim::mix(42, 7), sim::mix(42, 7));
  EXPECT_NE(sim::mix(42, 7), sim::mix(42, 8));
  EXPECT_NE(sim::mix(42, 7), sim::mix(43, 7));
  EXPECT_NE(sim::pick(1, 2, 3, 0, 1000000), sim::pick(1, 2, 4, 0, 1000000));

  std::set<int64_t> seen;
  for (uint64_t i = 0; i < 2000; ++i) {
    const auto v = sim::pick(42, i, 1, -3, 6);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 6);
    seen.insert(v);
    EXPECT_EQ(v, sim::pick(42, i, 1, -3, 6));
  }
  EXPECT_EQ(seen.size(), 10u);  // every value in the range shows up
  EXPECT_EQ(sim::pick(1, 1, 1, 5, 5), 5);

  // Roughly half the bits flip between neighbouring indices (a good mixer, not a counter).
  int flipped = 0;
  for (uint64_t i = 0; i < 1000; ++i)
    flipped += __builtin_popcountll(sim::mix(9, i) ^ sim::mix(9, i + 1));
  EXPECT_NEAR(flipped / 1000.0, 32.0, 2.0);
}

}  // namespace
