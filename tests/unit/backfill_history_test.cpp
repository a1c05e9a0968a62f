// The vendors' history fetchers against the in-process simulator: which calls they make, which
// days they fill, and that the families and labels are exactly those of a live collection.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "exporter/backfill/plan.h"
#include "exporter/core/errors.h"
#include "exporter/http/json_util.h"
#include "exporter/metrics/serializer.h"
#include "scrapers/registry.h"
#include "scrapers/thousandeyes/thousandeyes_history.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

using backfill::parse_date;

constexpr const char* kInstance = "5ff89ff825013dc6c2856188";

struct Fetched {
  std::map<int64_t, MetricSet> days;
  std::vector<std::string> notes;
};

// Runs the vendor's history over [first, last] for the first target of `config`.
Fetched fetch(InProcessSim& sim, const std::string& config, const char* first, const char* last) {
  const auto parsed = parse_config(substitute(config, sim.base()), "test.toml", builtin_vendors());
  const TargetConfig& t = parsed.targets.at(0);
  const VendorDescriptor* v = builtin_vendors().find(t.vendor);
  http::ClientOptions options;
  options.base_url = t.base_url;
  options.settings = t.http;
  http::Client client(options, nullptr);
  auto scraper = make_scraper(*v, t, client);  // the authenticator and error decoder
  Fetched f;
  HistoryContext ctx{
      t,  client, Deadline::after(std::chrono::seconds(30)), *parse_date(first), *parse_date(last),
      {}, {}};
  ctx.day = [&](int64_t day) -> MetricSet& {
    return f.days
        .try_emplace(day, std::vector<std::pair<std::string, std::string>>{{"target", t.name}})
        .first->second;
  };
  ctx.note = [&](std::string_view m) { f.notes.emplace_back(m); };
  v->history.fetch(ctx);
  return f;
}

// "name{labels}" of every sample.
std::set<std::string> series_of(const std::string& exposition) {
  std::set<std::string> out;
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t brace = line.rfind('}');
    out.insert(line.substr(0, line.find(' ', brace == std::string::npos ? 0 : brace)));
  }
  return out;
}

std::set<std::string> series_of(const MetricSet& set) {
  std::string text;
  serialize_text(set, text);
  return series_of(text);
}

double value(const MetricSet& set, const std::string& family, size_t sample = 0) {
  const MetricFamily* f = set.find(family);
  if (!f || f->size() <= sample) {
    ADD_FAILURE() << family << " missing";
    return -1;
  }
  return f->samples()[sample].value;
}

const std::string kLosant = std::string(R"([[losant]]
name = "prod"
base_url = "{{SIM}}/losant"
token = "sim-losant-token"
instance_ids = [")") + kInstance +
                            R"("]
payload_as_bytes = true
)";

TEST(BackfillHistory, LosantFillsEveryDayWithTheLiveFamilies) {
  InProcessSim sim;
  const auto f = fetch(sim, kLosant, "2026-01-30", "2026-02-01");
  // A range within one month is what backfill hands over; this one crosses on purpose to show
  // the days come from the answers, and the month start is that of the first day.
  ASSERT_EQ(f.days.size(), 3u);
  EXPECT_EQ(sim.route_requests("GET /losant/instances/" + std::string(kInstance) + "/deviceCounts"),
            1);
  EXPECT_EQ(sim.route_requests("GET /losant/instances/" + std::string(kInstance) +
                               "/payloadCountsBreakdown"),
            2);
  EXPECT_EQ(sim.requests("losant"), 4);

  // Every series is one a live collection of the same target has too.
  const auto live = collect_with(sim, kLosant);
  const auto live_series = series_of(live.vendor_text);
  for (const auto& [day, set] : f.days)
    for (const auto& s : series_of(set)) EXPECT_TRUE(live_series.count(s)) << s;
  const MetricSet& jan31 = f.days.at(*parse_date("2026-01-31"));
  for (const char* family :
       {"losant_instance_devices", "losant_instance_devices_created_latest_day",
        "losant_instance_devices_deleted_latest_day",
        "losant_instance_device_counts_latest_day_timestamp_seconds",
        "losant_instance_notebook_execution_seconds_total", "losant_instance_notebook_runs_total",
        "losant_instance_payloads_total", "losant_instance_payload_bytes_total",
        "losant_instance_payloads_latest_interval"}) {
    ASSERT_NE(jan31.find(family), nullptr) << family;
    EXPECT_FALSE(jan31.find(family)->empty()) << family;
  }
  EXPECT_EQ(value(jan31, "losant_instance_device_counts_latest_day_timestamp_seconds"),
            static_cast<double>(*parse_date("2026-01-31")));
  // Period to date: the counter grows from day to day within the month.
  const MetricSet& jan30 = f.days.at(*parse_date("2026-01-30"));
  EXPECT_EQ(value(jan31, "losant_instance_payloads_total"),
            value(jan30, "losant_instance_payloads_total") +
                value(jan31, "losant_instance_payloads_latest_interval"));
}

