// The shipped Grafana dashboards and alert rules, checked without running anything:
// - Grafana structure: valid JSON, schemaVersion >= 36, stable unique UIDs, unique panel ids,
//   grid positions inside 24 columns that do not overlap, a known unit on every panel, the
//   datasource only through the `datasource` variable, template variables for the targets and no
//   hard-coded target names;
// - names: every metric and label an expression, a legend, a variable query or an alert uses is
//   one the exporter produces (the golden expositions plus the self-metrics);
// - alert rules: severity, summary, description and a runbook_url whose section exists in
//   docs/alerts.md.
// The checkers are tested on bad input too, so that they can fail.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "exporter/engine/self_metrics.h"
#include "exporter/metrics/serializer.h"
#include "tests/support/dashboards.h"
#include "tests/support/harness.h"

namespace fue::test {
namespace {

namespace db = dashboards;
namespace fs = std::filesystem;
using Labels = std::set<std::string>;
using Catalog = std::map<std::string, Labels>;  // sample name -> label names

// ------------------------------------------------------------------ what the exporter produces

// Adds the sample names and label names of an exposition to `catalog`.
void add_exposition(const std::string& text, Catalog& catalog) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    Labels& labels = catalog[line.substr(0, i)];
    if (i >= line.size() || line[i] != '{') continue;
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string::npos) break;
      labels.insert(line.substr(i, eq - i));
      i = eq + 2;  // past ="
      while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
      ++i;  // past the closing quote
      if (i < line.size() && line[i] == ',') ++i;
    }
  }
}

// The exporter's families, and the series the spend recording rules make from them (the spend
// dashboard reads those): every `record:` name, with the labels the rules give them.
const Catalog& exporter_catalog() {
  static const Catalog catalog = [] {
    Catalog c;
    for (const auto& text : produced_expositions()) add_exposition(text, c);
    for (const auto& r : db::read_rules(db::source_dir() + db::kSpendRulesFile))
      if (r.name.find(':') != std::string::npos)
        c[r.name] = {"vendor", "target", "dimension", "item", "kind", "currency"};
    return c;
  }();
  return catalog;
}

// Labels Prometheus adds to every scraped series, and `cluster`, which a multi-cluster setup adds
// as a target label (the dashboards' optional cluster variable).
const Labels kScrapeLabels = {"job", "instance", "cluster"};

// ------------------------------------------------------------------ PromQL names

struct Token {
  enum Kind { Ident, String, Number, Punct } kind;
  std::string text;
};

std::vector<Token> tokenize(const std::string& q, std::vector<std::string>& problems) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < q.size()) {
    const char c = q[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#') {  // comment to the end of the line
      while (i < q.size() && q[i] != '\n') ++i;
    } else if (c == '"' || c == '\'' || c == '`') {
      std::string s;
      size_t j = i + 1;
      while (j < q.size() && q[j] != c) {
        if (q[j] == '\\' && c != '`' && j + 1 < q.size()) ++j;
        s += q[j++];
      }
      if (j >= q.size()) problems.push_back("unterminated string in: " + q);
      out.push_back({Token::String, s});
      i = j + 1;
    } else if (c == '[') {  // range or subquery: durations only
      const size_t j = q.find(']', i);
      i = j == std::string::npos ? q.size() : j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t j = i;
      while (j < q.size() &&
             (std::isalnum(static_cast<unsigned char>(q[j])) || q[j] == '.' ||
              ((q[j] == '+' || q[j] == '-') && (q[j - 1] == 'e' || q[j - 1] == 'E'))))
        ++j;
      out.push_back({Token::Number, q.substr(i, j - i)});
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':') {
      size_t j = i;
      while (j < q.size() &&
             (std::isalnum(static_cast<unsigned char>(q[j])) || q[j] == '_' || q[j] == ':'))
        ++j;
      out.push_back({Token::Ident, q.substr(i, j - i)});
      i = j;
    } else {
      static const char* two[] = {"==", "!=", "=~", "!~", ">=", "<="};
      std::string p(1, c);
      for (const char* t : two)
        if (q.compare(i, 2, t) == 0) p = t;
      out.push_back({Token::Punct, p});
      i += p.size();
    }
  }
  return out;
}

