#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "exporter/config/config_node.h"
#include "exporter/config/config_text.h"
#include "exporter/core/log.h"

namespace fue::config {

namespace {

std::string trim_trailing_space(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

bool read_file(const std::string& path, std::string& out) {
  if (std::filesystem::is_directory(path)) {
    errno = EISDIR;
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

// Messages here name the file or variable but never the value, so errors are safe to log.
Secret ConfigNode::secret(std::string_view key, bool required) {
  const std::string inline_key(key);
  const std::string file_key = inline_key + "_file";
  const std::string env_key = inline_key + "_env";
  const std::string forms = inline_key + ", " + file_key + " or " + env_key;

  std::string chosen;
  for (const std::string& k : {inline_key, file_key, env_key}) {
    const toml::node* node = lookup(k);
    if (!node) continue;
    if (!node->is_string()) fail(k, "expected a string, got " + type_name(*node));
    if (!chosen.empty()) fail(k, "set only one of " + forms + " (" + chosen + " is also set)");
    chosen = k;
  }
  if (chosen.empty()) {
    if (required) fail(inline_key, "missing required credential: set one of " + forms);
    return Secret();
  }

  const std::string given = *table_->get(chosen)->value<std::string>();
  Secret secret;
  if (chosen == inline_key) {
    if (given.empty()) fail(chosen, "must not be empty");
    secret = Secret(given, Secret::Source::kInline, "inline");
  } else if (chosen == file_key) {
    std::string value;
    if (!read_file(given, value)) {
      fail(chosen, "cannot read secret file \"" + given + "\": " + std::strerror(errno));
    }
    value = trim_trailing_space(std::move(value));
    if (value.empty()) fail(chosen, "secret file \"" + given + "\" is empty");
    secret = Secret(std::move(value), Secret::Source::kFile, "file " + given);
  } else {
    const char* value = std::getenv(given.c_str());
    if (!value) fail(chosen, "environment variable " + given + " is not set");
    if (!*value) fail(chosen, "environment variable " + given + " is empty");
    secret = Secret(value, Secret::Source::kEnv, "env " + given);
  }
  log::register_secret(secret.reveal());
  return secret;
}

}  // namespace fue::config
