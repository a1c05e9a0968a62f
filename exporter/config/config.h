#pragma once

#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "exporter/config/config_node.h"
#include "exporter/core/deadline.h"
#include "exporter/spend/spend_config.h"

namespace fue {

class VendorRegistry;

// What a vendor parses from its own keys. describe() feeds --config.check and the landing page:
// it must show secrets only through Secret::redacted().
struct VendorSettings {
  virtual ~VendorSettings() = default;
  virtual void describe(std::vector<std::pair<std::string, std::string>>& out) const = 0;
  // Every credential it holds, so that a reload or a probe rebuilds a target only when a secret
  // value changed (e.g. a rotated token file at the same path), and keeps its client and token
  // otherwise. Pure: a vendor cannot forget it; one without secrets adds nothing.
  virtual void secrets(std::vector<const Secret*>& out) const = 0;
};

// The HTTP settings of one target's long-lived client.
struct HttpSettings {
  std::string ca_file;                // PEM bundle; empty means the system store
  bool insecure_skip_verify = false;  // must be set explicitly to accept a bad certificate
  std::string proxy_url;              // http://[user:pass@]host:port
  size_t max_response_bytes = 64u << 20;
  int max_attempts = 3;  // per request, for connection errors and 5xx
  int concurrency = 4;   // pages in flight, and pooled keep-alive connections
};

// One [[<vendor>]] table: an account, project or instance set with its own name.
struct TargetConfig {
  std::string vendor;  // the vendor key, e.g. "losant"
  std::string name;    // unique within the vendor
  int line = 0;        // where the table starts, for messages
  bool enabled = true;
  std::string base_url;
  Duration timeout{8000};
  Duration min_interval{0};
  std::set<std::string, std::less<>> groups;  // enabled metric groups
  bool per_resource_series = true;            // per device / VM / phone / test series
  size_t max_resources = 5000;                // resources that may get per-resource series
  HttpSettings http;
  std::shared_ptr<const VendorSettings> settings;

  bool group_enabled(std::string_view g) const { return groups.find(g) != groups.end(); }
  std::string id() const { return vendor + "/" + name; }
  // The vendor's own settings, checked: the one way a vendor reads them (another vendor's
  // settings here is a programming error, thrown as std::logic_error).
  template <class Settings>
  std::shared_ptr<const Settings> settings_as() const {
    auto s = std::dynamic_pointer_cast<const Settings>(settings);
    if (!s) throw std::logic_error(id() + ": target without its vendor's settings");
    return s;
  }
};

// The [global] table.
struct GlobalConfig {
  int max_concurrent_targets = 8;       // worker pool size for target collections
  Duration scrape_timeout_offset{500};  // subtracted from X-Prometheus-Scrape-Timeout-Seconds
  Duration default_timeout{8000};
  std::string user_agent;  // empty means "fleet-usage-exporter/<version>"
};

// One [module.<name>] table: a target template for /probe?module=<name>&target=<account>. The
// account's own keys (credentials, and any per-account key such as projects) come from
// <credentials_dir>/<account>.toml or from the files of <credentials_dir>/<account>/.
struct ModuleConfig {
  std::string name;
  std::string vendor;                 // the vendor key
  int line = 0;                       // where the table starts
  std::string credentials_dir;        // relative paths resolve against the config file's folder
  size_t max_accounts = 1000;         // accounts whose client and tokens are kept at once
  Duration account_ttl{3600 * 1000};  // an account's client is dropped after this long unused
  // The config text and its display path: resolving an account re-reads the module's keys from
  // it, so that errors keep naming the config file and line of each key.
  std::shared_ptr<const std::string> source_text;
  std::string file;
};

struct ExporterConfig {
  std::string file;
  GlobalConfig global;
  std::vector<TargetConfig> targets;
  std::vector<ModuleConfig> modules;  // [module.<name>] tables, for /probe?module=
  std::vector<PriceTable> prices;     // [[price]] tables, exported for the spend rules

  const ModuleConfig* find_module(std::string_view name) const;
  // No enabled target and no module for /probe: valid, but worth a warning at every load.
  bool collects_nothing() const;

  // A human summary with every secret redacted, for --config.check and debugging.
  std::string summary() const;
};

// The target of one account of a module: the module's keys, overlaid with the account's own
// (<credentials_dir>/<account>.toml, or each file <credentials_dir>/<account>/<key> read as
// <key>_file). Throws UnknownAccountError when the account has no credentials, and
// config::ConfigError (file, line and key; never a secret value) when they are invalid.
class UnknownAccountError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Account names: [a-zA-Z0-9_.-]{1,64} not starting with '.', so that no name can leave the
// credentials directory or reach Kubernetes' hidden ..data entries.
bool is_valid_account_name(std::string_view account);
TargetConfig resolve_module_account(const ModuleConfig& module, const std::string& account,
                                    const GlobalConfig& global, const VendorRegistry& vendors);

struct VendorDescriptor;
// Reads one target table (common keys, then the vendor's), as for a [[<vendor>]] table.
TargetConfig parse_target_table(config::ConfigNode& node, const VendorDescriptor& d,
                                const GlobalConfig& g);

// Reads the [module.<name>] tables of a parsed config (`text` is the whole file).
std::vector<ModuleConfig> parse_modules(config::ConfigNode& root,
                                        std::shared_ptr<const std::string> text,
                                        const std::string& file, const VendorRegistry& vendors);

// Loads and validates the whole file. Throws config::ConfigError naming the file, line and key.
ExporterConfig load_config(const std::string& path, const VendorRegistry& vendors);
ExporterConfig parse_config(std::string_view toml_text, const std::string& display_path,
                            const VendorRegistry& vendors);

}  // namespace fue