const std::set<std::string> kGrouping = {"by",       "without",    "on",
                                         "ignoring", "group_left", "group_right"};
const std::set<std::string> kKeywords = {"and", "or", "unless", "offset", "bool", "inf", "nan",
                                         "start", "end",
                                         // aggregations (possibly followed by by/without)
                                         "sum", "min", "max", "avg", "group", "stddev", "stdvar",
                                         "count", "count_values", "bottomk", "topk", "quantile"};

struct Names {
  std::vector<std::pair<std::string, Labels>> selectors;  // metric, matcher labels
  Labels grouping;                                        // by/on/... and label_* source labels
  Labels created;                                         // label_replace/label_join targets
};

Names promql_names(const std::string& q, std::vector<std::string>& problems) {
  Names n;
  const auto t = tokenize(q, problems);
  auto matchers = [&](size_t& i, Labels& labels) {  // t[i] is "{"
    ++i;
    while (i < t.size() && t[i].text != "}") {
      if (t[i].kind == Token::Ident) labels.insert(t[i].text);
      i += 3;  // name op "value"
      if (i < t.size() && t[i].text == ",") ++i;
    }
  };
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& tok = t[i];
    const bool call = i + 1 < t.size() && t[i + 1].text == "(";
    if (tok.kind == Token::Punct && tok.text == "{") {  // selector without a metric name
      Labels labels;
      matchers(i, labels);
      n.selectors.push_back({"", labels});
    } else if (tok.kind != Token::Ident) {
      continue;
    } else if (kGrouping.count(tok.text)) {
      if (!call) continue;  // group_left without a list
      for (i += 2; i < t.size() && t[i].text != ")"; ++i)
        if (t[i].kind == Token::Ident) n.grouping.insert(t[i].text);
    } else if (call && (tok.text == "label_replace" || tok.text == "label_join")) {
      // The string arguments at the call's own depth: replace: dst, repl, src, regex;
      // join: dst, separator, src...
      std::vector<std::string> strings;
      int depth = 0;
      for (size_t j = i + 1; j < t.size(); ++j) {
        if (t[j].text == "(" || t[j].text == "{") ++depth;
        if (t[j].text == ")" || t[j].text == "}") --depth;
        if (depth == 0) break;
        if (depth == 1 && t[j].kind == Token::String) strings.push_back(t[j].text);
      }
      for (size_t k = 0; k < strings.size(); ++k) {
        if (k == 0)
          n.created.insert(strings[k]);
        else if ((tok.text == "label_replace" && k == 2) || (tok.text == "label_join" && k >= 2))
          if (!strings[k].empty()) n.grouping.insert(strings[k]);
      }
    } else if (call || kKeywords.count(tok.text)) {
      continue;  // a function, an aggregation or a keyword
    } else {
      Labels labels;
      if (i + 1 < t.size() && t[i + 1].text == "{") {
        ++i;
        matchers(i, labels);
      }
      n.selectors.push_back({tok.text, labels});
    }
  }
  return n;
}

// Problems with the names of one expression; `legend` and `templated` are label references
// ({{label}} of a legend, $labels.x of an alert template) that must exist too.
std::vector<std::string> check_names(const std::string& where, const std::string& q,
                                     const Labels& referenced = {}) {
  std::vector<std::string> problems;
  const auto& catalog = exporter_catalog();
  const Names n = promql_names(q, problems);
  Labels available = kScrapeLabels;
  available.insert(n.created.begin(), n.created.end());
  if (n.selectors.empty()) problems.push_back(where + ": no metric in '" + q + "'");
  for (const auto& [metric, labels] : n.selectors) {
    if (metric.empty()) continue;
    // Prometheus' own series of each scrape (the exporter-down alert).
    if (metric == "up") {
      for (const auto& l : labels)
        if (!kScrapeLabels.count(l)) problems.push_back(where + ": up has no label " + l);
      continue;
    }
    auto it = catalog.find(metric);
    if (it == catalog.end()) {
      problems.push_back(where + ": the exporter produces no metric " + metric);
      continue;
    }
    available.insert(it->second.begin(), it->second.end());
    for (const auto& l : labels)
      if (l != "__name__" && !it->second.count(l) && !kScrapeLabels.count(l))
        problems.push_back(where + ": " + metric + " has no label " + l);
  }
  for (const auto& l : n.grouping)
    if (!available.count(l))
      problems.push_back(where + ": label " + l + " is on no metric of the expression");
  for (const auto& l : referenced)
    if (!available.count(l) && l != "__name__")
      problems.push_back(where + ": references label " + l + ", which the expression lacks");
  return problems;
}

