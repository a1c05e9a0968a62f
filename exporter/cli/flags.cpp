#include "exporter/cli/flags.h"

#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

namespace fue::cli {
namespace {

struct FlagSpec {
  std::string name;
  std::string default_text;
  std::string help;
  bool boolean = false;
  std::function<void(Flags&, const std::string&)> set;
};

bool parse_bool(const std::string& name, const std::string& v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  throw FlagError("--" + name + ": expected true or false, got \"" + v + "\"");
}

const std::vector<FlagSpec>& specs() {
  static const std::vector<FlagSpec> all = {
      {"config.file", kDefaultConfigFile, "Path to the TOML configuration file.", false,
       [](Flags& f, const std::string& v) {
         if (v.empty()) throw FlagError("--config.file: must not be empty");
         f.config_file = v;
       }},
      {"config.check", "false",
       "Validate the configuration, print a summary with secrets redacted, and exit.", true,
       [](Flags& f, const std::string& v) { f.config_check = parse_bool("config.check", v); }},
      {"web.listen-address", kDefaultListenAddress,
       "Address to serve the web endpoints on; repeat it to listen on several. :port listens on "
       "every IPv6 and IPv4 address.",
       false,
       [](Flags& f, const std::string& v) {
         parse_listen_address(v);
         if (!f.listen_address_given) f.listen_addresses.clear();
         f.listen_address_given = true;
         f.listen_addresses.push_back(v);
       }},
      {"web.systemd-socket", "false",
       "Serve on the sockets systemd passes (socket activation) instead of "
       "--web.listen-address.",
       true,
       [](Flags& f, const std::string& v) {
         f.systemd_socket = parse_bool("web.systemd-socket", v);
       }},
      {"web.telemetry-path", "/metrics", "Path under which to expose the metrics.", false,
       [](Flags& f, const std::string& v) {
         if (v.empty() || v[0] != '/' || v == "/" || v == "/probe" || v.rfind("/-/", 0) == 0)
           throw FlagError("--web.telemetry-path: expected a path such as /metrics, got \"" + v +
                           "\"");
         f.telemetry_path = v;
       }},
      {"web.read-header-timeout", "10s",
       "A connection's whole request header must arrive within this (slow or idle clients are "
       "closed after it).",
       false,
       [](Flags& f, const std::string& v) {
         char* end = nullptr;
         const double seconds = std::strtod(v.c_str(), &end);
         if (end == v.c_str() || std::string(end) != "s" || !(seconds > 0) || seconds > 3600)
           throw FlagError("--web.read-header-timeout: expected seconds such as 10s, got \"" + v +
                           "\"");
         f.read_header_timeout_seconds = seconds;
       }},
      {"web.config.file", "",
       "Path to a web config file (the Prometheus exporter-toolkit format) that enables TLS "
       "and/or basic authentication on every endpoint; see docs/security.md.",
       false, [](Flags& f, const std::string& v) { f.web_config_file = v; }},
      {"web.enable-reload", "true",
       "Accept POST /-/reload to reload the configuration; --no-web.enable-reload (or "
       "=false) answers it with 403. SIGHUP reloads either way.",
       true,
       [](Flags& f, const std::string& v) {
         f.enable_reload = parse_bool("web.enable-reload", v);
       }},
      {"once", "false",
       "Collect every target once, write the exposition to stdout and exit (1 if a target "
       "failed).",
       true, [](Flags& f, const std::string& v) { f.once = parse_bool("once", v); }},
      {"log.level", "info", "Only log records at or above this level: debug, info, warn, error.",
       false,
       [](Flags& f, const std::string& v) {
         if (!log::parse_level(v, f.log_level))
           throw FlagError("--log.level: expected debug, info, warn or error, got \"" + v + "\"");
       }},
      {"log.format", "logfmt", "Log record format: logfmt or json.", false,
       [](Flags& f, const std::string& v) {
         if (!log::parse_format(v, f.log_format))
           throw FlagError("--log.format: expected logfmt or json, got \"" + v + "\"");
       }},
      {"version", "false", "Print the version and exit.", true,
       [](Flags& f, const std::string& v) { f.version = parse_bool("version", v); }},
      {"help", "false", "Print this help and exit.", true,
       [](Flags& f, const std::string& v) { f.help = parse_bool("help", v); }},
  };
  return all;
}

const FlagSpec* find_spec(const std::string& name) {
  for (const auto& s : specs())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

Flags parse_flags(const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h") {
      flags.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2)
      throw FlagError("unexpected argument \"" + arg + "\"");
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec* spec = find_spec(name);
    // "--no-<boolean>" turns a boolean flag off, as with Prometheus' own flags.
    if (!spec && name.rfind("no-", 0) == 0 && eq == std::string::npos) {
      const FlagSpec* negated = find_spec(name.substr(3));
      if (negated && negated->boolean) {
        negated->set(flags, "false");
        continue;
      }
    }
    if (!spec) throw FlagError("unknown flag --" + name);
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (spec->boolean) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw FlagError("--" + name + ": missing value");
    }
    spec->set(flags, value);
  }
  return flags;
}

Flags parse_flags(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse_flags(args);
}

std::string usage() {
  std::ostringstream out;
  out << "usage: fleet-usage-exporter [<flags>]\n\n"
         "A Prometheus exporter for the usage, quotas and fleets of IoT and cloud vendor "
         "accounts.\n\nFlags:\n";
  for (const auto& s : specs()) {
    std::string left = "  --" + s.name + (s.boolean ? "" : "=<value>");
    out << left;
    if (left.size() < 30) out << std::string(30 - left.size(), ' ');
    out << ' ' << s.help;
    if (!s.default_text.empty()) out << " (default: " << s.default_text << ")";
    out << '\n';
  }
  return out.str();
}

ListenAddress parse_listen_address(const std::string& text) {
  ListenAddress out;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find("]:");
    if (close == std::string::npos)
      throw FlagError("--web.listen-address: expected [host]:port, got \"" + text + "\"");
    out.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon)
      throw FlagError("--web.listen-address: expected host:port or :port, got \"" + text + "\"");
    out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (out.host.empty()) out.host = "::";  // dual-stack: IPv6 and IPv4-mapped addresses
  int value = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) {
    if (c < '0' || c > '9') digits = false;
  }
  if (digits) value = std::stoi(port);
  if (!digits || value < 0 || value > 65535)
    throw FlagError("--web.listen-address: bad port in \"" + text + "\"");
  out.port = value;
  return out;
}

}  // namespace fue::cli
