// parse_probe_query: the /probe parameters that address a configured target or a module account.
#include <gtest/gtest.h>

#include "exporter/server/probe_handler.h"

namespace fue {
namespace {

ProbeQuery parse(std::initializer_list<std::pair<const std::string, std::string>> params) {
  return parse_probe_query(httplib::Params(params));
}

std::string error_of(std::initializer_list<std::pair<const std::string, std::string>> params) {
  try {
    parse(params);
  } catch (const ProbeQueryError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ProbeQuery, AddressesAConfiguredTargetInThreeWays) {
  auto q = parse({{"target", "prod"}});
  EXPECT_EQ(q.target, "prod");
  EXPECT_EQ(q.vendor, "");
  EXPECT_EQ(q.module, "");

  q = parse({{"target", "notehub/prod"}});
  EXPECT_EQ(q.vendor, "notehub");
  EXPECT_EQ(q.target, "prod");

  q = parse({{"vendor", "kakaocloud_bcs"}, {"target", "prod-1.a"}});
  EXPECT_EQ(q.vendor, "kakaocloud_bcs");
  EXPECT_EQ(q.target, "prod-1.a");

  q = parse({{"vendor", "notehub"}, {"target", "notehub/prod"}});  // agreeing twice is fine
  EXPECT_EQ(q.vendor, "notehub");
  EXPECT_EQ(q.target, "prod");
}

TEST(ProbeQuery, AddressesAModuleAccount) {
  auto q = parse({{"module", "notehub_accounts"}, {"target", "acme-prod"}});
  EXPECT_EQ(q.module, "notehub_accounts");
  EXPECT_EQ(q.target, "acme-prod");
  EXPECT_EQ(q.vendor, "");
}

TEST(ProbeQuery, MissingOrEmptyTargetSaysHowToAddressOne) {
  for (const auto& e : {error_of({}), error_of({{"target", ""}}), error_of({{"vendor", "losant"}}),
                        error_of({{"module", "m"}})}) {
    EXPECT_EQ(e.rfind("missing target; probe a configured target as target=<name>", 0), 0u) << e;
    EXPECT_NE(e.find("module=<module>&target=<account>"), std::string::npos) << e;
  }
}

TEST(ProbeQuery, RejectsUnknownAndRepeatedParameters) {
  EXPECT_EQ(error_of({{"target", "a"}, {"modul", "m"}}).rfind("unknown parameter \"modul\"; ", 0),
            0u);
  EXPECT_EQ(error_of({{"target", "a"}, {"target", "b"}}), "parameter target given more than once");
  EXPECT_EQ(error_of({{"module", "m"}, {"module", "n"}, {"target", "a"}}),
            "parameter module given more than once");
}

TEST(ProbeQuery, ModuleAndVendorTogetherAreRefused) {
  EXPECT_EQ(error_of({{"module", "m"}, {"vendor", "notehub"}, {"target", "a"}}),
            "give either module or vendor, not both: a module names its vendor");
}

TEST(ProbeQuery, AccountNamesCannotLeaveTheCredentialsDirectory) {
  for (const char* bad : {"..", ".", "../etc/passwd", "a/b", "..data", ".hidden", "a\\b", "a b",
                          "a%2Fb", "a\nb", "\x01"}) {
    const auto e = error_of({{"module", "m"}, {"target", bad}});
    EXPECT_EQ(e.rfind("invalid account \"", 0), 0u) << bad << ": " << e;
  }
  EXPECT_EQ(
      error_of({{"module", "m"}, {"target", std::string(65, 'a')}}).rfind("invalid account", 0),
      0u);
  EXPECT_NO_THROW(parse({{"module", "m"}, {"target", std::string(64, 'a')}}));
  EXPECT_NO_THROW(parse({{"module", "m"}, {"target", "a..b"}}));  // dots inside are harmless
}

TEST(ProbeQuery, BadModuleVendorAndTargetNames) {
  EXPECT_EQ(error_of({{"module", "a/b"}, {"target", "x"}}).rfind("invalid module \"a/b\"", 0), 0u);
  EXPECT_EQ(error_of({{"vendor", "Losant"}, {"target", "x"}}).rfind("invalid vendor \"Losant\"", 0),
            0u);
  EXPECT_EQ(
      error_of({{"target", "a/b/c"}}).rfind("invalid target \"a/b/c\": write <vendor>/<name>", 0),
      0u);
  EXPECT_EQ(error_of({{"target", "/x"}}).rfind("invalid target \"/x\"", 0), 0u);
  EXPECT_EQ(error_of({{"target", "notehub/"}}).rfind("invalid target \"notehub/\"", 0), 0u);
  EXPECT_EQ(error_of({{"target", "a b"}}).rfind("invalid target \"a b\": target names are", 0), 0u);
  EXPECT_EQ(error_of({{"vendor", "losant"}, {"target", "notehub/x"}}),
            "target \"notehub/x\" names vendor notehub but vendor=losant was given");
}

TEST(ProbeQuery, EchoedValuesAreShortAndPrintable) {
  const auto e = error_of({{"target", std::string(500, 'x') + "\n\"<script>"}});
  EXPECT_EQ(e.find('\n'), std::string::npos);
  EXPECT_EQ(e.find("<script>"), std::string::npos);
  EXPECT_LT(e.size(), 400u);
  EXPECT_NE(e.find("\"" + std::string(64, 'x') + "...\""), std::string::npos) << e;

  const auto k = error_of({{"target", "a"}, {std::string("x\r\ny\"z"), "1"}});
  EXPECT_EQ(k.rfind("unknown parameter \"x??y?z\"", 0), 0u) << k;
}

}  // namespace
}  // namespace fue
