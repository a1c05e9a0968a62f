#include "exporter/config/config_node.h"

#include <cmath>

#include "exporter/config/config_text.h"

namespace fue::config {

namespace {

std::string format_error(const std::string& file, int line, const std::string& key,
                         const std::string& message) {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

std::string join(const std::vector<std::string>& items, std::string_view quote) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += std::string(quote) + item + std::string(quote);
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, std::string key, const std::string& message)
    : std::runtime_error(format_error(file, line, key, message)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "floating-point number";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    default:
      return "nothing";
  }
}

ConfigNode::ConfigNode(const toml::table& table, std::string file, std::string path)
    : table_(&table), file_(std::move(file)), path_(std::move(path)) {}

int ConfigNode::line() const { return static_cast<int>(table_->source().begin.line); }

bool ConfigNode::has(std::string_view key) const { return table_->contains(key); }

const toml::node* ConfigNode::lookup(std::string_view key) {
  read_.emplace(key);
  return table_->get(key);
}

std::string ConfigNode::qualified(std::string_view key) const {
  if (key.empty()) return path_;
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

int ConfigNode::line_of(std::string_view key) const {
  const toml::node* node = key.empty() ? nullptr : table_->get(key);
  int line = node ? static_cast<int>(node->source().begin.line) : 0;
  return line > 0 ? line : this->line();
}

std::string ConfigNode::file_of(const toml::node& node) const {
  const auto& path = node.source().path;
  return path && !path->empty() ? *path : file_;
}

std::string ConfigNode::file_of(std::string_view key) const {
  const toml::node* node = key.empty() ? nullptr : table_->get(key);
  return node ? file_of(*node) : file_;
}

void ConfigNode::fail(std::string_view key, const std::string& message) const {
  throw ConfigError(file_of(key), line_of(key), qualified(key), message);
}

void ConfigNode::reject_unknown_keys() const {
  for (auto&& [key, value] : *table_) {
    if (read_.count(key.str())) continue;
    std::vector<std::string> known(read_.begin(), read_.end());
    std::string message = "unknown key";
    if (!known.empty()) message += "; valid keys here are: " + join(known, "");
    throw ConfigError(file_of(value), static_cast<int>(value.source().begin.line),
                      qualified(key.str()), message);
  }
}

std::optional<std::string> ConfigNode::optional_string(std::string_view key) {
  const toml::node* node = lookup(key);
  if (!node) return std::nullopt;
  if (!node->is_string()) fail(key, "expected a string, got " + type_name(*node));
  return node->value<std::string>();
}

std::string ConfigNode::require_string(std::string_view key) {
  auto value = optional_string(key);
  if (!value) fail(key, "missing required key");
  return *value;
}

std::string ConfigNode::string_or(std::string_view key, std::string fallback) {
  return optional_string(key).value_or(std::move(fallback));
}

std::string ConfigNode::enum_or(std::string_view key, const std::vector<std::string>& allowed,
                                std::string fallback) {
  auto value = optional_string(key);
  if (!value) return fallback;
  for (const auto& a : allowed) {
    if (a == *value) return *value;
  }
  fail(key, "must be one of " + join(allowed, "\"") + ", got \"" + *value + "\"");
}

int64_t ConfigNode::int_or(std::string_view key, int64_t fallback, int64_t min, int64_t max) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  if (!node->is_integer()) fail(key, "expected an integer, got " + type_name(*node));
  int64_t value = *node->value<int64_t>();
  if (value < min || value > max) {
    std::string range =
        max == INT64_MAX ? "must be at least " + std::to_string(min)
                         : "must be between " + std::to_string(min) + " and " + std::to_string(max);
    fail(key, range + ", got " + std::to_string(value));
  }
  return value;
}

double ConfigNode::double_or(std::string_view key, double fallback) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  if (!node->is_number()) fail(key, "expected a number, got " + type_name(*node));
  return *node->value<double>();
}

bool ConfigNode::bool_or(std::string_view key, bool fallback) {
  const toml::node* node = lookup(key);
  if (!node) return fallback;
  if (!node->is_boolean()) fail(key, "expected a boolean, got " + type_name(*node));
  return *node->value<bool>();
}

std::optional<Duration> ConfigNode::optional_duration(std::string_view key) {
  const toml::node* node = lookup(key);
  if (!node) return std::nullopt;
  const std::string expected = "expected a duration such as \"10s\"";
  if (node->is_string()) {
    Duration d;
    std::string text = *node->value<std::string>();
    if (!parse_duration(text, d)) {
      fail(key, expected + " or \"1h30m\", got \"" + text + "\"");
    }
    return d;
  }
  if (node->is_number()) {
    double seconds = *node->value<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e12) {
      fail(key, "a duration in seconds must be a non-negative number");
    }
    return Duration(static_cast<int64_t>(std::llround(seconds * 1000)));
  }
  fail(key, expected + ", got " + type_name(*node));
}

Duration ConfigNode::duration_or(std::string_view key, Duration fallback) {
  return optional_duration(key).value_or(fallback);
}

std::vector<std::string> ConfigNode::string_list(std::string_view key) {
  const toml::node* node = lookup(key);
  std::vector<std::string> out;
  if (!node) return out;
  const toml::array* array = node->as_array();
  if (!array) fail(key, "expected an array of strings, got " + type_name(*node));
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    if (!item.is_string()) {
      int line = static_cast<int>(item.source().begin.line);
      throw ConfigError(line > 0 ? file_of(item) : file_of(key), line > 0 ? line : line_of(key),
                        qualified(key) + "[" + std::to_string(i) + "]",
                        "expected a string, got " + type_name(item));
    }
    out.push_back(*item.value<std::string>());
  }
  return out;
}

std::optional<ConfigNode> ConfigNode::child(std::string_view key) {
  const toml::node* node = lookup(key);
  if (!node) return std::nullopt;
  const toml::table* table = node->as_table();
  if (!table) fail(key, "expected a table, got " + type_name(*node));
  return ConfigNode(*table, file_, qualified(key));
}

std::vector<ConfigNode> ConfigNode::children(std::string_view key) {
  const toml::node* node = lookup(key);
  std::vector<ConfigNode> out;
  if (!node) return out;
  const std::string header = "[[" + table_header(qualified(key)) + "]]";
  if (node->is_table()) {
    fail(key, "expected an array of tables: write " + header + " (one per entry), not " +
                  header.substr(1, header.size() - 2));
  }
  const toml::array* array = node->as_array();
  if (!array || !array->is_array_of_tables()) {
    fail(key, "expected an array of tables written as " + header + ", got " + type_name(*node));
  }
  for (size_t i = 0; i < array->size(); ++i) {
    out.emplace_back(*array->get(i)->as_table(), file_,
                     qualified(key) + "[" + std::to_string(i) + "]");
  }
  return out;
}

}  // namespace fue::config
