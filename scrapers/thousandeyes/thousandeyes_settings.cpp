#include "scrapers/thousandeyes/thousandeyes_settings.h"

#include <algorithm>

#include "exporter/http/json_util.h"

namespace fue::thousandeyes {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// An ISO 8601 UTC time with seconds, the only format the units endpoints take.
std::optional<std::string> window_bound(config::ConfigNode& window, std::string_view key) {
  auto value = window.optional_string(key);
  if (value && !timeutil::parse_rfc3339(*value))
    window.fail(key,
                "expected an RFC 3339 time such as 2026-11-05T00:00:00Z, got \"" + *value + "\"");
  return value;
}

}  // namespace

const std::vector<std::string>& known_expand_values() {
  static const std::vector<std::string> values = {
      "test",           "enterprise-agent",         "enterprise-agent-unit",
      "endpoint-agent", "endpoint-agent-essential", "endpoint-agent-embedded"};
  return values;
}

void Settings::describe(std::vector<std::pair<std::string, std::string>>& out) const {
  out.emplace_back("token", token.redacted());
  out.emplace_back("account_group_ids",
                   account_group_ids.empty() ? "(token default)" : join(account_group_ids));
  out.emplace_back("expand", expand.empty() ? "(none)" : join(expand));
  out.emplace_back("units_window", units_start ? *units_start + " .. " + units_end.value_or("now")
                                               : "(current billing period)");
  out.emplace_back("rate_limit_reserve", std::to_string(rate_limit_reserve));
}

std::shared_ptr<const VendorSettings> parse_settings(config::ConfigNode& node) {
  auto s = std::make_shared<Settings>();
  s->token = node.secret("token", true);
  for (const auto& aid : node.string_list("account_group_ids")) {
    if (aid.empty() || aid.find_first_not_of("0123456789") != std::string::npos)
      node.fail("account_group_ids",
                "an account group id is a number given as a string, got \"" + aid + "\"");
    if (std::find(s->account_group_ids.begin(), s->account_group_ids.end(), aid) ==
        s->account_group_ids.end())
      s->account_group_ids.push_back(aid);
  }
  // Absent means every documented expansion; an explicit [] means none.
  s->expand = node.has("expand") ? node.string_list("expand") : known_expand_values();
  const auto& known = known_expand_values();
  for (const auto& value : s->expand) {
    if (std::find(known.begin(), known.end(), value) == known.end())
      node.fail("expand", "unknown expand value \"" + value + "\"; known: " + join(known));
  }
  if (auto window = node.child("units_window")) {
    s->units_start = window_bound(*window, "start");
    s->units_end = window_bound(*window, "end");
    if (!s->units_start) window->fail("start", "units_window needs a start");
    if (s->units_end &&
        *timeutil::parse_rfc3339(*s->units_end) <= *timeutil::parse_rfc3339(*s->units_start))
      window->fail("end", "end must be after start");
    window->reject_unknown_keys();
  }
  s->rate_limit_reserve = static_cast<int>(node.int_or("rate_limit_reserve", 40, 0, 100000));
  return s;
}

}  // namespace fue::thousandeyes