Labels legend_labels(const std::string& legend) {
  Labels out;
  static const std::regex re(R"(\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\})");
  for (auto it = std::sregex_iterator(legend.begin(), legend.end(), re);
       it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

// ------------------------------------------------------------------ Grafana structure

const std::set<std::string> kKnownUnits = {"none",
                                           "short",
                                           "percent",
                                           "percentunit",
                                           "s",
                                           "ms",
                                           "m",
                                           "h",
                                           "d",
                                           "dtdurations",
                                           "dtdurationms",
                                           "bytes",
                                           "decbytes",
                                           "bits",
                                           "Bps",
                                           "bps",
                                           "reqps",
                                           "ops",
                                           "rps",
                                           "wps",
                                           "cps",
                                           "dateTimeAsIso",
                                           "dateTimeFromNow",
                                           "dateTimeAsSystem",
                                           "bool",
                                           "bool_on_off",
                                           "currencyUSD",
                                           "currencyEUR",
                                           "hertz"};

nlohmann::json datasource_ref() { return {{"type", "prometheus"}, {"uid", "${datasource}"}}; }

// Every "datasource" value anywhere in `j` that is not the variable (annotations may use
// Grafana's built-in one).
void find_datasources(const nlohmann::json& j, const std::string& path,
                      std::vector<std::string>& problems) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string here = path + "/" + it.key();
      if (it.key() == "datasource") {
        const bool builtin = here.rfind("/annotations/", 0) == 0 && it.value().is_object() &&
                             it.value().value("type", "") == "grafana";
        if (it.value() != datasource_ref() && !builtin)
          problems.push_back(here + " is " + it.value().dump() + ", not the datasource variable");
      } else {
        find_datasources(it.value(), here, problems);
      }
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      find_datasources(j[i], path + "/" + std::to_string(i), problems);
  }
}

