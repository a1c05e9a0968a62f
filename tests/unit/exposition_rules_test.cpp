// Rules of the exposition that the larger metric_set tests pass over: duplicate removal at its
// smallest size (two samples), and each escape of label values and HELP text on its own.
#include <gtest/gtest.h>

#include "exporter/metrics/metric_set.h"
#include "exporter/metrics/serializer.h"
#include "tests/support/exposition.h"
#include "tests/support/harness.h"

namespace fue {
namespace {

using test::text_of;

TEST(Dedup, TwoSamplesWithTheSameLabelsBecomeOne) {
  MetricSet set;
  auto& f = set.gauge("m", "M.", {"k"});
  f.add({"x"}, 1);
  f.add({"x"}, 2);
  EXPECT_EQ(set.remove_duplicates(), 1u);
  EXPECT_EQ(text_of(set), "# HELP m M.\n# TYPE m gauge\nm{k=\"x\"} 1\n");
  test::expect_promtool_ok(text_of(set));
}

TEST(Dedup, TwoLabelFreeSamplesBecomeOne) {
  MetricSet set(std::vector<std::pair<std::string, std::string>>{{"target", "t"}});
  auto& f = set.gauge("m", "M.");
  f.add({}, 7);
  f.add({}, 8);
  EXPECT_EQ(set.remove_duplicates(), 1u);
  EXPECT_EQ(text_of(set), "# HELP m M.\n# TYPE m gauge\nm{target=\"t\"} 7\n");
}

TEST(Dedup, OneSampleAndDistinctSamplesAreKept) {
  MetricSet set;
  set.gauge("one", "One.").add({}, 1);
  auto& f = set.gauge("m", "M.", {"k"});
  f.add({"x"}, 1);
  f.add({"y"}, 2);
  EXPECT_EQ(set.remove_duplicates(), 0u);
  EXPECT_EQ(set.series(), 3u);
}

TEST(Escaping, LabelValuesEscapeBackslashQuoteAndNewlineEachInItsOwnWay) {
  MetricSet set;
  auto& f = set.gauge("m", "M.", {"k"});
  f.add({"back\\slash"}, 1);
  f.add({"a \"quote\""}, 2);
  f.add({"two\nlines"}, 3);
  f.add({"plain 'text' & <tags>"}, 4);
  const std::string text = text_of(set);
  EXPECT_EQ(test::sample_value(text, R"(m{k="back\\slash"})"), 1) << text;
  EXPECT_EQ(test::sample_value(text, R"(m{k="a \"quote\""})"), 2) << text;
  EXPECT_EQ(test::sample_value(text, R"(m{k="two\nlines"})"), 3) << text;
  EXPECT_EQ(test::sample_value(text, R"(m{k="plain 'text' & <tags>"})"), 4) << text;
  test::expect_promtool_ok(text);
}

TEST(Escaping, HelpEscapesBackslashAndNewlineButNotQuotes) {
  MetricSet set;
  set.gauge("m", "A \"quoted\" back\\slash\nsecond line.").add({}, 1);
  EXPECT_EQ(text_of(set),
            "# HELP m A \"quoted\" back\\\\slash\\nsecond line.\n# TYPE m gauge\nm 1\n");
  test::expect_promtool_ok(text_of(set));
}

TEST(Escaping, TheStandaloneLabelEscaperAgreesWithTheSerialiser) {
  std::string out;
  append_escaped_label_value(out, "a\\b\"c\nd");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd");
}

TEST(Values, WholeNumbersHaveNoFractionAndOthersRoundTrip) {
  MetricSet set;
  auto& f = set.gauge("m", "M.", {"k"});
  f.add({"big"}, 9007199254740991.0);
  f.add({"neg"}, -3);
  f.add({"frac"}, 0.1);
  f.add({"huge"}, 1e300);
  const std::string text = text_of(set);
  EXPECT_NE(text.find("m{k=\"big\"} 9007199254740991\n"), std::string::npos) << text;
  EXPECT_NE(text.find("m{k=\"neg\"} -3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("m{k=\"frac\"} 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("m{k=\"huge\"} 1e+300\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace fue
