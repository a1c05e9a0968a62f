#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "exporter/core/log.h"

namespace fue::cli {

// 9867 is not on the Prometheus default port allocations list.
inline constexpr const char* kDefaultListenAddress = ":9867";
inline constexpr const char* kDefaultConfigFile = "fleet-usage-exporter.toml";

struct Flags {
  std::string config_file = kDefaultConfigFile;
  bool config_check = false;
  // --web.listen-address, repeatable; the first one given replaces the default.
  std::vector<std::string> listen_addresses = {kDefaultListenAddress};
  bool listen_address_given = false;
  bool systemd_socket = false;              // listen on the sockets systemd passes instead
  std::string telemetry_path = "/metrics";  // where the exposition is served
  double read_header_timeout_seconds = 10;  // a request head's whole deadline
  std::string web_config_file;              // empty: plain HTTP, no authentication
  bool enable_reload = true;
  bool once = false;
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
  bool version = false;
  bool help = false;
};

// A bad command line; main prints it with a hint and exits 2.
class FlagError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Prometheus-style flags: "--name=value" or "--name value"; booleans also as bare "--name" and,
// to turn them off, "--no-name".
Flags parse_flags(const std::vector<std::string>& args);
Flags parse_flags(int argc, char** argv);
// Every flag with its default, for --help.
std::string usage();

// "host:port", ":port" (every interface, IPv6 and IPv4) or "[v6]:port".
struct ListenAddress {
  std::string host;
  int port = 0;
};
ListenAddress parse_listen_address(const std::string& text);  // throws FlagError

}  // namespace fue::cli
