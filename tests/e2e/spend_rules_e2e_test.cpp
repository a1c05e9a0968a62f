// Spend end to end (issue 21): the real vendor-sim, the real exporter on config/demo.toml (its
// example prices and budgets) and Debian's Prometheus with the spend rules loaded. The cost of
// the billing period so far and its projection, as the rules record them, must equal a
// computation done here by hand from the figures the simulator served (read off the exporter's
// /metrics, which the golden tests prove are the simulator's) and the prices read from the demo
// config itself, within 1 %. An exporter restart must not change the cost. After
// `fleet-usage-exporter backfill`, the spend dashboard's "Cost per day" panel must give past
// days' costs at today's prices, day by day, from the backfilled counters.
//
// Clock-proof: nothing here depends on the date. The period, the elapsed time and the rule's
// evaluation time are read the same way the rules read them (the period from the wall clock as
// the exporter computes it, "now" from the recorded sample's timestamp), the figures are
// whatever the simulator serves that day, and the backfill uses fixed past dates. It is not in
// tests/scripts/calendar_test.sh on purpose: faketime cannot move Debian's Prometheus (a Go
// binary), and the rules compare the exporter's period with Prometheus' time(), so a faked
// exporter clock would test a clock skew no deployment has. The calendar edges of the rules
// (month boundary, late reset, restart) are the promtool tests'.
#include <gtest/gtest.h>
#include <httplib.h>
#include <toml++/toml.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "exporter/backfill/plan.h"
#include "exporter/core/clock.h"
#include "tests/support/dashboards.h"
#include "tests/support/harness.h"
#include "tests/support/real_stack.h"

