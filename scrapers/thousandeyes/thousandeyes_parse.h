#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace fue::thousandeyes {

// The URL-decoded `cursor` of a page's `_links.next.href`, as the vendor's Java SDK reads it.
// nullopt ends the walk: no `next`, a null or empty href, or an href without a cursor. The
// cursor is re-sent to the configured base URL, so an href naming another host is never followed.
std::optional<std::string> next_cursor(const nlohmann::json& page);

}  // namespace fue::thousandeyes
