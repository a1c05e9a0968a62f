#include "exporter/http/json_util.h"

#include <gtest/gtest.h>

#include "exporter/core/errors.h"

namespace fue {
namespace {

using json::Json;

TEST(JsonUtil, ParseErrorsBecomeBadJsonWithoutTheBody) {
  try {
    json::parse("{\"token\": \"s3cret\", ");
    FAIL();
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "bad_json");
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos);
  }
}

TEST(JsonUtil, NumbersBeyondADoubleAreBadJsonNotAStrayException) {
  try {
    json::parse(R"({"total": 4444444e4444444444444})");
    FAIL() << "expected a ScrapeError";
  } catch (const ScrapeError& e) {
    EXPECT_EQ(e.reason(), "bad_json");
    EXPECT_EQ(std::string(e.what()).find("4444"), std::string::npos) << e.what();
  }
}

TEST(JsonUtil, AbsentAndNullAreBothMissing) {
  auto j = Json::parse(R"({"a": null})");
  EXPECT_FALSE(json::opt_string(j, "a"));
  EXPECT_FALSE(json::opt_int(j, "b"));
  EXPECT_TRUE(json::array_or_empty(j, "a").empty());
}

TEST(JsonUtil, LosslessConversionsAreAccepted) {
  auto j = Json::parse(R"({"id": 42, "n": "17", "f": 3.0, "b": "true", "s": "x"})");
  EXPECT_EQ(*json::opt_string(j, "id"), "42");
  EXPECT_EQ(*json::opt_int(j, "n"), 17);
  EXPECT_EQ(*json::opt_int(j, "f"), 3);
  EXPECT_EQ(*json::opt_bool(j, "b"), true);
  EXPECT_EQ(*json::opt_string(j, "s"), "x");
}

TEST(JsonUtil, WrongKindsThrowSchemaErrorsNamingTheField) {
  auto j = Json::parse(R"({"n": "many", "o": [1], "a": {"x": 1}, "f": 2.5})");
  EXPECT_THROW(json::opt_int(j, "n"), SchemaError);
  EXPECT_THROW(json::opt_int(j, "f"), SchemaError);
  EXPECT_THROW(json::opt_string(j, "o"), SchemaError);
  EXPECT_THROW(json::array_or_empty(j, "a"), SchemaError);
  try {
    json::object_or_empty(j, "o");
    FAIL();
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("\"o\""), std::string::npos);
    EXPECT_EQ(e.reason(), "bad_response");
  }
}

TEST(TimeUtil, ParsesRfc3339WithFractionsAndOffsets) {
  EXPECT_EQ(*timeutil::parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*timeutil::parse_rfc3339("2025-07-23T00:00:00Z"), 1753228800);
  EXPECT_DOUBLE_EQ(*timeutil::parse_rfc3339("2020-01-04T09:05:22.701000Z"), 1578128722.701);
  EXPECT_EQ(*timeutil::parse_rfc3339("2025-07-23T09:00:00+09:00"), 1753228800);
  EXPECT_EQ(*timeutil::parse_rfc3339("2025-07-22T19:00:00-05:00"), 1753228800);
  for (auto bad : {"", "2025-07-23", "2025-07-23T00:00:00", "2025-13-01T00:00:00Z",
                   "2025-02-30T00:00:00Z", "2025-07-23T00:00:00Zjunk", "2025-07-23T25:00:00Z"})
    EXPECT_FALSE(timeutil::parse_rfc3339(bad)) << bad;
}

TEST(TimeUtil, ParsesVendorLocalTimesInAConfiguredZone) {
  EXPECT_EQ(*timeutil::parse_local_datetime("2023-08-15 14:30:45"), 1692109845);
  EXPECT_EQ(*timeutil::parse_local_datetime("2023-08-15 22:30:45", 8 * 3600), 1692109845);
  EXPECT_FALSE(timeutil::parse_local_datetime("2023-08-15T14:30:45"));
  EXPECT_FALSE(timeutil::parse_local_datetime("null"));
}

TEST(TimeUtil, FormatsAndFindsPeriodStarts) {
  EXPECT_EQ(timeutil::format_rfc3339(1753228800), "2025-07-23T00:00:00Z");
  EXPECT_EQ(timeutil::start_of_utc_day(1753228800 + 3661), 1753228800);
  EXPECT_EQ(timeutil::start_of_utc_month(1753228800), 1751328000);  // 2025-07-01
}

}  // namespace
}  // namespace fue