std::vector<std::string> check_structure(const std::string& name, const nlohmann::json& d) {
  std::vector<std::string> p;
  auto bad = [&](const std::string& what) { p.push_back(name + ": " + what); };
  if (!d.is_object()) return {name + ": not a JSON object"};
  if (d.value("schemaVersion", 0) < 36) bad("schemaVersion below 36");
  if (!d.contains("uid") || !d["uid"].is_string() ||
      !std::regex_match(d["uid"].get<std::string>(), std::regex("fue-[a-z_]{1,36}")))
    bad("uid must be a stable 'fue-...' id");
  if (d.value("title", "").empty()) bad("no title");
  // Grafana's Import dialog offers a data source picker for each of __inputs.
  bool ds_input = false;
  for (const auto& in : d.value("__inputs", nlohmann::json::array()))
    ds_input |= in.value("name", "") == "DS_PROMETHEUS" && in.value("pluginId", "") == "prometheus";
  if (!ds_input) bad("no __inputs entry DS_PROMETHEUS for the Import dialog's data source picker");
  if (!d.contains("__requires") || !d["__requires"].is_array()) bad("no __requires");
  for (const auto& link : d.value("links", nlohmann::json::array()))
    if (!link.value("includeVars", false) || !link.value("keepTime", false))
      bad("dashboard link '" + link.value("title", "") + "' drops the variables or the time range");
  find_datasources(d, "", p);

  // Template variables.
  const auto vars = d.contains("templating")
                        ? d["templating"].value("list", nlohmann::json::array())
                        : nlohmann::json::array();
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& v : vars) by_name[v.value("name", "")] = v;
  if (!by_name.count("datasource") || by_name["datasource"].value("type", "") != "datasource" ||
      by_name["datasource"].value("query", "") != "prometheus")
    bad("no 'datasource' variable of type datasource for prometheus");
  if (!by_name.count("target") || by_name["target"].value("type", "") != "query")
    bad("no 'target' query variable");
  for (const char* scope : {"job", "instance"})
    if (!by_name.count(scope) || by_name[scope].value("type", "") != "query")
      bad(std::string("no '") + scope + "' query variable: two exporters would mix");
  for (const auto& v : vars) {
    if (v.value("type", "") != "query") continue;
    std::string sel, label;
    if (!db::parse_label_values(db::variable_query(v), sel, label))
      bad("variable " + v.value("name", "") + " is not a label_values() query");
  }

  // Panels.
  std::set<int> ids;
  struct Box {
    int x, y, w, h;
    std::string title;
  };
  std::vector<Box> boxes;
  for (const auto& panel : db::all_panels(d)) {
    const std::string title = panel.value("title", "");
    const std::string type = panel.value("type", "");
    if (!panel.contains("id") || !panel["id"].is_number_integer()) {
      bad("panel '" + title + "' has no integer id");
    } else if (!ids.insert(panel["id"].get<int>()).second) {
      bad("panel id " + std::to_string(panel["id"].get<int>()) + " is used twice");
    }
    const auto& g = panel.value("gridPos", nlohmann::json::object());
    const Box b{g.value("x", -1), g.value("y", -1), g.value("w", 0), g.value("h", 0), title};
    if (b.x < 0 || b.y < 0 || b.w < 1 || b.h < 1 || b.x + b.w > 24)
      bad("panel '" + title + "' has gridPos " + g.dump() + " outside 24 columns");
    for (const auto& o : boxes)
      if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h)
        bad("panels '" + title + "' and '" + o.title + "' overlap");
    boxes.push_back(b);
    if (type == "row") continue;
    if (title.empty()) bad("a panel has no title");
    const std::string unit =
        panel.contains("fieldConfig") ? panel["fieldConfig"]["defaults"].value("unit", "") : "";
    if (!kKnownUnits.count(unit))
      bad("panel '" + title + "' has unit '" + unit + "', not a known unit");
    if (panel.value("datasource", nlohmann::json()) != datasource_ref())
      bad("panel '" + title + "' does not use the datasource variable");
    const auto& targets = panel.value("targets", nlohmann::json::array());
    if (targets.empty()) bad("panel '" + title + "' has no query");
    for (const auto& t : targets) {
      const std::string expr = t.value("expr", "");
      if (expr.empty()) bad("panel '" + title + "' has an empty query");
      if (t.value("datasource", nlohmann::json()) != datasource_ref())
        bad("a query of panel '" + title + "' does not use the datasource variable");
      // Target names come only from the variable.
      static const std::regex hard(R"(target\s*(=|!=|!~)\s*"|target\s*=~\s*"(?!\$target"))");
      if (std::regex_search(expr, hard)) bad("panel '" + title + "' names a target: " + expr);
    }
  }
  return p;
}

// ------------------------------------------------------------------ tests of the checkers

TEST(DashboardsLintCheckers, UnknownMetricAndLabelNamesAreReported) {
  EXPECT_TRUE(
      check_names("ok", R"(sum by (target) (losant_instance_devices{instance_id=~".*"}))").empty());
  EXPECT_FALSE(check_names("x", "losant_instance_devicez").empty());
  EXPECT_FALSE(check_names("x", R"(losant_instance_devices{tenant="a"})").empty());
  EXPECT_FALSE(check_names("x", "sum by (tenant) (losant_instance_devices)").empty());
  EXPECT_FALSE(
      check_names("x", "koophone_instances / on(target, vm) koophone_instances_by_region").empty());
  EXPECT_FALSE(check_names("x", "koophone_instances", {"region"}).empty());
  EXPECT_TRUE(check_names("ok", "koophone_instances_by_region", {"region", "job"}).empty());
  // Histogram series and labels made by label_replace are known.
  EXPECT_TRUE(check_names("ok",
                          "histogram_quantile(0.9, sum by (le) (rate("
                          "fleet_usage_exporter_api_request_duration_seconds_bucket[5m])))")
                  .empty());
  EXPECT_TRUE(
      check_names("ok", R"(label_replace(koophone_instances, "quota", "x", "", ""))", {"quota"})
          .empty());
  EXPECT_FALSE(
      check_names("x", R"x(label_replace(koophone_instances, "q", "$1", "nolabel", "(.*)"))x")
          .empty());
}