TEST(BackfillHistory, LosantDaysDoNotDependOnTheRangeAskedFor) {
  InProcessSim sim;
  const auto wide = fetch(sim, kLosant, "2026-01-10", "2026-01-20");
  const auto narrow = fetch(sim, kLosant, "2026-01-15", "2026-01-15");
  const int64_t day = *parse_date("2026-01-15");
  for (const char* family : {"losant_instance_devices", "losant_instance_payloads_total",
                             "losant_instance_notebook_execution_seconds_total"})
    EXPECT_EQ(value(wide.days.at(day), family), value(narrow.days.at(day), family)) << family;
  // and differ between days, so a test comparing one day's value can tell days apart
  std::set<double> totals;
  for (const auto& [d, set] : wide.days) totals.insert(value(set, "losant_instance_devices"));
  EXPECT_GT(totals.size(), 3u);
}

TEST(BackfillHistory, LosantHourResolutionLeavesTheIntervalGaugeOutAndSaysSo) {
  InProcessSim sim;
  const auto f =
      fetch(sim, kLosant + "payload_resolution = \"hour\"\n", "2026-01-05", "2026-01-06");
  ASSERT_EQ(f.days.size(), 2u);
  for (const auto& [d, set] : f.days) {
    const auto* g = set.find("losant_instance_payloads_latest_interval");
    EXPECT_TRUE(!g || g->empty());
  }
  ASSERT_EQ(f.notes.size(), 1u);
  EXPECT_NE(f.notes[0].find("payload_resolution is hour"), std::string::npos);
}

TEST(BackfillHistory, LosantFailingInstanceFailsTheRange) {
  InProcessSim sim;
  std::string config = kLosant;
  config.replace(config.find(kInstance), 4, "dead");
  EXPECT_THROW(fetch(sim, config, "2026-01-05", "2026-01-06"), ScrapeError);
}

const std::string kNotehub = R"([[notehub]]
name = "hub"
base_url = "{{SIM}}/notehub"
token = "sim-notehub-pat"
projects = ["app:2606f411-dea6-44a0-9743-1130f57d77d8", "app:00000000-0000-0000-0000-000000000000"]
period = "week"
metric_groups = ["data", "events", "sessions", "devices"]
)";

