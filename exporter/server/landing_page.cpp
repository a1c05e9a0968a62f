#include "exporter/server/landing_page.h"

#include <ctime>

#include "build_info.h"

namespace fue {
namespace {

std::string format_unix(double seconds) {
  if (seconds <= 0) return "never";
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_landing_page(const std::vector<TargetStatus>& targets, bool config_loaded,
                                const std::string& telemetry_path) {
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Fleet Usage Exporter</title>"
      "<style>body{font-family:sans-serif}td,th{padding:2px 10px;text-align:left}"
      ".up{color:#070}.down{color:#b00}</style></head><body>\n"
      "<h1>Fleet Usage Exporter</h1>\n<p>Version ";
  out += html_escape(build::kVersion);
  out += " (revision ";
  out += html_escape(build::kRevision);
  out += ")</p>\n<ul><li><a href=\".";
  out += html_escape(telemetry_path);
  out +=
      "\">Metrics</a></li>"
      "<li><a href=\"./-/healthy\">Health</a></li><li><a href=\"./-/ready\">Readiness</a></li>"
      "</ul>\n<p>Each target's series alone: <code>./probe?target=&lt;vendor&gt;/&lt;target&gt;"
      "</code>, linked from its name below.</p>\n";
  if (!config_loaded) out += "<p>No configuration loaded yet.</p>\n";
  out +=
      "<h2>Targets</h2>\n<table><tr><th>Vendor</th><th>Target</th><th>Status</th>"
      "<th>Last success (UTC)</th><th>Last duration</th><th>Last error</th></tr>\n";
  for (const auto& t : targets) {
    const char* state =
        t.up ? "up" : (t.ever_succeeded || !t.last_error.empty() ? "down" : "not yet scraped");
    const std::string probe = "./probe?target=" + t.vendor + "/" + t.name;  // names are [\w.-]
    out += "<tr><td>" + html_escape(t.vendor) + "</td><td><a href=\"" + html_escape(probe) + "\">" +
           html_escape(t.name) + "</a></td><td class=\"" + (t.up ? "up" : "down") + "\">" + state +
           "</td><td>" + format_unix(t.last_success_unix) + "</td><td>" +
           std::to_string(t.last_duration_seconds).substr(0, 5) + "s</td><td>" +
           html_escape(t.last_error) + "</td></tr>\n";
  }
  if (targets.empty()) out += "<tr><td colspan=\"6\">No enabled targets.</td></tr>\n";
  out += "</table>\n</body></html>\n";
  return out;
}

}  // namespace fue