TEST(DashboardsLintCheckers, BrokenStructureIsReported) {
  const auto good = nlohmann::json::parse(read_file(db::source_dir() + "/dashboards/losant.json"));
  ASSERT_TRUE(check_structure("good", good).empty());
  auto overlap = good;
  overlap["panels"][2]["gridPos"] = overlap["panels"][1]["gridPos"];
  EXPECT_FALSE(check_structure("overlap", overlap).empty());
  auto wide = good;
  wide["panels"][1]["gridPos"]["x"] = 20;
  wide["panels"][1]["gridPos"]["w"] = 8;
  EXPECT_FALSE(check_structure("wide", wide).empty());
  auto dup = good;
  dup["panels"][2]["id"] = dup["panels"][1]["id"];
  EXPECT_FALSE(check_structure("dup", dup).empty());
  auto unit = good;
  unit["panels"][1]["fieldConfig"]["defaults"]["unit"] = "furlongs";
  EXPECT_FALSE(check_structure("unit", unit).empty());
  auto ds = good;
  ds["panels"][1]["targets"][0]["datasource"] = {{"type", "prometheus"},
                                                 {"uid", "P1809F7CD0C75ACF3"}};
  EXPECT_FALSE(check_structure("ds", ds).empty());
  auto hard = good;
  hard["panels"][1]["targets"][0]["expr"] = R"(losant_instance_devices{target="prod"})";
  EXPECT_FALSE(check_structure("hard", hard).empty());
  auto old = good;
  old["schemaVersion"] = 27;
  EXPECT_FALSE(check_structure("old", old).empty());
  auto no_inputs = good;
  no_inputs.erase("__inputs");
  EXPECT_FALSE(check_structure("no_inputs", no_inputs).empty());
  auto no_job = good;
  auto& vars = no_job["templating"]["list"];
  for (size_t i = 0; i < vars.size(); ++i)
    if (vars[i].value("name", "") == "job") vars.erase(i--);
  EXPECT_FALSE(check_structure("no_job", no_job).empty());
}

// ------------------------------------------------------------------ the shipped files

TEST(DashboardsLint, OneOverviewAndOneDashboardPerVendorWithStableUids) {
  std::map<std::string, std::string> uids;
  for (const auto& f : db::dashboard_files()) {
    const auto d = nlohmann::json::parse(read_file(f), nullptr, false);
    ASSERT_FALSE(d.is_discarded()) << f << " is not valid JSON";
    uids[fs::path(f).filename().string()] = d.value("uid", "");
  }
  const std::map<std::string, std::string> want = {{"fleet-usage-overview.json", "fue-overview"},
                                                   {"losant.json", "fue-losant"},
                                                   {"notehub.json", "fue-notehub"},
                                                   {"thousandeyes.json", "fue-thousandeyes"},
                                                   {"koophone.json", "fue-koophone"},
                                                   {"kakaocloud_bcs.json", "fue-kakaocloud_bcs"},
                                                   {"spend.json", "fue-spend"}};
  EXPECT_EQ(uids, want);
}

TEST(DashboardsLint, GrafanaStructure) {
  for (const auto& f : db::dashboard_files()) {
    const auto d = nlohmann::json::parse(read_file(f), nullptr, false);
    ASSERT_FALSE(d.is_discarded()) << f;
    for (const auto& problem : check_structure(fs::path(f).filename().string(), d))
      ADD_FAILURE() << problem;
  }
}

