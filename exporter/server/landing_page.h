#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exporter/engine/engine.h"

namespace fue {

std::string html_escape(std::string_view text);
// The small HTML page served at "/": version, each target's last status, and links.
std::string render_landing_page(const std::vector<TargetStatus>& targets, bool config_loaded);

}  // namespace fue
