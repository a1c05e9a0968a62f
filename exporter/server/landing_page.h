#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exporter/engine/engine.h"

namespace fue {

std::string html_escape(std::string_view text);
// The small HTML page served at "/": version, each target's last status, and links.
// Links are relative ("./metrics"), so the page works behind a reverse proxy's route prefix.
std::string render_landing_page(const std::vector<TargetStatus>& targets, bool config_loaded,
                                const std::string& telemetry_path = "/metrics");

}  // namespace fue
