// fleet-usage-exporter: serves the usage, quotas and fleets of vendor accounts to Prometheus.
#include <pthread.h>
#include <sys/resource.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "build_info.h"
#include "exporter/backfill/backfill.h"
#include "exporter/cli/flags.h"
#include "exporter/config/config.h"
#include "exporter/core/log.h"
#include "exporter/core/memory.h"
#include "exporter/engine/engine.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/config_reloader.h"
#include "exporter/server/listen_socket.h"
#include "exporter/server/web_config.h"
#include "exporter/server/web_server.h"
#include "exporter/spend/spend_metrics.h"
#include "scrapers/registry.h"

namespace {

using namespace fue;

int check_config(const cli::Flags& flags) {
  try {
    const ExporterConfig config = load_config(flags.config_file, builtin_vendors());
    std::cout << config.summary();
    if (config.collects_nothing())
      std::cerr << "warning: " << flags.config_file
                << " has no enabled targets or modules; /metrics would serve only the exporter's "
                   "own metrics\n";
    if (!flags.web_config_file.empty())
      std::cout << "web config " << flags.web_config_file << ": "
                << describe(load_web_config(flags.web_config_file)) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

std::string listen_text(const cli::Flags& flags) {
  if (flags.systemd_socket) return "systemd socket";
  std::string text;
  for (const auto& a : flags.listen_addresses) text += (text.empty() ? "" : ",") + a;
  return text;
}

// As Go has done since 1.19: open connections and vendor sockets are bounded by our own limits,
// not by a soft file limit of 1,024 that a systemd unit or a shell happens to set.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Prometheus' own format, so tooling that reads `prometheus --version` reads ours.
void print_version() {
  std::cout << "fleet-usage-exporter, version " << build::kVersion << " (branch: " << build::kBranch
            << ", revision: " << build::kRevision << ")\n"
            << "  build user:       " << build::kBuildUser << "\n"
            << "  build date:       " << build::kBuildDate << "\n"
            << "  compiler:         " << build::kCompiler << "\n"
            << "  platform:         " << build::kPlatform << "\n";
}

int collect_once(Engine& engine) {
  auto result = engine.collect_all(std::nullopt);
  result.metrics.add(engine.self().collect());
  if (const auto config = engine.config()) result.metrics.add(spend_metrics(*config));
  std::string body;
  serialize_text(result.metrics, body);
  std::cout << body << std::flush;
  for (const auto& t : engine.status())
    if (!t.up)
      std::cerr << "target " << t.vendor << "/" << t.name << " failed: " << t.last_error << "\n";
  return result.all_up ? 0 : 1;
}

// Waits for SIGHUP (reload) and SIGINT/SIGTERM (stop) on a thread of its own; the signals are
// blocked in every other thread, so no handler runs in arbitrary context.
void handle_signals(const sigset_t& set, ConfigReloader& reloader, WebServer& server) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      log::info("reload requested by SIGHUP");
      reloader.reload();
      server.reload_web_config();
      continue;
    }
    log::info("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    server.stop();
    return;
  }
}

int run(const cli::Flags& flags) {
  if (flags.config_check) return check_config(flags);

  // A client that hangs up while its answer is being written must cost an EPIPE, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  raise_open_file_limit();
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started below

  auto self = std::make_shared<SelfMetrics>();
  Engine engine(builtin_vendors(), self);
  ConfigReloader reloader(
      flags.config_file,
      [](const std::string& path) { return load_config(path, builtin_vendors()); }, engine);
  if (auto error = reloader.reload()) {
    std::cerr << "fleet-usage-exporter: " << *error << "\n";
    return 1;
  }
  if (flags.once) return collect_once(engine);

  WebServerOptions web_options;
  web_options.enable_reload = flags.enable_reload;
  web_options.telemetry_path = flags.telemetry_path;
  web_options.web_config_file = flags.web_config_file;
  web_options.header_timeout_seconds = flags.read_header_timeout_seconds;
  std::unique_ptr<WebServer> web_server;
  try {
    if (!flags.web_config_file.empty()) {
      web_options.web_config =
          std::make_shared<const WebConfig>(load_web_config(flags.web_config_file));
      log::info("web config loaded",
                {{"file", flags.web_config_file}, {"settings", describe(*web_options.web_config)}});
    }
    web_server = std::make_unique<WebServer>(engine, reloader, web_options);
    if (flags.systemd_socket) {
      const auto fds = systemd_listen_sockets();
      if (fds.empty())
        throw std::runtime_error("--web.systemd-socket: no socket was passed (LISTEN_FDS)");
      for (int fd : fds) web_server->adopt(fd);
    } else {
      for (const auto& address : flags.listen_addresses) {
        const auto listen = cli::parse_listen_address(address);
        web_server->bind(listen.host, listen.port);
      }
    }
  } catch (const std::exception& e) {
    // Also on stderr as a plain line: the one thing a failed start-up must say.
    std::cerr << "fleet-usage-exporter: " << e.what() << "\n";
    log::error("cannot start the web server", {{"error", e.what()}});
    return 1;
  }
  WebServer& server = *web_server;
  const auto config = engine.config();
  log::info("starting fleet-usage-exporter", {{"version", build::kVersion},
                                              {"revision", build::kRevision},
                                              {"listen_address", listen_text(flags)},
                                              {"port", std::to_string(server.port())},
                                              {"config_file", flags.config_file},
                                              {"targets", std::to_string(config->targets.size())}});
  std::thread signal_thread(handle_signals, std::cref(signals), std::ref(reloader),
                            std::ref(server));
  server.serve();
  // If serving ended on its own, wake the signal thread so it can be joined.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  log::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  fue::memory::configure_allocator();
  if (argc > 1 && std::string_view(argv[1]) == "backfill") {
    try {
      return fue::backfill::run(std::vector<std::string>(argv + 2, argv + argc));
    } catch (const std::exception& e) {
      std::cerr << "fleet-usage-exporter backfill: " << e.what() << "\n";
      return 1;
    }
  }
  cli::Flags flags;
  try {
    flags = cli::parse_flags(argc, argv);
  } catch (const cli::FlagError& e) {
    std::cerr << "fleet-usage-exporter: error: " << e.what()
              << "\nRun fleet-usage-exporter --help for usage.\n";
    return 2;
  }
  if (flags.help) {
    std::cout << cli::usage()
              << "\nSubcommands:\n  backfill    fetch usage history as OpenMetrics text "
                 "(fleet-usage-exporter backfill --help)\n";
    return 0;
  }
  if (flags.version) {
    print_version();
    return 0;
  }
  log::configure(flags.log_level, flags.log_format);
  try {
    return run(flags);
  } catch (const std::exception& e) {
    log::error("fatal error", {{"error", e.what()}});
    return 1;
  }
}