TEST(BackfillHistory, NotehubAsksForEachDayAsALiveScrapeAtItsEndWould) {
  InProcessSim sim;
  const auto f = fetch(sim, kNotehub, "2026-01-05", "2026-01-07");
  ASSERT_EQ(f.days.size(), 3u);
  // One call per day and usage group for the project that exists; the missing one answers 404
  // on its first call and is skipped with a note.
  EXPECT_EQ(sim.requests("notehub"), 3 * 3 + 1);
  bool said_devices = false, said_missing = false;
  for (const auto& n : f.notes) {
    said_devices |= n.find("devices group") != std::string::npos;
    said_missing |= n.find("app:00000000") != std::string::npos;
  }
  EXPECT_TRUE(said_devices);
  EXPECT_TRUE(said_missing);
  const auto live = collect_with(sim, kNotehub);
  const auto live_series = series_of(live.vendor_text);
  for (const auto& [day, set] : f.days) {
    for (const char* family : {"notehub_data_bytes_total", "notehub_events_total",
                               "notehub_sessions_total", "notehub_device_events_total"})
      EXPECT_NE(set.find(family), nullptr) << family;
    for (const auto& s : series_of(set)) EXPECT_TRUE(live_series.count(s)) << s;
  }
}

const std::string kThousandEyes = R"([[thousandeyes]]
name = "acme"
base_url = "{{SIM}}/thousandeyes"
token = "sim-thousandeyes-token"
)";

TEST(BackfillHistory, ThousandEyesAsksForEachDayFromItsBillingPeriodStart) {
  InProcessSim sim;
  // The simulator's current period starts on the 5th (quota.monthStart is the latest 5th, 00:00
  // UTC), so 2026-01-04 belongs to the period from 2025-12-05, and 01-05 and 01-06 to that from
  // 01-05.
  const auto f = fetch(sim, kThousandEyes, "2026-01-04", "2026-01-06");
  ASSERT_EQ(f.days.size(), 3u);
  EXPECT_TRUE(f.notes.empty()) << f.notes.front();
  EXPECT_EQ(sim.route_requests("GET /thousandeyes/v7/usage"), 1);  // for quota.monthStart
  EXPECT_EQ(sim.route_requests("GET /thousandeyes/v7/usage/units/tests"), 3);
  EXPECT_EQ(sim.route_requests("GET /thousandeyes/v7/usage/units/enterprise-agents"), 3);

  const auto live = collect_with(sim, kThousandEyes);
  const auto live_series = series_of(live.vendor_text);
  for (const auto& [day, set] : f.days) {
    for (const char* family :
         {"thousandeyes_test_breakdown_cloud_units_used_total",
          "thousandeyes_test_breakdown_enterprise_units_used_total", "thousandeyes_breakdown_tests",
          "thousandeyes_breakdown_enterprise_agents",
          "thousandeyes_enterprise_agent_breakdown_units_used_total"}) {
      ASSERT_NE(set.find(family), nullptr) << family;
      EXPECT_FALSE(set.find(family)->empty()) << family;
    }
    for (const auto& s : series_of(set)) EXPECT_TRUE(live_series.count(s)) << s;
  }
  // The simulator scales a past window's units by its begun days out of 31: the window of each
  // day runs from its period start to the day's end (1, 2 and 31 days here).
  // One series (a test with cloud units) compared with its live value, the current period's.
  const auto sample_of = [](const std::string& text, const std::string& prefix) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(prefix, 0) == 0 && !line.ends_with(" 0")) return line;
    return std::string();
  };
  std::string day_text;
  serialize_text(f.days.at(*parse_date("2026-01-04")), day_text);
  const std::string line =
      sample_of(day_text, "thousandeyes_test_breakdown_cloud_units_used_total{");
  ASSERT_FALSE(line.empty()) << day_text;
  const std::string series = line.substr(0, line.rfind('}') + 1);
  const std::string live_line = sample_of(live.vendor_text, series + " ");
  ASSERT_FALSE(live_line.empty()) << series;
  const double full = std::stod(live_line.substr(series.size() + 1));
  const auto day_value = [&](const char* day) {
    std::string text;
    serialize_text(f.days.at(*parse_date(day)), text);
    const std::string l = sample_of(text, series + " ");
    return l.empty() ? -1.0 : std::stod(l.substr(series.size() + 1));
  };
  EXPECT_EQ(day_value("2026-01-05"), std::floor(full * 1 / 31));
  EXPECT_EQ(day_value("2026-01-06"), std::floor(full * 2 / 31));
  EXPECT_EQ(day_value("2026-01-04"), full);  // 2025-12-05 .. 2026-01-04: 31 days
}

