#include "exporter/server/probe_handler.h"

#include <algorithm>
#include <chrono>
#include <regex>

#include "exporter/config/config.h"
#include "exporter/core/log.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/web_server.h"

namespace fue {

namespace {

constexpr const char* kUsage =
    "probe a configured target as target=<name>, target=<vendor>/<name> or "
    "vendor=<vendor>&target=<name>, or an account of a module as module=<module>&target=<account>";

// A parameter as it may be shown in an answer: at most 64 characters, printable ASCII only.
std::string shown(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < 64; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '?';
  }
  if (s.size() > 64) out += "...";
  return out + "\"";
}

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

bool is_vendor_key(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string list(const std::vector<std::string>& items, size_t max = 20) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > max) out += ", ... (" + std::to_string(items.size() - max) + " more)";
  return out.empty() ? "(none)" : out;
}

void answer(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(message + "\n", "text/plain; charset=utf-8");
}

}  // namespace

ProbeQuery parse_probe_query(const httplib::Params& params) {
  ProbeQuery q;
  bool seen_vendor = false, seen_target = false, seen_module = false;
  for (const auto& [key, value] : params) {
    bool* seen = nullptr;
    std::string* field = nullptr;
    if (key == "vendor") {
      seen = &seen_vendor;
      field = &q.vendor;
    } else if (key == "target") {
      seen = &seen_target;
      field = &q.target;
    } else if (key == "module") {
      seen = &seen_module;
      field = &q.module;
    } else {
      throw ProbeQueryError("unknown parameter " + shown(key) + "; " + kUsage);
    }
    if (*seen) throw ProbeQueryError("parameter " + key + " given more than once");
    *seen = true;
    *field = value;
  }
  if (!seen_target || q.target.empty())
    throw ProbeQueryError(std::string("missing target; ") + kUsage);

  if (seen_module) {
    if (seen_vendor) {
      throw ProbeQueryError("give either module or vendor, not both: a module names its vendor");
    }
    if (!is_name(q.module)) {
      throw ProbeQueryError("invalid module " + shown(q.module) +
                            ": module names are 1 to 64 letters, digits, '_', '.' or '-'");
    }
    if (!is_valid_account_name(q.target)) {
      throw ProbeQueryError("invalid account " + shown(q.target) +
                            ": account names are 1 to 64 letters, digits, '_', '.' or '-', not "
                            "starting with '.'");
    }
    return q;
  }

  if (seen_vendor && !is_vendor_key(q.vendor)) {
    throw ProbeQueryError("invalid vendor " + shown(q.vendor) +
                          ": vendor keys are lower-case letters, digits and '_'");
  }
  if (const auto slash = q.target.find('/'); slash != std::string::npos) {
    const std::string vendor = q.target.substr(0, slash);
    const std::string name = q.target.substr(slash + 1);
    if (!is_vendor_key(vendor) || !is_name(name)) {
      throw ProbeQueryError("invalid target " + shown(q.target) +
                            ": write <vendor>/<name>, e.g. notehub/prod; " + kUsage);
    }
    if (seen_vendor && vendor != q.vendor) {
      throw ProbeQueryError("target " + shown(q.target) + " names vendor " + vendor +
                            " but vendor=" + q.vendor + " was given");
    }
    q.vendor = vendor;
    q.target = name;
  } else if (!is_name(q.target)) {
    throw ProbeQueryError("invalid target " + shown(q.target) +
                          ": target names are 1 to 64 letters, digits, '_', '.' or '-'; " + kUsage);
  }
  return q;
}