namespace fue::test {
namespace {

namespace db = dashboards;

// ------------------------------------------------------------------ the demo's prices, by hand

struct Rate {
  std::string dimension, item;  // item "" (not itemised) or the configured item or "*"
  double per_base = 0;          // price per base unit
  double included = 0;          // allowance in base units
};
struct Table {
  std::string vendor, target, currency;
  int start_day = 1;
  double flat_fee = 0;
  std::optional<double> budget;
  std::vector<Rate> rates;
  bool named = false;  // the table names its target (else it is the vendor's default)
};

// Base units in one quote unit (the contract's table in docs/spend.md).
double base_units(const std::string& unit) {
  static const std::map<std::string, double> k = {{"bytes", 1},    {"kB", 1e3},
                                                  {"MB", 1e6},     {"GB", 1e9},
                                                  {"events", 1},   {"thousand_events", 1e3},
                                                  {"sessions", 1}, {"thousand_sessions", 1e3},
                                                  {"units", 1},    {"devices", 1},
                                                  {"payloads", 1}, {"million_payloads", 1e6},
                                                  {"hours", 1}};
  const auto it = k.find(unit);
  if (it == k.end()) throw std::runtime_error("unknown quote unit " + unit);
  return it->second;
}

// Every [[price]] table of a config, one per target it applies to.
std::vector<Table> price_tables(const std::string& config_text) {
  const auto root = toml::parse(config_text);
  std::vector<Table> out;
  const auto* prices = root["price"].as_array();
  if (!prices) return out;
  for (const auto& node : *prices) {
    const auto& p = *node.as_table();
    Table t;
    t.vendor = p["vendor"].value_or(std::string());
    t.currency = p["currency"].value_or(std::string());
    t.start_day = p["period_start_day"].value_or(1);
    t.flat_fee = p["flat_fee"].value_or(0.0);
    if (auto b = p["budget"].value<double>()) t.budget = *b;
    if (const auto* rates = p["rate"].as_array())
      for (const auto& rn : *rates) {
        const auto& r = *rn.as_table();
        const double per = base_units(r["unit"].value_or(std::string()));
        const std::string dimension = r["dimension"].value_or(std::string());
        // Itemised dimensions default to the "*" rate; the others have no item.
        const bool itemised = dimension == "phone_hours" || dimension == "vm_hours";
        t.rates.push_back({dimension, r["item"].value_or(std::string(itemised ? "*" : "")),
                           r["price"].value_or(0.0) / per, r["included"].value_or(0.0) * per});
      }
    std::vector<std::string> targets;
    if (auto target = p["target"].value<std::string>()) {
      targets.push_back(*target);
      t.named = true;
    } else if (const auto* vendor_tables = root[t.vendor].as_array()) {
      for (const auto& v : *vendor_tables)
        if (v.as_table()->get("enabled") == nullptr || (*v.as_table())["enabled"].value_or(true))
          targets.push_back((*v.as_table())["name"].value_or(std::string()));
    }
    for (const auto& name : targets) {
      t.target = name;
      out.push_back(t);
    }
  }
  // A table naming its target wins over a vendor-wide one for that target.
  std::map<std::pair<std::string, std::string>, Table> by_target;
  for (const auto& t : out) {
    const auto key = std::make_pair(t.vendor, t.target);
    if (!by_target.count(key) || t.named) by_target[key] = t;
  }
  out.clear();
  for (auto& [key, t] : by_target) out.push_back(t);
  return out;
}

// ------------------------------------------------------------------ the served figures

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

std::vector<Sample> parse_exposition(const std::string& text) {
  std::vector<Sample> out;
  std::istringstream lines(text);
  static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    const size_t brace = line.find('{');
    const size_t close = line.rfind('}');
    const size_t space = line.find(' ', close == std::string::npos ? 0 : close);
    s.name = line.substr(0, std::min(brace, space));
    if (brace != std::string::npos && brace < space) {
      const std::string body = line.substr(brace + 1, close - brace - 1);
      for (auto it = std::sregex_iterator(body.begin(), body.end(), label);
           it != std::sregex_iterator(); ++it)
        s.labels[(*it)[1]] = (*it)[2];
    }
    s.value = std::strtod(line.c_str() + space + 1, nullptr);
    out.push_back(std::move(s));
  }
  return out;
}

// Usage of one target per dimension and item, in base units, as the vendor reported it now.
struct Usage {
  std::string kind;                     // period_counter, gauge_peak, gauge_hours
  std::map<std::string, double> items;  // item ("" when not itemised) -> value
};

std::map<std::string, Usage> usage_of(const std::vector<Sample>& samples, const std::string& vendor,
                                      const std::string& target) {
  std::map<std::string, Usage> out;
  auto add = [&](const std::string& family, const std::string& dimension, const std::string& kind,
                 const std::string& item_label, bool max_not_sum) {
    for (const auto& s : samples) {
      if (s.name != family || s.labels.count("target") == 0 || s.labels.at("target") != target)
        continue;
      Usage& u = out[dimension];
      u.kind = kind;
      const std::string item = item_label.empty() ? "" : s.labels.at(item_label);
      double& v = u.items[item];
      v = max_not_sum ? std::max(v, s.value) : v + s.value;
    }
  };
  if (vendor == "notehub") {
    add("notehub_data_bytes_total", "data", "period_counter", "", false);
    add("notehub_billable_events_total", "events", "period_counter", "", false);
    add("notehub_sessions_total", "sessions", "period_counter", "", false);
  } else if (vendor == "thousandeyes") {
    // The organisation's units, the same figure per account group asked.
    add("thousandeyes_cloud_units_used_total", "units", "period_counter", "", true);
  } else if (vendor == "losant") {
    add("losant_instance_payloads_total", "payloads", "period_counter", "", false);
    add("losant_instance_devices", "devices", "gauge_peak", "", false);
  } else if (vendor == "koophone") {
    add("koophone_instances_by_sku", "phone_hours", "gauge_hours", "sku", false);
  } else if (vendor == "kakaocloud_bcs") {
    add("kakaocloud_bcs_instances_by_flavor", "vm_hours", "gauge_hours", "flavor", false);
  }
  return out;
}

// ------------------------------------------------------------------ the billing period

int64_t utc(int year, int month, int day) {  // month 0..11, may overflow into the next year
  std::tm tm{};
  tm.tm_year = year - 1900 + month / 12;
  tm.tm_mon = month % 12;
  tm.tm_mday = day;
  return static_cast<int64_t>(timegm(&tm));
}

std::pair<int64_t, int64_t> period_at(int64_t now, int start_day) {
  const std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  int year = tm.tm_year + 1900, month = tm.tm_mon;
  if (tm.tm_mday < start_day) {
    month -= 1;
    if (month < 0) {
      month = 11;
      year -= 1;
    }
  }
  return {utc(year, month, start_day), utc(year, month + 1, start_day)};
}

// ------------------------------------------------------------------ cost by hand

struct Expected {
  double so_far = 0, projected = 0;
};

// The model of docs/spend.md, for one target at the rules' evaluation time `t`, with Prometheus
// holding this target's figures since `first_sample` (so instance-hours start there: in the
// running hour, or a whole hour once an hour boundary has passed with samples before it).
Expected by_hand(const Table& table, const std::map<std::string, Usage>& usage,
                 int64_t period_start, int64_t period_end, double t, double first_sample) {
  Expected e{table.flat_fee, table.flat_fee};
  const double top_of_hour = std::floor(t / 3600) * 3600;
  const double hours_seen = (t - top_of_hour) / 3600 + (first_sample <= top_of_hour ? 1 : 0);
  const double factor = static_cast<double>(period_end - period_start) /
                        std::max(t - static_cast<double>(period_start), 3600.0);
  const double hours_left = std::max(static_cast<double>(period_end) - t, 0.0) / 3600;
  for (const auto& [dimension, u] : usage) {
    // Each usage item goes to its own rate, else to the "*" rate (shared allowance).
    std::map<std::string, std::pair<double, double>> rows;  // rate item -> (so far, projected)
    for (const auto& [item, value] : u.items) {
      const Rate* own = nullptr;
      const Rate* star = nullptr;
      for (const auto& r : table.rates) {
        if (r.dimension != dimension) continue;
        if (r.item == item) own = &r;
        if (r.item == "*") star = &r;
      }
      const Rate* rate = own ? own : star;
      if (!rate) continue;
      double so_far = value, projected = value;
      if (u.kind == "period_counter") projected = value * factor;
      if (u.kind == "gauge_hours") {
        so_far = value * hours_seen;
        projected = so_far + value * hours_left;
      }
      rows[rate->item].first += so_far;
      rows[rate->item].second += projected;
    }
    for (const auto& [item, figures] : rows)
      for (const auto& r : table.rates)
        if (r.dimension == dimension && r.item == item) {
          e.so_far += std::max(figures.first - r.included, 0.0) * r.per_base;
          e.projected += std::max(figures.second - r.included, 0.0) * r.per_base;
        }
  }
  return e;
}

// ------------------------------------------------------------------ the stack

// A billing-period start day about two weeks from today's, so that no period starts or ends
// while the test runs, whatever the date: the test is the same on every day of the month.
int start_day_away_from_today() {
  const std::time_t now = static_cast<std::time_t>(unix_now_seconds());
  std::tm utc{};
  gmtime_r(&now, &utc);
  return (utc.tm_mday - 1 + 14) % 28 + 1;
}

std::string demo_config_for(const std::string& sim_base) {
  std::string config = read_file(db::source_dir() + "/config/demo.toml");
  config = std::regex_replace(config, std::regex("period_start_day = [0-9]+"),
                              "period_start_day = " + std::to_string(start_day_away_from_today()));
  config = std::regex_replace(config, std::regex("http://127\\.0\\.0\\.1:9099"), sim_base);
  // One collection, served from the cache for the whole test: Prometheus and this test see the
  // same figures.
  return std::regex_replace(config, std::regex("min_interval = \"[^\"]*\""),
                            "min_interval = \"30m\"");
}

std::string prometheus_yaml(int exporter_port) {
  return "global:\n"
         "  scrape_interval: 1s\n"
         "  scrape_timeout: 1s\n"
         "  evaluation_interval: 1s\n"
         "rule_files:\n"
         "  - spend.rules.yml\n"
         "scrape_configs:\n"
         "  - job_name: fleet-usage-exporter\n"
         "    static_configs:\n"
         "      - targets: ['127.0.0.1:" +
         std::to_string(exporter_port) +
         "']\n"
         // One instance label whatever the port, so a restarted exporter continues its series.
         "        labels: {instance: fue-e2e}\n";
}

double value_of(const nlohmann::json& series) {
  return std::stod(series["value"][1].get<std::string>());
}

std::map<std::pair<std::string, std::string>, nlohmann::json> by_vendor_target(
    const nlohmann::json& answer) {
  std::map<std::pair<std::string, std::string>, nlohmann::json> out;
  if (answer.value("status", "") != "success") return out;
  for (const auto& s : answer["data"]["result"])
    out[{s["metric"].value("vendor", ""), s["metric"].value("target", "")}] = s;
  return out;
}

const std::vector<std::string> kSimFleets = {
    "--fleet-size", "koophone=200", "--fleet-size",    "kakaocloud_bcs=200", "--fleet-size",
    "notehub=50",   "--fleet-size", "thousandeyes=60", "--fleet-size",       "losant=150"};

// ------------------------------------------------------------------ tests

TEST(SpendRulesE2E, CostSoFarAndProjectionEqualTheHandComputationAndSurviveARestart) {
  SimProcess sim(kSimFleets);
  const std::string config = demo_config_for(sim.base());
  const auto tables = price_tables(config);
  ASSERT_FALSE(tables.empty()) << "config/demo.toml has no [[price]] table";

  auto exporter = std::make_unique<ExporterProcess>(config, "");
  const auto [status, body] = exporter->get("/metrics", 60);
  ASSERT_EQ(status, 200) << exporter->log();
  const auto samples = parse_exposition(body);

  PrometheusServer::Options options;
  options.files.emplace_back("spend.rules.yml", read_file(db::source_dir() + db::kSpendRulesFile));
  options.config_yaml = prometheus_yaml(exporter->port());
  PrometheusServer prometheus(options);
  ASSERT_TRUE(
      prometheus.wait_for_series("fleet_usage_target:cost_projected:sum", std::chrono::seconds(90)))
      << prometheus.log();
  // The first evaluations ran before every scrape had landed; let a few more run.
  std::this_thread::sleep_for(std::chrono::seconds(5));

  // The rules' own "now": the timestamp of the recorded samples read here.
  const auto compare = [&](const std::string& when) {
    const double now = unix_now();
    const auto so_far =
        by_vendor_target(prometheus.query("fleet_usage_target:cost_period_to_date:sum", now));
    const auto projected =
        by_vendor_target(prometheus.query("fleet_usage_target:cost_projected:sum", now));
    const auto stamp = by_vendor_target(
        prometheus.query("timestamp(fleet_usage_target:cost_period_to_date:sum)", now));
    const auto first = by_vendor_target(prometheus.query(
        "min_over_time(timestamp(fleet_usage_target:cost_period_to_date:sum)[10m:1s])", now));
    size_t compared = 0;
    for (const auto& table : tables) {
      const auto key = std::make_pair(table.vendor, table.target);
      if (!so_far.count(key)) {  // no fee and no usage of a priced dimension: no cost at all
        const auto want = by_hand(table, usage_of(samples, table.vendor, table.target), 0, 1, 2, 0);
        EXPECT_EQ(want.so_far, 0) << when << ": no cost recorded for " << table.vendor << "/"
                                  << table.target;
        continue;
      }
      ASSERT_TRUE(projected.count(key) && stamp.count(key)) << table.vendor << "/" << table.target;
      const double t = value_of(stamp.at(key));
      const auto [p, e] = period_at(static_cast<int64_t>(t), table.start_day);
      const double first_sample = first.count(key) ? value_of(first.at(key)) : t;
      // demo_config_for() keeps period starts about two weeks away (the promtool tests cover
      // a period that starts during collection).
      ASSERT_LT(p, first_sample - 86400) << "a billing period started during the test";
      const auto want =
          by_hand(table, usage_of(samples, table.vendor, table.target), p, e, t, first_sample);
      const double got_so_far = value_of(so_far.at(key));
      const double got_projected = value_of(projected.at(key));
      EXPECT_NEAR(got_so_far, want.so_far, std::max(0.01 * want.so_far, 1e-9))
          << when << ": " << table.vendor << "/" << table.target << " cost so far";
      EXPECT_NEAR(got_projected, want.projected, std::max(0.01 * want.projected, 1e-9))
          << when << ": " << table.vendor << "/" << table.target << " projection";
      EXPECT_EQ(so_far.at(key)["metric"].value("currency", ""), table.currency);
      EXPECT_GE(got_projected, got_so_far - 1e-9);
      ++compared;
    }
    EXPECT_GE(compared, 1u) << when;
  };
  compare("before the restart");

  // The demo sets a budget to be crossed whatever the date: the alert's expression matches.
  const auto over =
      prometheus.query("fleet_usage_target:cost_period_to_date:sum > fleet_usage_budget");
  EXPECT_GE(over["data"]["result"].size(), 1u) << over.dump();

  // An exporter restart: a gap, then the same figures again (served by the vendor, period to
  // date), so the cost neither drops nor doubles.
  exporter.reset();
  std::this_thread::sleep_for(std::chrono::seconds(4));
  const auto gap = by_vendor_target(prometheus.query("fleet_usage_target:cost_period_to_date:sum"));
  EXPECT_TRUE(gap.empty()) << "no cost while the exporter is down, not a made-up one";
  exporter = std::make_unique<ExporterProcess>(config, "");
  ASSERT_EQ(exporter->get("/metrics", 60).first, 200) << exporter->log();
  write_file(prometheus.dir() + "/prometheus.yml", prometheus_yaml(exporter->port()));
  {
    httplib::Client c("127.0.0.1", prometheus.port());
    const auto r = c.Post("/-/reload");
    ASSERT_TRUE(r && r->status == 200) << prometheus.log();
  }
  const double restarted = unix_now();
  ASSERT_TRUE(prometheus.wait_for_series(
      "timestamp(fleet_usage_target:cost_period_to_date:sum) > " + std::to_string(restarted + 3),
      std::chrono::seconds(60)))
      << prometheus.log();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  compare("after the restart");
}

// The families the "Cost per day" panel prices (dashboards/spend_dashboard.py HISTORY_FAMILIES).
const std::vector<std::tuple<std::string, std::string, std::string>> kHistoryFamilies = {
    {"notehub_data_bytes_total", "notehub", "data"},
    {"notehub_billable_events_total", "notehub", "events"},
    {"notehub_sessions_total", "notehub", "sessions"},
    {"losant_instance_payloads_total", "losant", "payloads"}};

std::string percent_encoded(const std::string& text) {
  std::string out;
  for (const unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

// The expression of one panel of dashboards/spend.json, its variables matching everything.
std::string panel_expr(const std::string& title) {
  const auto dashboard =
      nlohmann::json::parse(read_file(db::source_dir() + "/dashboards/spend.json"));
  const auto subs = db::substitutions(dashboard);
  for (const auto& e : db::panel_exprs("spend.json", dashboard))
    if (e.where.find("'" + title + "'") != std::string::npos) return db::substitute(e.promql, subs);
  return "";
}

TEST(SpendRulesE2E, BackfilledDaysShowOnTheSpendDashboardAtTodaysPrices) {
  SimProcess sim(kSimFleets);
  const std::string config = demo_config_for(sim.base());
  const auto tables = price_tables(config);
  // (vendor, target, dimension) -> price per base unit, for the history's dimensions.
  std::map<std::tuple<std::string, std::string, std::string>, double> price;
  std::set<std::string> backfilled;  // vendor/name
  for (const auto& t : tables)
    for (const auto& r : t.rates)
      for (const auto& [family, vendor, dimension] : kHistoryFamilies)
        if (t.vendor == vendor && r.dimension == dimension && r.item.empty()) {
          price[{vendor, t.target, dimension}] = r.per_base;
          backfilled.insert(vendor + "/" + t.target);
        }
  ASSERT_FALSE(backfilled.empty()) << "the demo prices no dimension that backfill writes";

  // History across a month boundary, fetched by the real binary from the simulator.
  TempDir dir("fue-spend-backfill");
  write_file(dir.file("config.toml"), with_scaled_timeouts(config));
  std::string cmd = std::string(FUE_EXPORTER_BIN) + " backfill --config.file " +
                    dir.file("config.toml") + " --from 2026-01-29 --to 2026-02-02 --output " +
                    dir.file("usage.om");
  for (const auto& t : backfilled) cmd += " --target " + t;
  std::string output;
  ASSERT_EQ(run_command(cmd + " 2>&1", &output), 0) << output;
  ASSERT_EQ(run_command("promtool tsdb create-blocks-from openmetrics " + dir.file("usage.om") +
                            " " + dir.file("blocks") + " 2>&1",
                        &output),
            0)
      << output;

  // Hand computation from the backfilled figures: per target and UTC day, the counter's value at
  // the day's end minus the day before's, or the value itself after a reset or on the first day.
  std::map<std::tuple<std::string, std::string, std::string>, std::map<int64_t, double>> daily;
  {
    std::istringstream lines(read_file(dir.file("usage.om")));
    std::map<std::tuple<std::string, std::string, std::string>, std::map<int64_t, double>> value;
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line[0] == '#') continue;
      const auto samples = parse_exposition(line);
      if (samples.empty()) continue;
      const auto& s = samples.front();
      const double ts = std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
      for (const auto& [family, vendor, dimension] : kHistoryFamilies)
        if (s.name == family && price.count({vendor, s.labels.at("target"), dimension}))
          value[{vendor, s.labels.at("target"), dimension}][static_cast<int64_t>(ts) / 86400] +=
              s.value;
    }
    for (const auto& [key, days] : value) {
      std::optional<double> before;
      for (const auto& [day, v] : days) {
        const double usage = before && v >= *before ? v - *before : v;
        daily[key][day] = usage * price.at(key);
        before = v;
      }
    }
  }
  ASSERT_FALSE(daily.empty());

  // A Prometheus serving those blocks and scraping the live exporter (today's prices).
  ExporterProcess exporter(config, "");
  ASSERT_EQ(exporter.get("/metrics", 60).first, 200) << exporter.log();
  PrometheusServer::Options options;
  options.config_yaml = prometheus_yaml(exporter.port());
  options.extra_args = {"--storage.tsdb.retention.time=100y"};
  options.storage_dir = dir.file("blocks");
  PrometheusServer prometheus(options);
  // A few scrapes, so that the range query's end (a whole second) is after the first price.
  ASSERT_TRUE(prometheus.wait_for_series("count_over_time(fleet_usage_price[1m]) >= 3",
                                         std::chrono::seconds(60)))
      << prometheus.log();
  // Blocks are loaded at start-up; wait until the backfilled days answer.
  const int64_t first_day = *backfill::parse_date("2026-01-29");
  ASSERT_TRUE(
      prometheus.wait_for_series("count by (__name__) ({__name__=~\"notehub_.*|losant_.*\"} @ " +
                                     std::to_string(backfill::sample_time(first_day)) + ")",
                                 std::chrono::seconds(60)))
      << prometheus.log();

  // The panel, as Grafana asks for it: a range query ending now (so `@ end()` finds today's
  // prices), one step a day at midnight UTC.
  const std::string expr = panel_expr("Cost per day");
  ASSERT_FALSE(expr.empty());
  const auto now = static_cast<int64_t>(unix_now());
  const auto answer = prometheus.get_json("/api/v1/query_range?query=" + percent_encoded(expr) +
                                          "&start=" + std::to_string(first_day + 86400) +
                                          "&end=" + std::to_string(now) + "&step=86400");
  ASSERT_EQ(answer.value("status", ""), "success") << answer.dump() << "\n" << expr;
  std::map<std::tuple<std::string, std::string, std::string>, std::map<int64_t, double>> shown;
  for (const auto& series : answer["data"]["result"]) {
    const auto& m = series["metric"];
    for (const auto& v : series["values"]) {
      const int64_t at = static_cast<int64_t>(v[0].get<double>());
      shown[{m.value("vendor", ""), m.value("target", ""), m.value("dimension", "")}]
           [at / 86400 - 1] = std::stod(v[1].get<std::string>());
    }
  }
  size_t compared = 0;
  for (const auto& [key, days] : daily)
    for (const auto& [day, cost] : days) {
      const auto& [vendor, target, dimension] = key;
      ASSERT_TRUE(shown.count(key) && shown.at(key).count(day))
          << vendor << "/" << target << " " << dimension << " day " << day << " not on the panel\n"
          << answer.dump().substr(0, 2000);
      EXPECT_NEAR(shown.at(key).at(day), cost, std::max(0.01 * cost, 1e-9))
          << vendor << "/" << target << " " << dimension << " day " << day;
      ++compared;
    }
  EXPECT_GE(compared, 5u);
}

}  // namespace
}  // namespace fue::test
