// vendor-sim: serves the five vendors' simulated APIs over HTTP(S) until SIGINT/SIGTERM.
#include <algorithm>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/vendor-sim/sim.h"

#ifndef FUE_FIXTURES_DIR
#define FUE_FIXTURES_DIR "tests/fixtures"
#endif

namespace {

constexpr const char* kUsage = R"(usage: vendor-sim [flags]

Serves the simulated vendor APIs under /<vendor>/... and the control API under /_sim/...

  --listen-address HOST:PORT   where to listen (default 127.0.0.1:9099; port 0 picks one)
  --fixtures-dir DIR           vendor fixtures (default )" FUE_FIXTURES_DIR R"()
  --fleet-size VENDOR=N        generated fleet size of a vendor (repeatable)
  --latency-ms VENDOR=N        latency added to every request of a vendor (repeatable)
  --page-cap VENDOR=N          most rows a list page holds, whatever was asked (repeatable)
  --seed N                     seed of the generated data of every vendor (default 42)
  --tls.cert-file FILE         serve HTTPS with this certificate (PEM) ...
  --tls.key-file FILE          ... and this private key (PEM)
  --verbose                    log every request to stderr
  --help                       this text

Control API: POST/DELETE/GET /_sim/faults, GET /_sim/stats, POST /_sim/knobs, POST /_sim/reset,
GET /_sim/healthy.
)";

struct Options {
  std::string host = "127.0.0.1";
  int port = 9099;
  std::string fixtures_dir = FUE_FIXTURES_DIR;
  std::map<std::string, int> fleet_size;
  std::map<std::string, int> latency_ms;
  std::map<std::string, int> page_cap;
  std::optional<uint64_t> seed;
  sim::TlsFiles tls;
  bool verbose = false;
};

int to_int(const std::string& flag, const std::string& text) {
  size_t used = 0;
  int value = -1;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || value < 0)
    throw std::invalid_argument(flag + ": '" + text + "' is not a non-negative integer");
  return value;
}

// "VENDOR=N" → (VENDOR, N).
std::pair<std::string, int> vendor_value(const std::string& flag, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument(flag + ": expected VENDOR=N, got '" + text + "'");
  return {text.substr(0, eq), to_int(flag, text.substr(eq + 1))};
}

void parse_listen_address(const std::string& text, Options& o) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("--listen-address: expected HOST:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  o.host = host.empty() ? "0.0.0.0" : host;
  o.port = to_int("--listen-address", text.substr(colon + 1));
  if (o.port > 65535) throw std::invalid_argument("--listen-address: port out of range");
}

// Returns nullopt after printing --help.
std::optional<Options> parse_flags(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) throw std::invalid_argument(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return std::nullopt;
    } else if (flag == "--verbose") {
      o.verbose = true;
    } else if (flag == "--listen-address") {
      parse_listen_address(value(), o);
    } else if (flag == "--fixtures-dir") {
      o.fixtures_dir = value();
    } else if (flag == "--fleet-size") {
      auto [vendor, n] = vendor_value(flag, value());
      o.fleet_size[vendor] = n;
    } else if (flag == "--latency-ms") {
      auto [vendor, ms] = vendor_value(flag, value());
      o.latency_ms[vendor] = ms;
    } else if (flag == "--page-cap") {
      auto [vendor, n] = vendor_value(flag, value());
      o.page_cap[vendor] = n;
    } else if (flag == "--seed") {
      const auto text = value();
      try {
        size_t used = 0;
        o.seed = std::stoull(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
      } catch (const std::exception&) {
        throw std::invalid_argument("--seed: '" + text + "' is not an unsigned integer");
      }
    } else if (flag == "--tls.cert-file") {
      o.tls.cert_file = value();
    } else if (flag == "--tls.key-file") {
      o.tls.key_file = value();
    } else {
      throw std::invalid_argument("unknown flag '" + flag + "' (see --help)");
    }
  }
  if (o.tls.cert_file.empty() != o.tls.key_file.empty())
    throw std::invalid_argument("--tls.cert-file and --tls.key-file go together");
  return o;
}

// Knobs from the flags, for every registered vendor; a flag naming an unknown vendor is an error.
void apply_knob_flags(sim::Server& server, const Options& o) {
  const auto vendors = server.vendors();
  auto check = [&](const std::string& flag, const std::map<std::string, int>& values) {
    for (const auto& [vendor, n] : values)
      if (std::find(vendors.begin(), vendors.end(), vendor) == vendors.end())
        throw std::invalid_argument(flag + ": unknown vendor '" + vendor + "'");
  };
  check("--fleet-size", o.fleet_size);
  check("--latency-ms", o.latency_ms);
  check("--page-cap", o.page_cap);
  for (const auto& vendor : vendors) {
    auto k = server.knobs(vendor);
    if (auto it = o.fleet_size.find(vendor); it != o.fleet_size.end()) k.fleet_size = it->second;
    if (auto it = o.latency_ms.find(vendor); it != o.latency_ms.end()) k.latency_ms = it->second;
    if (auto it = o.page_cap.find(vendor); it != o.page_cap.end()) k.page_cap = it->second;
    if (o.seed) k.seed = *o.seed;
    server.set_knobs(vendor, k);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> options;
  try {
    options = parse_flags(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "vendor-sim: " << e.what() << "\n";
    return 2;
  }
  if (!options) return 0;
  const Options& o = *options;

  // Block the stop signals before any thread starts so that only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const bool tls = !o.tls.cert_file.empty();
  std::unique_ptr<sim::Server> server;
  try {
    server = tls ? std::make_unique<sim::Server>(o.fixtures_dir,
                                                 std::map<std::string, sim::VendorKnobs>{}, o.tls)
                 : std::make_unique<sim::Server>(o.fixtures_dir,
                                                 std::map<std::string, sim::VendorKnobs>{});
    sim::register_all(*server);
    apply_knob_flags(*server, o);
  } catch (const std::exception& e) {
    std::cerr << "vendor-sim: " << e.what() << "\n";
    return 2;
  }
  if (o.verbose) {
    server->http().set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::cerr << req.method << " " << req.path << " -> " << res.status << std::endl;
    });
  }
  if (!server->listen(o.host, o.port)) {
    std::cerr << "vendor-sim: cannot listen on " << o.host << ":" << o.port << "\n";
    return 1;
  }
  const bool v6 = o.host.find(':') != std::string::npos;
  std::cout << "vendor-sim listening on " << (tls ? "https" : "http") << "://"
            << (v6 ? "[" + o.host + "]" : o.host) << ":" << server->bound_port() << std::endl;

  int signal = 0;
  sigwait(&stop_signals, &signal);
  server->stop();
  return 0;
}