namespace {

// A probe answered with a 4xx/5xx before any collection.
struct ProbeRejected {
  int status;
  std::string message;
};

struct Probed {
  std::string vendor, name;
  Engine::Result result;
};

// An account of a module: resolved from the module's settings and collected ad hoc.
Probed probe_module_account(Engine& engine, const ExporterConfig& config, const ProbeQuery& q,
                            std::optional<Duration> timeout) {
  const ModuleConfig* module = config.find_module(q.module);
  if (!module) {
    std::vector<std::string> names;
    for (const auto& m : config.modules) names.push_back(m.name);
    throw ProbeRejected{
        400, "unknown module " + shown(q.module) + "; configured modules: " + list(names)};
  }
  for (const auto& t : config.targets)
    if (t.vendor == module->vendor && t.name == q.target)
      throw ProbeRejected{400, "account " + shown(q.target) + " of module " + module->name +
                                   " has the name of a configured [[" + t.vendor +
                                   "]] target; probe that as target=" + t.vendor + "/" + t.name +
                                   ", or rename one of them"};
  TargetConfig target;
  try {
    target = resolve_module_account(*module, q.target, config.global, engine.vendors());
  } catch (const UnknownAccountError& e) {
    log::debug("probe of an unknown account", {{"module", module->name}, {"error", e.what()}});
    throw ProbeRejected{400, e.what()};
  } catch (const config::ConfigError& e) {
    // Config errors name file, line and key, never a secret value.
    log::error("invalid account credentials", {{"module", module->name}, {"error", e.what()}});
    throw ProbeRejected{500, "account " + shown(q.target) + " of module " + module->name +
                                 " has invalid settings: " + e.what()};
  }
  return {target.vendor, target.name,
          engine.collect_adhoc(module->name, target, {module->max_accounts, module->account_ttl},
                               timeout)};
}

// The one configured target the query names, or a 400 that lists what it could have named.
const TargetConfig& find_configured_target(const Engine& engine, const ExporterConfig& config,
                                           const ProbeQuery& q) {
  if (!q.vendor.empty() && !engine.vendors().find(q.vendor)) {
    std::vector<std::string> keys;
    for (const auto& d : engine.vendors().all()) keys.push_back(d.key);
    throw ProbeRejected{400, "unknown vendor " + shown(q.vendor) + "; vendors are: " + list(keys)};
  }
  std::vector<const TargetConfig*> matches;
  for (const auto& t : config.targets)
    if (t.name == q.target && (q.vendor.empty() || t.vendor == q.vendor)) matches.push_back(&t);
  if (matches.empty()) {
    std::vector<std::string> ids;
    for (const auto& t : config.targets)
      if (t.enabled) ids.push_back(t.id());
    throw ProbeRejected{400, "unknown target " +
                                 shown(q.vendor.empty() ? q.target : q.vendor + "/" + q.target) +
                                 "; " + kUsage + "; configured targets: " + list(ids)};
  }
  if (matches.size() > 1) {
    std::vector<std::string> forms;
    for (const auto* t : matches) forms.push_back("target=" + t->id());
    throw ProbeRejected{400, "target " + shown(q.target) +
                                 " is ambiguous: several vendors have it; use " + list(forms)};
  }
  if (!matches[0]->enabled)
    throw ProbeRejected{400, "target " + matches[0]->id() + " is disabled (enabled = false)"};
  return *matches[0];
}

Probed probe_configured_target(Engine& engine, const ExporterConfig& config, const ProbeQuery& q,
                               std::optional<Duration> timeout) {
  const TargetConfig& target = find_configured_target(engine, config, q);
  auto one = engine.collect_one(target.vendor, target.name, timeout);
  if (!one)  // removed by a reload in between
    throw ProbeRejected{400, "unknown target " + shown(target.id())};
  return {target.vendor, target.name, std::move(*one)};
}

// blackbox_exporter's probe_success and probe_duration_seconds, and the target's up.
MetricSet probe_series(const Probed& probed, Clock::time_point started) {
  const double up = probed.result.all_up ? 1 : 0;
  MetricSet probe;
  probe
      .gauge("probe_success", "Whether the probed target's collection succeeded (1) or failed (0).")
      .add({}, up);
  probe
      .gauge("probe_duration_seconds",
             "How long the probe took, in seconds, the target's collection included.")
      .add({}, std::chrono::duration<double>(Clock::now() - started).count());
  probe
      .gauge("fleet_usage_exporter_target_up",
             "Whether the last collection of the target succeeded (1) or failed (0).",
             {"vendor", "target"})
      .add({probed.vendor, probed.name}, up);
  return probe;
}

}  // namespace

void handle_probe(Engine& engine, const httplib::Request& req, httplib::Response& res) {
  const auto started = Clock::now();
  try {
    ProbeQuery q;
    try {
      q = parse_probe_query(req.params);
    } catch (const ProbeQueryError& e) {
      throw ProbeRejected{400, e.what()};
    }
    const auto config = engine.config();
    if (!config) throw ProbeRejected{503, "not ready: no configuration loaded"};
    const auto timeout =
        scrape_timeout_from_header(req.get_header_value("X-Prometheus-Scrape-Timeout-Seconds"),
                                   config->global.scrape_timeout_offset);
    Probed probed = q.module.empty() ? probe_configured_target(engine, *config, q, timeout)
                                     : probe_module_account(engine, *config, q, timeout);
    probed.result.metrics.add(probe_series(probed, started));
    std::string body;
    serialize_text(probed.result.metrics, body);
    res.status = 200;
    res.set_content(std::move(body), kTextContentType);
  } catch (const ProbeRejected& rejected) {
    answer(res, rejected.status, rejected.message);
  }
}

}  // namespace fue
