#include <sstream>

#include "exporter/config/config.h"
#include "exporter/config/config_text.h"

namespace fue {

using config::format_duration;
using config::redact_userinfo;

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string yes_no(bool b) { return b ? "true" : "false"; }

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void line(std::ostringstream& out, std::string_view key, const std::string& value) {
  out << "  " << key << " = " << value << "\n";
}

void describe_target(std::ostringstream& out, const TargetConfig& t) {
  out << "\n[[" << t.vendor << "]]  # line " << t.line << (t.enabled ? "" : ", disabled") << "\n";
  line(out, "name", quoted(t.name));
  line(out, "enabled", yes_no(t.enabled));
  line(out, "base_url", quoted(redact_userinfo(t.base_url)));
  line(out, "timeout", quoted(format_duration(t.timeout)));
  line(out, "min_interval", quoted(format_duration(t.min_interval)));
  std::string groups;
  for (const auto& g : t.groups) groups += (groups.empty() ? "" : ", ") + quoted(g);
  line(out, "metric_groups", "[" + groups + "]");
  line(out, "per_resource_series", yes_no(t.per_resource_series));
  line(out, "max_resources", std::to_string(t.max_resources));
  line(out, "ca_file", t.http.ca_file.empty() ? "(system store)" : quoted(t.http.ca_file));
  line(out, "insecure_skip_verify", yes_no(t.http.insecure_skip_verify));
  line(out, "proxy_url",
       t.http.proxy_url.empty() ? "(none)" : quoted(redact_userinfo(t.http.proxy_url)));
  line(out, "max_response_bytes", std::to_string(t.http.max_response_bytes));
  line(out, "max_attempts", std::to_string(t.http.max_attempts));
  line(out, "concurrency", std::to_string(t.http.concurrency));
  if (!t.settings) return;
  std::vector<std::pair<std::string, std::string>> pairs;
  t.settings->describe(pairs);
  for (const auto& [key, value] : pairs) line(out, key, value);
}

// Prices as configured, with the base-unit figures the metrics export.
void describe_prices(std::ostringstream& out, const PriceTable& p) {
  out << "\n[[price]]  # line " << p.line << "\n";
  line(out, "vendor", quoted(p.vendor));
  line(out, "target", p.target.empty() ? "(every target)" : quoted(p.target));
  line(out, "currency", quoted(p.currency));
  line(out, "period_start_day", std::to_string(p.period_start_day));
  line(out, "budget", p.budget ? number(*p.budget) : "(none)");
  line(out, "flat_fee", number(p.flat_fee));
  for (const auto& r : p.rates) {
    const std::string item = r.item.empty() ? "" : " item " + quoted(r.item);
    line(out, "rate",
         quoted(r.dimension.id) + item + ": " + number(r.price) + " per " + r.unit + " (" +
             number(r.price_per_base_unit()) + " per " + r.dimension.base_unit + "), included " +
             number(r.included) + " " + r.unit);
  }
}

}  // namespace

// Secrets reach this text only through VendorSettings::describe(), which uses Secret::redacted().
std::string ExporterConfig::summary() const {
  std::ostringstream out;
  out << "# config file " << file << ": " << targets.size() << " target(s)\n";
  out << "[global]\n";
  line(out, "max_concurrent_targets", std::to_string(global.max_concurrent_targets));
  line(out, "scrape_timeout_offset", quoted(format_duration(global.scrape_timeout_offset)));
  line(out, "default_timeout", quoted(format_duration(global.default_timeout)));
  line(out, "user_agent", global.user_agent.empty() ? "(default)" : quoted(global.user_agent));
  for (const auto& t : targets) describe_target(out, t);
  for (const auto& p : prices) describe_prices(out, p);
  return out.str();
}

}  // namespace fue
