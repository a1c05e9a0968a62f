// [module.<name>] tables and the resolution of one account of a module into a target, for
// /probe?module=<name>&target=<account>.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "exporter/config/config.h"
#include "exporter/config/config_text.h"
#include "exporter/engine/scraper.h"

namespace fue {

using config::ConfigError;
using config::ConfigNode;

namespace {

// Keys that only the module table has; they are not target keys.
const std::vector<std::string> kModuleOnlyKeys{"vendor", "credentials_dir", "max_accounts",
                                               "account_ttl"};
// Keys that neither the module nor an account may set: the probe's target parameter names the
// account, and an account that exists is probed.
const std::vector<std::string> kReservedKeys{"name", "enabled"};

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool read_text(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

ModuleConfig parse_module(ConfigNode& node, const std::string& name,
                          std::shared_ptr<const std::string> text, const std::string& file,
                          const VendorRegistry& vendors) {
  static const std::regex kNamePattern("^[a-zA-Z0-9_.-]{1,64}$");
  ModuleConfig m;
  m.name = name;
  m.line = node.line();
  m.file = file;
  m.source_text = std::move(text);
  if (!std::regex_match(name, kNamePattern)) {
    node.fail("", "module names must be 1 to 64 characters of letters, digits, '_', '.' or '-'");
  }
  std::vector<std::string> keys;
  for (const auto& d : vendors.all()) keys.push_back(d.key);
  m.vendor = node.require_string("vendor");
  if (!vendors.find(m.vendor)) {
    node.fail("vendor", "unknown vendor \"" + m.vendor + "\"; valid vendors are: " + join(keys));
  }
  std::string dir = node.require_string("credentials_dir");
  if (dir.empty()) node.fail("credentials_dir", "must not be empty");
  std::filesystem::path p(dir);
  if (p.is_relative()) p = std::filesystem::path(file).parent_path() / p;
  m.credentials_dir = p.lexically_normal().string();
  m.max_accounts = static_cast<size_t>(
      node.int_or("max_accounts", static_cast<int64_t>(m.max_accounts), 1, 1'000'000));
  m.account_ttl = node.duration_or("account_ttl", m.account_ttl);
  if (m.account_ttl <= Duration::zero()) node.fail("account_ttl", "must be greater than 0");
  for (const auto& k : kReservedKeys) {
    if (node.has(k)) {
      node.fail(k, "not allowed in a module: the probe's target parameter names the account");
    }
  }
  // The other keys are target keys of the vendor; they are checked when an account is resolved,
  // together with the account's own keys (the vendor's required credentials come from there).
  return m;
}

}  // namespace

std::vector<ModuleConfig> parse_modules(ConfigNode& root, std::shared_ptr<const std::string> text,
                                        const std::string& file, const VendorRegistry& vendors) {
  std::vector<ModuleConfig> out;
  auto modules = root.child("module");
  if (!modules) return out;
  // Each key of [module] is a table [module.<name>].
  std::vector<std::string> names;
  {
    toml::table parsed = toml::parse(*text, file);  // already parsed once: cannot fail here
    if (auto* t = parsed["module"].as_table()) {
      for (auto&& [key, value] : *t) {
        if (!value.is_table()) {
          modules->fail(key.str(), "expected a table [module." + std::string(key.str()) +
                                       "] with vendor and credentials_dir, got " +
                                       config::type_name(value));
        }
        names.emplace_back(key.str());
      }
    }
  }
  for (const auto& name : names) {
    auto node = modules->child(name);
    out.push_back(parse_module(*node, name, text, file, vendors));
  }
  return out;
}

bool ExporterConfig::collects_nothing() const {
  for (const auto& t : targets)
    if (t.enabled) return false;
  return modules.empty();
}

const ModuleConfig* ExporterConfig::find_module(std::string_view name) const {
  for (const auto& m : modules)
    if (m.name == name) return &m;
  return nullptr;
}

bool is_valid_account_name(std::string_view account) {
  if (account.empty() || account.size() > 64 || account.front() == '.') return false;
  return std::all_of(account.begin(), account.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

namespace {

// Merges an account's credentials file into `merged`; keys of the module or probe are refused.
void merge_account_file(const std::filesystem::path& file, toml::table& merged) {
  const std::string account_display = file.string();
  std::string text;
  if (!read_text(file, text)) {
    throw ConfigError(account_display, 0, "", "cannot read the account's credentials file");
  }
  toml::table account_root;
  try {
    account_root = toml::parse(text, account_display);
  } catch (const toml::parse_error& e) {
    // toml++ describes the syntax, never quoting a whole value.
    throw ConfigError(account_display, static_cast<int>(e.source().begin.line), "",
                      std::string(e.description()));
  }
  for (auto&& [key, value] : account_root) {
    if (contains(kReservedKeys, key.str()) || contains(kModuleOnlyKeys, key.str())) {
      throw ConfigError(account_display, static_cast<int>(value.source().begin.line),
                        std::string(key.str()),
                        "not allowed in an account file: it is a module or probe setting");
    }
    merged.insert_or_assign(key, std::move(value));
  }
}

// Merges a credentials directory, one file per key, as `<key>_file` settings.
void merge_account_folder(const std::filesystem::path& folder, toml::table& merged) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // A Kubernetes Secret mounted as a directory: one file per key; hidden entries (..data,
  // ..<timestamp>) are the mount's own.
  std::vector<std::string> keys;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string key = entry.path().filename().string();
    if (key.empty() || key.front() == '.') continue;
    if (!entry.is_regular_file(ec)) continue;  // follows the mount's symlinks
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    if (contains(kReservedKeys, key) || contains(kModuleOnlyKeys, key)) {
      throw ConfigError((folder / key).string(), 0, key,
                        "not allowed as an account key: it is a module or probe setting");
    }
    merged.insert_or_assign(key + "_file", (folder / key).string());
  }
}

}  // namespace

TargetConfig resolve_module_account(const ModuleConfig& module, const std::string& account,
                                    const GlobalConfig& global, const VendorRegistry& vendors) {
  if (!is_valid_account_name(account)) {
    throw UnknownAccountError(
        "invalid account name: use 1 to 64 letters, digits, '_', '.' or "
        "'-', not starting with '.'");
  }
  const VendorDescriptor* vendor = vendors.find(module.vendor);
  if (!vendor) throw UnknownAccountError("module " + module.name + ": unknown vendor");

  namespace fs = std::filesystem;
  const fs::path dir(module.credentials_dir);
  const fs::path file = dir / (account + ".toml");
  const fs::path folder = dir / account;
  std::error_code ec;
  const bool has_file = fs::is_regular_file(file, ec);
  const bool has_folder = fs::is_directory(folder, ec);
  if (!has_file && !has_folder) {
    // The answer goes to whoever probes: it names the layout, not the server's paths.
    throw UnknownAccountError("unknown account \"" + account + "\" of module \"" + module.name +
                              "\": no " + account + ".toml and no directory " + account +
                              "/ in its credentials_dir");
  }
  if (has_file && has_folder) {
    throw ConfigError(file.string(), 0, "",
                      "account \"" + account + "\" has both " + file.string() +
                          " and the directory " + folder.string() + "; keep one");
  }

  // Fresh parses, whose nodes are moved into one table so that each keeps its file and line.
  toml::table config_root;
  try {
    config_root = toml::parse(*module.source_text, module.file);
  } catch (const toml::parse_error& e) {
    throw ConfigError(module.file, static_cast<int>(e.source().begin.line), "",
                      std::string(e.description()));
  }
  toml::table merged;
  if (auto* m = config_root["module"][module.name].as_table()) {
    for (auto&& [key, value] : *m) {
      if (contains(kModuleOnlyKeys, key.str())) continue;
      merged.insert_or_assign(key, std::move(value));
    }
  }

  const std::string account_display = has_file ? file.string() : folder.string();
  if (has_file)
    merge_account_file(file, merged);
  else
    merge_account_folder(folder, merged);
  merged.insert_or_assign("name", account);

  ConfigNode node(merged, account_display, "module." + module.name + "[" + account + "]");
  TargetConfig t = parse_target_table(node, *vendor, global);
  t.line = module.line;
  return t;
}

}  // namespace fue
