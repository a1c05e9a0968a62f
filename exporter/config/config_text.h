#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

// Small text helpers shared by the config parser, loader and summary.
namespace fue::config {

// "string", "integer", "boolean", ... for messages such as "expected a string, got integer".
std::string type_name(const toml::node& node);
// The TOML header spelling of a display path: "losant[0].instances" -> "losant.instances".
std::string table_header(std::string_view path);
// "http://user:pass@host/x" -> "http://user:<redacted>@host/x", so a URL can be printed safely.
std::string redact_userinfo(std::string_view url);

}  // namespace fue::config
