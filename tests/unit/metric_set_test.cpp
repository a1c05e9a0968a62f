#include "exporter/metrics/metric_set.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>

#include "exporter/metrics/builders.h"
#include "exporter/metrics/collectable.h"
#include "exporter/metrics/metric_view.h"
#include "exporter/metrics/serializer.h"
#include "tests/support/harness.h"

namespace fue {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string text(const MetricSet& set) {
  std::string out;
  serialize_text(set, out);
  return out;
}

TEST(MetricSet, FixedLabelsComeFirstAndAreNotRepeatedByScrapers) {
  MetricSet set(Labels{{"target", "prod"}});
  set.gauge("losant_devices", "Devices.", {"instance_id"}).add({"abc"}, 12);
  EXPECT_EQ(text(set),
            "# HELP losant_devices Devices.\n# TYPE losant_devices gauge\n"
            "losant_devices{target=\"prod\",instance_id=\"abc\"} 12\n");
}

TEST(MetricSet, EscapesLabelValuesAndHelp) {
  MetricSet set;
  set.gauge("x", "Line one\nback\\slash", {"name"}).add({"a\"b\\c\nd"}, 1.5);
  EXPECT_EQ(text(set),
            "# HELP x Line one\\nback\\\\slash\n# TYPE x gauge\nx{name=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

TEST(MetricSet, FormatsSpecialValues) {
  std::string out;
  for (double v : {0.0, -3.0, 1e20, 0.25, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), std::nan("")}) {
    append_value(out, v);
    out += ' ';
  }
  EXPECT_EQ(out, "0 -3 1e+20 0.25 +Inf -Inf NaN ");
}

TEST(MetricView, MergesFamiliesAcrossTargetsAndDropsConflicts) {
  MetricSet a(Labels{{"target", "a"}}), b(Labels{{"target", "b"}}), c;
  a.gauge("m", "M.", {"k"}).add({"1"}, 1);
  b.gauge("m", "M.", {"k"}).add({"1"}, 2);
  c.counter("m", "M.", {"k"}).add({"1"}, 3);  // same name, other type and labels
  MetricView view;
  EXPECT_EQ(view.add(std::move(a)), 0u);
  EXPECT_EQ(view.add(std::move(b)), 0u);
  EXPECT_EQ(view.add(std::move(c)), 1u);
  EXPECT_EQ(text(view.merged()),
            "# HELP m M.\n# TYPE m gauge\nm{target=\"a\",k=\"1\"} 1\nm{target=\"b\",k=\"1\"} 2\n");
}

TEST(MetricView, GroupsSharedSetsByNameWithoutCopyingAndDropsConflicts) {
  auto a = std::make_shared<MetricSet>(Labels{{"target", "a"}});
  a->gauge("x_value", "X.", {"k"}).add({"1"}, 1);
  a->gauge("x_other", "Other.").add({}, 5);
  auto b = std::make_shared<MetricSet>(Labels{{"target", "b"}});
  b->gauge("x_value", "X (b).", {"k"}).add({"2"}, 2);
  b->counter("x_other", "Other, as a counter.").add({}, 7);  // conflicts: left out
  MetricView view;
  EXPECT_EQ(view.add(a), 0u);
  EXPECT_EQ(view.add(b), 1u);
  ASSERT_EQ(view.groups().size(), 2u);
  EXPECT_EQ(view.groups()[0].families[1], b->find("x_value"));  // the same family, not a copy
  EXPECT_EQ(view.series(), 3u);
  std::string out;
  serialize_text(view, out);
  EXPECT_EQ(out,
            "# HELP x_value X.\n# TYPE x_value gauge\n"
            "x_value{target=\"a\",k=\"1\"} 1\nx_value{target=\"b\",k=\"2\"} 2\n"
            "# HELP x_other Other.\n# TYPE x_other gauge\nx_other{target=\"a\"} 5\n");
  EXPECT_EQ(out, text(view.merged()));
}

TEST(MetricSet, RemovesDuplicateLabelSetsKeepingTheFirst) {
  MetricSet set;
  auto& f = set.gauge("m", "M.", {"k"});
  f.add({"x"}, 1);
  f.add({"y"}, 2);
  f.add({"x"}, 3);
  EXPECT_EQ(set.remove_duplicates(), 1u);
  EXPECT_EQ(text(set), "# HELP m M.\n# TYPE m gauge\nm{k=\"x\"} 1\nm{k=\"y\"} 2\n");
}

// A family the scraper promises unique is not searched for repeats in production; the tests
// (FUE_VERIFY_UNIQUE_PROMISES, set by ctest) and the fuzzers check every such promise instead.
TEST(MetricSet, PromisedUniqueFamiliesAreTrustedOrVerified) {
  auto make = [](MetricSet& set) -> MetricFamily& {
    auto& f = set.gauge("vendor_vm_info", "A VM.", {"id"});
    f.promise_unique();
    f.add({"a"}, 1);
    f.add({"b"}, 1);
    return f;
  };
  MetricFamily::verify_unique_promises(false);
  MetricSet broken;
  make(broken).add({"a"}, 1);                 // a broken promise
  EXPECT_EQ(broken.remove_duplicates(), 0u);  // trusted: not searched
  MetricFamily::verify_unique_promises(true);
  EXPECT_THROW(broken.remove_duplicates(), std::logic_error);
  MetricSet kept;
  make(kept);
  EXPECT_EQ(kept.remove_duplicates(), 0u);
  // Two families each unique are not unique together: appending drops the promise.
  MetricSet other;
  MetricFamily& merged = make(other);
  merged.append(*kept.find("vendor_vm_info"));
  EXPECT_EQ(other.remove_duplicates(), 2u);
}

TEST(MetricSet, HistogramSumAndCountAreNotDuplicatesOfEachOther) {
  MetricSet set;
  auto& h = set.family("d_seconds", "D.", MetricType::kHistogram, {"endpoint"});
  std::vector<std::string_view> labels{"e"};
  std::vector<double> bounds{0.1, 1};
  std::vector<uint64_t> counts{1, 2};
  h.add_histogram(labels, bounds, counts, 1.5, 3);
  EXPECT_EQ(set.remove_duplicates(), 0u);
  EXPECT_EQ(text(set),
            "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{endpoint=\"e\",le=\"0.1\"} 1\n"
            "d_seconds_bucket{endpoint=\"e\",le=\"1\"} "
            "2\nd_seconds_bucket{endpoint=\"e\",le=\"+Inf\"} 3\n"
            "d_seconds_sum{endpoint=\"e\"} 1.5\nd_seconds_count{endpoint=\"e\"} 3\n");
  test::expect_promtool_ok(text(set));
}

TEST(MetricSet, WrongLabelCountIsAProgrammingError) {
  MetricSet set(Labels{{"target", "t"}});
  auto& f = set.gauge("m", "M.", {"a", "b"});
  EXPECT_THROW(f.add({"only-one"}, 1), std::logic_error);
}

TEST(MetricView, AHelpNoteMarksCachedDataWithoutCopyingTheSet) {
  auto set = std::make_shared<MetricSet>();
  set->gauge("m", "M.").add({}, 1);
  MetricView view;
  view.add(set, " (cached)");
  std::string out;
  serialize_text(view, out);
  EXPECT_EQ(out, "# HELP m M. (cached)\n# TYPE m gauge\nm 1\n");
  EXPECT_EQ(set->find("m")->help(), "M.");
}

TEST(MetricSet, OpenMetricsNamesCounterFamiliesWithoutTotalAndStampsSamples) {
  MetricSet set;
  set.counter("x_bytes_total", "X.", {"k"}).add({"v"}, 5);
  std::string out;
  serialize_openmetrics(set, 1700000000, out, true);
  EXPECT_EQ(
      out,
      "# HELP x_bytes X.\n# TYPE x_bytes counter\nx_bytes_total{k=\"v\"} 5 1700000000\n# EOF\n");
}

TEST(MetricView, OpenMetricsForAScrapeTypesInfoCountersAndUnits) {
  auto set = std::make_shared<MetricSet>();
  set->counter("req_seconds_total", "Time \"spent\".", {"k"}).add({"v"}, 5);
  set->gauge("thing_info", "Facts.", {"version"}).add({"1.0"}, 1);
  set->gauge("odd_info", "Not an info: a value is not 1.").add({}, 2);
  set->counter("bare", "A counter without _total.").add({}, 3);
  set->gauge("size_bytes", "Size.").add({}, 7);
  MetricView view;
  view.add(set);
  std::string out;
  serialize_openmetrics(view, out);
  EXPECT_EQ(out,
            "# HELP req_seconds Time \\\"spent\\\".\n# TYPE req_seconds counter\n"
            "# UNIT req_seconds seconds\nreq_seconds_total{k=\"v\"} 5\n"
            "# HELP thing Facts.\n# TYPE thing info\nthing_info{version=\"1.0\"} 1\n"
            "# HELP odd_info Not an info: a value is not 1.\n# TYPE odd_info gauge\nodd_info 2\n"
            "# HELP bare A counter without _total.\n# TYPE bare unknown\nbare 3\n"
            "# HELP size_bytes Size.\n# TYPE size_bytes gauge\n# UNIT size_bytes bytes\n"
            "size_bytes 7\n# EOF\n");
}

// A StateSet (state label named as the family, values 0 or 1) is typed stateset in OpenMetrics,
// without a unit, and stays a gauge with the same samples in the text format.
TEST(MetricView, OpenMetricsTypesAStateSetAndTextKeepsAGauge) {
  auto set = std::make_shared<MetricSet>();
  const std::string_view id[] = {"a"};
  const std::string_view states[] = {"on", "off"};
  add_state_set(state_set_family(*set, "x_state", "S.", {"id"}), id, states, "off");
  set->gauge("y_state", "Not a StateSet: a value is 2.", {"id", "y_state"}).add({"a", "b"}, 2);
  set->gauge("z_seconds", "Not a StateSet: no state label.", {"id"}).add({"a"}, 1);
  MetricView view;
  view.add(set);
  std::string om, text;
  serialize_openmetrics(view, om);
  serialize_text(view, text);
  EXPECT_EQ(om,
            "# HELP x_state S.\n# TYPE x_state stateset\n"
            "x_state{id=\"a\",x_state=\"on\"} 0\nx_state{id=\"a\",x_state=\"off\"} 1\n"
            "# HELP y_state Not a StateSet: a value is 2.\n# TYPE y_state gauge\n"
            "y_state{id=\"a\",y_state=\"b\"} 2\n"
            "# HELP z_seconds Not a StateSet: no state label.\n# TYPE z_seconds gauge\n"
            "# UNIT z_seconds seconds\nz_seconds{id=\"a\"} 1\n# EOF\n");
  EXPECT_NE(text.find("# TYPE x_state gauge\nx_state{id=\"a\",x_state=\"on\"} 0\n"),
            std::string::npos)
      << text;
}

// The lean serialiser must say exactly what prometheus-cpp's own TextSerializer says.
// Streamed in pieces, an exposition is the serialised one (OpenMetrics without its "# EOF"), and
// each piece is about kChunkBytes: one family's samples are split across pieces.
TEST(MetricView, StreamedExpositionsAreTheSerialisedOnesInCacheSizedPieces) {
  auto set = std::make_shared<MetricSet>(Labels{{"target", "a"}});
  auto& info = set->gauge("vendor_vm_info", "A VM.", {"id", "name"});
  for (int i = 0; i < 40000; ++i) info.add({std::to_string(i), "vm \"" + std::to_string(i)}, 1);
  set->counter("vendor_requests_total", "Requests.").add({}, 3);
  set->gauge("vendor_empty", "No samples.");
  MetricView view;
  view.add(set, "May be cached.");
  for (bool openmetrics : {false, true}) {
    std::string whole, streamed;
    std::vector<size_t> sizes;
    const ExpositionSink sink = [&](std::string_view piece) {
      sizes.push_back(piece.size());
      streamed += piece;
    };
    if (openmetrics) {
      serialize_openmetrics(view, whole);
      whole.resize(whole.size() - std::string_view("# EOF\n").size());
      stream_openmetrics(view, sink);
    } else {
      serialize_text(view, whole);
      stream_text(view, sink);
    }
    EXPECT_EQ(streamed, whole);
    ASSERT_GT(sizes.size(), 3u);
    for (size_t i = 0; i + 1 < sizes.size(); ++i) {
      EXPECT_GE(sizes[i], kChunkBytes);
      EXPECT_LT(sizes[i], kChunkBytes + 256);  // a piece ends at the first sample past the size
    }
  }
}

TEST(MetricSet, MatchesPrometheusCppTextSerializer) {
  MetricSet set(Labels{{"target", "t\"1"}});
  set.gauge("g", "Gauge help.", {"a", "b"}).add({"x", "y\nz"}, 3.25);
  set.counter("c_total", "Counter help.", {"a"}).add({"q"}, 7);
  std::vector<std::string_view> labels{"e"};
  std::vector<double> bounds{0.5, 2};
  std::vector<uint64_t> counts{4, 6};
  set.family("h_seconds", "Histogram help.", MetricType::kHistogram, {"endpoint"})
      .add_histogram(labels, bounds, counts, 9.5, 7);
  MetricSetCollectable collectable([&] {
    MetricSet copy(Labels{{"target", "t\"1"}});
    copy.gauge("g", "Gauge help.", {"a", "b"}).add({"x", "y\nz"}, 3.25);
    copy.counter("c_total", "Counter help.", {"a"}).add({"q"}, 7);
    copy.family("h_seconds", "Histogram help.", MetricType::kHistogram, {"endpoint"})
        .add_histogram(labels, bounds, counts, 9.5, 7);
    return copy;
  });
  const std::string theirs = prometheus::TextSerializer().Serialize(collectable.Collect());
  // prometheus-cpp prints le with its own float format; compare everything else line by line.
  std::string ours = text(set);
  auto strip_le = [](std::string s) {
    for (size_t p = s.find("le=\""); p != std::string::npos; p = s.find("le=\"", p + 4))
      s.erase(p + 4, s.find('"', p + 4) - (p + 4));
    return s;
  };
  // Both print a histogram's lines in a valid but different order: compare them as sorted sets.
  auto sorted_lines = [](const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_EQ(sorted_lines(strip_le(ours)), sorted_lines(strip_le(theirs)));
}

TEST(Builders, StateSetMarksTheCurrentStateAndMapsUnknownValues) {
  MetricSet set;
  auto& f = set.gauge("vm_state", "S.", {"id", "state"});
  std::vector<std::string_view> id{"i1"}, states{"running", "stopped", "unknown"};
  add_state_set(f, id, states, "stopped");
  add_state_set(f, std::vector<std::string_view>{"i2"}, states, "melting");
  EXPECT_EQ(text(set),
            "# HELP vm_state S.\n# TYPE vm_state gauge\n"
            "vm_state{id=\"i1\",state=\"running\"} 0\nvm_state{id=\"i1\",state=\"stopped\"} 1\n"
            "vm_state{id=\"i1\",state=\"unknown\"} 0\nvm_state{id=\"i2\",state=\"running\"} 0\n"
            "vm_state{id=\"i2\",state=\"stopped\"} 0\nvm_state{id=\"i2\",state=\"unknown\"} 1\n");
}

TEST(Builders, StateSetCanKeepUndocumentedStatesAsTheyCome) {
  MetricSet set;
  auto& f = set.gauge("s", "S.", {"state"});
  std::vector<std::string_view> states{"active", "error"};
  add_state_set(f, {}, states, "shelved", UnknownState::kKeepAsIs);
  EXPECT_EQ(text(set),
            "# HELP s S.\n# TYPE s gauge\ns{state=\"active\"} 0\ns{state=\"error\"} "
            "0\ns{state=\"shelved\"} 1\n");
}

TEST(Builders, LabelCounterSeedsZeroesAndCounts) {
  MetricSet set;
  LabelCounter counts;
  counts.seed({"frozen"});
  counts.seed({"normal"});
  counts.add({"normal"});
  counts.add({"normal"});
  counts.add({"weird"});
  counts.emit(set.gauge("phones", "P.", {"state"}));
  EXPECT_EQ(text(set),
            "# HELP phones P.\n# TYPE phones gauge\nphones{state=\"frozen\"} 0\n"
            "phones{state=\"normal\"} 2\nphones{state=\"weird\"} 1\n");
}

TEST(Builders, SeriesCapCountsOnlyWhatTheCapRefused) {
  SeriesCap cap(true, 2);
  EXPECT_TRUE(cap.admit(3));
  EXPECT_TRUE(cap.admit(3));
  EXPECT_FALSE(cap.admit(3));
  EXPECT_FALSE(cap.admit(2));
  EXPECT_EQ(cap.dropped_series(), 5u);
  SeriesCap off(false, 100);
  EXPECT_FALSE(off.admit(4));
  EXPECT_EQ(off.dropped_series(), 0u);
}

}  // namespace
}  // namespace fue
