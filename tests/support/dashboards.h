#pragma once

// Reading the shipped Grafana dashboards (dashboards/*.json) and alert rules
// (dashboards/alerts/*.rules.yml) for the lint and end-to-end tests: panels (rows flattened),
// their PromQL targets, template variables and their substitution.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fue::test::dashboards {

inline std::string source_dir() { return FUE_SOURCE_DIR; }

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every dashboards/*.json, sorted by path.
inline std::vector<std::string> dashboard_files() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(source_dir() + "/dashboards"))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

inline const char* kRulesFile = "/dashboards/alerts/fleet-usage-exporter.rules.yml";
// The spend recording rules and alerts (issue 21), loaded next to kRulesFile.
inline const char* kSpendRulesFile = "/dashboards/alerts/fleet-usage-spend.rules.yml";

// Panels in display order; the panels nested in (collapsed) rows are included after their row.
inline std::vector<nlohmann::json> all_panels(const nlohmann::json& dashboard) {
  std::vector<nlohmann::json> out;
  for (const auto& p : dashboard.value("panels", nlohmann::json::array())) {
    out.push_back(p);
    for (const auto& nested : p.value("panels", nlohmann::json::array())) out.push_back(nested);
  }
  return out;
}

struct Expr {
  std::string where;  // "<file> panel <id> '<title>' ref <refId>" or "<file> variable <name>"
  std::string promql;
};

// The PromQL expression of every panel target.
inline std::vector<Expr> panel_exprs(const std::string& file, const nlohmann::json& dashboard) {
  std::vector<Expr> out;
  const std::string name = std::filesystem::path(file).filename().string();
  for (const auto& p : all_panels(dashboard))
    for (const auto& t : p.value("targets", nlohmann::json::array()))
      out.push_back({name + " panel " + std::to_string(p.value("id", 0)) + " '" +
                         p.value("title", "") + "' ref " + t.value("refId", "?"),
                     t.value("expr", "")});
  return out;
}

// label_values(<selector>, <label>) of a query variable, split; false for other queries.
inline bool parse_label_values(const std::string& query, std::string& selector,
                               std::string& label) {
  static const std::regex re(R"(^\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$)");
  std::smatch m;
  if (!std::regex_match(query, m, re)) return false;
  selector = m[1];
  label = m[2];
  return true;
}

inline std::string variable_query(const nlohmann::json& var) {
  const auto& q = var.contains("query") ? var["query"] : nlohmann::json();
  if (q.is_object()) return q.value("query", "");
  return q.is_string() ? q.get<std::string>() : "";
}

// What each template variable is replaced with when a test runs the expressions: query
// variables (multi-value, used with =~) match everything, custom variables take their current
// value, and Grafana's built-in intervals get durations that suit a 1 s scrape interval.
inline std::map<std::string, std::string> substitutions(const nlohmann::json& dashboard) {
  std::map<std::string, std::string> subs{
      {"__rate_interval", "15s"}, {"__interval", "5s"}, {"__range", "1m"}, {"__range_s", "60"}};
  for (const auto& v : dashboard["templating"]["list"]) {
    const std::string type = v.value("type", "");
    const std::string name = v.value("name", "");
    if (type == "query")
      subs[name] = ".*";
    else if (type == "custom" || type == "constant" || type == "interval")
      subs[name] = v["current"].value("value", "");
    else if (type == "datasource")
      subs[name] = "";
  }
  return subs;
}

// Replaces $name, ${name} and ${name:format}; unknown names are reported in `unknown`.
inline std::string substitute(const std::string& text,
                              const std::map<std::string, std::string>& subs,
                              std::vector<std::string>* unknown = nullptr) {
  static const std::regex var(R"(\$\{([A-Za-z0-9_]+)(?::[a-z]+)?\}|\$([A-Za-z0-9_]+))");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), var);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    const std::string name = m[1].matched ? m[1].str() : m[2].str();
    out += text.substr(last, m.position() - last);
    auto found = subs.find(name);
    if (found == subs.end()) {
      if (unknown) unknown->push_back(name);
      out += m.str();
    } else {
      out += found->second;
    }
    last = m.position() + m.length();
  }
  return out + text.substr(last);
}

struct Rule {
  std::string name;  // alert or record name
  std::string expr;
  int line = 0;
};

// The rules of a Prometheus rules file written as this repository writes it: `- alert: X` (or
// `- record: X`) followed by `expr: |` and an indented block, or `expr: <one line>`. Not a
// YAML parser; the lint test also checks that every rule was read.
inline std::vector<Rule> read_rules(const std::string& path) {
  std::vector<Rule> rules;
  std::istringstream in(slurp(path));
  std::string line;
  static const std::regex head(R"(^\s*-\s*(alert|record):\s*(\S+)\s*$)");
  static const std::regex expr_line(R"(^(\s*)expr:\s*(.*)$)");
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_match(lines[i], m, head)) {
      rules.push_back({m[2], "", static_cast<int>(i + 1)});
      continue;
    }
    if (rules.empty() || !std::regex_match(lines[i], m, expr_line)) continue;
    const size_t indent = m[1].length();
    const std::string rest = m[2];
    if (rest == "|" || rest == "|-" || rest == ">" || rest == ">-") {
      std::string block;
      while (i + 1 < lines.size()) {
        const std::string& next = lines[i + 1];
        const size_t first = next.find_first_not_of(' ');
        if (first != std::string::npos && first <= indent) break;
        block += next + "\n";
        ++i;
      }
      rules.back().expr = block;
    } else {
      rules.back().expr = rest;
    }
  }
  return rules;
}

}  // namespace fue::test::dashboards