TEST(BackfillHistory, ThousandEyesWithoutUsageBasedPricingSkipsTheTestUnitsAndSaysSo) {
  InProcessSim sim;
  // The simulator's aid 7001 is an organisation on legacy pricing: units/tests answers 403.
  const auto f =
      fetch(sim, kThousandEyes + "account_group_ids = [\"7001\"]\n", "2026-01-05", "2026-01-07");
  EXPECT_EQ(sim.route_requests("GET /thousandeyes/v7/usage/units/tests"), 1);  // not per day
  ASSERT_EQ(f.notes.size(), 1u);
  EXPECT_NE(f.notes[0].find("not offered"), std::string::npos) << f.notes[0];
  ASSERT_EQ(f.days.size(), 3u);
  for (const auto& [day, set] : f.days) {
    const auto* tests = set.find("thousandeyes_test_breakdown_cloud_units_used_total");
    EXPECT_TRUE(!tests || tests->empty());
    EXPECT_NE(set.find("thousandeyes_enterprise_agent_breakdown_units_used_total"), nullptr);
  }
}

TEST(BackfillHistory, ThousandEyesFailingUnitsCallFailsTheRange) {
  InProcessSim sim;
  sim::Fault fault;
  fault.vendor = "thousandeyes";
  fault.path_prefix = "/v7/usage/units";
  fault.status = 500;
  sim.add_fault(fault);
  EXPECT_THROW(fetch(sim, kThousandEyes + "max_attempts = 1\n", "2026-01-05", "2026-01-05"),
               ScrapeError);
}

TEST(BackfillHistory, ThousandEyesPeriodStartsAreWholeMonthsFromTheCurrentOne) {
  using thousandeyes::period_start_containing;
  const auto at = [](const char* text) {
    return static_cast<int64_t>(*timeutil::parse_rfc3339(text));
  };
  const int64_t anchor = at("2026-11-05T00:00:00Z");
  EXPECT_EQ(period_start_containing(anchor, at("2026-01-04T23:59:59Z")),
            at("2025-12-05T00:00:00Z"));
  EXPECT_EQ(period_start_containing(anchor, at("2026-01-05T00:00:00Z")),
            at("2026-01-05T00:00:00Z"));
  EXPECT_EQ(period_start_containing(anchor, at("2027-03-20T12:00:00Z")),
            at("2027-03-05T00:00:00Z"));
  // A start on the 31st at 08:00 falls on the last day of shorter months.
  const int64_t late = at("2026-01-31T08:00:00Z");
  EXPECT_EQ(period_start_containing(late, at("2026-02-28T23:59:59Z")), at("2026-02-28T08:00:00Z"));
  EXPECT_EQ(period_start_containing(late, at("2026-02-28T07:59:59Z")), at("2026-01-31T08:00:00Z"));
  EXPECT_EQ(period_start_containing(late, at("2026-03-31T07:00:00Z")), at("2026-02-28T08:00:00Z"));
  // Anchor 0 (no monthStart known): UTC calendar months.
  EXPECT_EQ(period_start_containing(0, at("2026-02-17T23:59:59Z")), at("2026-02-01T00:00:00Z"));
}

TEST(BackfillHistory, VendorsWithoutHistoryLeaveItEmpty) {
  for (const char* key : {"koophone", "kakaocloud_bcs"})
    EXPECT_FALSE(builtin_vendors().find(key)->history.fetch) << key;
  for (const char* key : {"losant", "notehub", "thousandeyes"}) {
    const auto& h = builtin_vendors().find(key)->history;
    EXPECT_TRUE(h.fetch) << key;
    EXPECT_TRUE(h.within_month) << key;
    EXPECT_FALSE(h.description.empty()) << key;
  }
}

}  // namespace
}  // namespace fue::test
