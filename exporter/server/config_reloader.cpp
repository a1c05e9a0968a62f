#include "exporter/server/config_reloader.h"

#include "exporter/core/log.h"

namespace fue {

ConfigReloader::ConfigReloader(std::string path, Loader loader, Engine& engine)
    : path_(std::move(path)), loader_(std::move(loader)), engine_(engine) {}

std::optional<std::string> ConfigReloader::reload() {
  std::lock_guard lock(mutex_);
  try {
    auto config = std::make_shared<const ExporterConfig>(loader_(path_));
    const auto targets = std::to_string(config->targets.size());
    engine_.apply(std::move(config));
    engine_.self().record_reload(true);
    log::info("configuration loaded", {{"file", path_}, {"targets", targets}});
    // Valid, so that a deployment can start before its targets are written, but worth a warning:
    // an empty or all-disabled file is more often a wrong path or a bad mount.
    if (engine_.config()->collects_nothing())
      log::warn(
          "the configuration has no enabled targets or modules; /metrics serves only the "
          "exporter's own metrics",
          {{"file", path_}});
    return std::nullopt;
  } catch (const std::exception& e) {
    engine_.self().record_reload(false);
    log::error("configuration load failed; keeping the previous one",
               {{"file", path_}, {"error", e.what()}});
    return std::string(e.what());
  }
}

}  // namespace fue