TEST(DashboardsLint, EveryMetricAndLabelIsOneTheExporterProduces) {
  size_t checked = 0;
  for (const auto& f : db::dashboard_files()) {
    const auto d = nlohmann::json::parse(read_file(f));
    const auto subs = db::substitutions(d);
    for (const auto& panel : db::all_panels(d))
      for (const auto& t : panel.value("targets", nlohmann::json::array())) {
        const std::string where = fs::path(f).filename().string() + " panel '" +
                                  panel.value("title", "") + "' " + t.value("refId", "");
        std::vector<std::string> unknown;
        const std::string q = db::substitute(t.value("expr", ""), subs, &unknown);
        for (const auto& u : unknown) ADD_FAILURE() << where << ": unknown variable $" << u;
        for (const auto& problem :
             check_names(where, q, legend_labels(t.value("legendFormat", ""))))
          ADD_FAILURE() << problem;
        ++checked;
      }
    for (const auto& v : d["templating"]["list"]) {
      std::string selector, label;
      if (v.value("type", "") != "query" ||
          !db::parse_label_values(db::variable_query(v), selector, label))
        continue;
      for (const auto& problem : check_names(f + " variable " + v.value("name", ""),
                                             db::substitute(selector, subs), {label}))
        ADD_FAILURE() << problem;
    }
  }
  EXPECT_GT(checked, 100u);
}

// Alerts: unique names, severity, summary, description and a runbook section; every rule
// (recording rules too): produced names only.
void check_rules_file(const std::string& path, size_t min_rules) {
  const std::string text = read_file(path);
  const auto rules = db::read_rules(path);
  // The reader saw every rule and every expression.
  size_t heads = 0;
  const std::regex alert_head(R"(\n\s*-\s*(alert|record):)");
  const std::regex heading(R"(\n#+ ([^\n]+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), alert_head);
       it != std::sregex_iterator(); ++it)
    ++heads;
  ASSERT_EQ(rules.size(), heads) << path;
  ASSERT_GE(rules.size(), min_rules) << path;

  const std::string runbook = read_file(db::source_dir() + "/docs/alerts.md");
  std::set<std::string> anchors;  // GitHub anchors of the runbook's headings
  for (auto it = std::sregex_iterator(runbook.begin(), runbook.end(), heading);
       it != std::sregex_iterator(); ++it) {
    std::string a;
    for (char c : (*it)[1].str())
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
        a += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      else if (c == ' ')
        a += '-';
    anchors.insert(a);
  }

  std::set<std::string> names;
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    ASSERT_FALSE(r.expr.empty()) << r.name << " has no expr";
    if (text.find("alert: " + r.name + "\n") == std::string::npos) {  // a recording rule
      for (const auto& problem : check_names(r.name, r.expr)) ADD_FAILURE() << problem;
      continue;
    }
    EXPECT_TRUE(names.insert(r.name).second) << r.name << " is defined twice";
    // The rule's own block of text, up to the next rule.
    const size_t start = text.find("alert: " + r.name);
    const size_t next = text.find("\n      - ", start);
    const size_t end = next == std::string::npos ? text.size() : next;
    const std::string block = text.substr(start, end - start);
    for (const char* key : {"severity:", "summary:", "description:", "runbook_url:"})
      EXPECT_NE(block.find(key), std::string::npos) << r.name << " has no " << key;
    std::smatch m;
    const std::regex url(
        R"re(runbook_url:\s*"https://github\.com/fleet-usage-exporter/fleet-usage-exporter/blob/main/docs/alerts\.md#([a-z0-9_-]+)")re");
    if (std::regex_search(block, m, url))
      EXPECT_TRUE(anchors.count(m[1])) << r.name << ": docs/alerts.md has no section #" << m[1];
    else
      ADD_FAILURE() << r.name << ": runbook_url does not point at docs/alerts.md#<section>";
    Labels referenced;
    const std::string annotations = block.substr(block.find("annotations:"));
    const std::regex label_ref(R"(\$labels\.([A-Za-z_][A-Za-z0-9_]*))");
    for (auto it = std::sregex_iterator(annotations.begin(), annotations.end(), label_ref);
         it != std::sregex_iterator(); ++it)
      referenced.insert((*it)[1]);
    for (const auto& problem : check_names(r.name, r.expr, referenced)) ADD_FAILURE() << problem;
  }
}

TEST(DashboardsLint, EveryAlertRuleUsesProducedNamesAndIsDocumented) {
  check_rules_file(db::source_dir() + db::kRulesFile, 10);
}

TEST(DashboardsLint, EverySpendRuleUsesProducedNamesAndIsDocumented) {
  check_rules_file(db::source_dir() + db::kSpendRulesFile, 20);
}

}  // namespace
}  // namespace fue::test
