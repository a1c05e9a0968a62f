#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "exporter/config/config.h"
#include "exporter/engine/engine.h"

namespace fue {

// Loads the config file again and hands it to the engine; /-/reload and SIGHUP share it. A load
// that fails keeps the running config and is only logged and counted.
class ConfigReloader {
 public:
  using Loader = std::function<ExporterConfig(const std::string& path)>;

  ConfigReloader(std::string path, Loader loader, Engine& engine);

  // nullopt on success, otherwise the error text (file, line and key; never a secret).
  std::optional<std::string> reload();
  const std::string& path() const { return path_; }

 private:
  std::mutex mutex_;  // one reload at a time
  const std::string path_;
  const Loader loader_;
  Engine& engine_;
};

}  // namespace fue
