#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/deadline.h"
#include "exporter/core/secret.h"

namespace fue::config {

// Every config problem names the file, the line and the key: "<file>:<line>: <key>: <message>".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string key, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& key() const { return key_; }

 private:
  std::string file_;
  int line_;
  std::string key_;
};

// A view of one TOML table that remembers which keys were read, so that whatever is left at
// the end is an unknown key. Typed getters fail with a ConfigError that points at the key's line.
class ConfigNode {
 public:
  // `path` is the dotted display path of this table, e.g. "losant[1]" or "global".
  ConfigNode(const toml::table& table, std::string file, std::string path);

  bool has(std::string_view key) const;
  std::string require_string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  std::string string_or(std::string_view key, std::string fallback);
  // The value must be one of `allowed`.
  std::string enum_or(std::string_view key, const std::vector<std::string>& allowed,
                      std::string fallback);
  int64_t int_or(std::string_view key, int64_t fallback, int64_t min, int64_t max);
  double double_or(std::string_view key, double fallback);
  bool bool_or(std::string_view key, bool fallback);
  // "500ms", "10s", "5m", "1h", "1h30m", or a plain number of seconds.
  Duration duration_or(std::string_view key, Duration fallback);
  std::optional<Duration> optional_duration(std::string_view key);
  // A TOML array of strings; absent means empty.
  std::vector<std::string> string_list(std::string_view key);
  // A credential given as exactly one of `key` (inline), `key_file` (path, trailing newline
  // trimmed) or `key_env` (variable name). An unreadable file or unset variable is an error.
  Secret secret(std::string_view key, bool required);
  // A sub-table, if present.
  std::optional<ConfigNode> child(std::string_view key);
  // Each table of an array of tables, e.g. [[losant.instances]].
  std::vector<ConfigNode> children(std::string_view key);

  // Fails with an error pointing at `key` (or at this table when the key is absent).
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  // Fails on the first key that no getter read.
  void reject_unknown_keys() const;

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  int line() const;

 private:
  const toml::node* lookup(std::string_view key);
  std::string qualified(std::string_view key) const;
  int line_of(std::string_view key) const;
  // The file a key was read from: the node's own source path when it has one (a module account
  // merges keys of two files into one table), else this table's file.
  std::string file_of(std::string_view key) const;
  std::string file_of(const toml::node& node) const;

  const toml::table* table_;
  std::string file_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
};

// Parses "1h30m", "250ms", "10s"; returns false on anything else.
bool parse_duration(std::string_view text, Duration& out);
std::string format_duration(Duration d);

}  // namespace fue::config
