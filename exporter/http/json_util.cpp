#include "exporter/http/json_util.h"

#include <charconv>
#include <cmath>

#include "exporter/core/errors.h"
#include "exporter/core/reasons.h"

namespace fue::json {
namespace {

std::string kind_of(const Json& v) { return v.type_name(); }

[[noreturn]] void wrong_kind(std::string_view key, std::string_view expected, const Json& v) {
  throw SchemaError("field \"" + std::string(key) + "\": expected " + std::string(expected) +
                    ", got " + kind_of(v));
}

std::optional<double> number_from_string(const std::string& s) {
  double d = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return d;
}

}  // namespace

Json parse(std::string_view body) {
  try {
    return Json::parse(body.begin(), body.end());
  } catch (const Json::parse_error& e) {
    // The parser's message carries the byte position, never the body itself.
    throw ScrapeError(reason::kBadJson, std::string("invalid JSON: ") + e.what());
  } catch (const Json::out_of_range& e) {
    // A number too large for a double (e.g. 1e999); its message would quote the body's token.
    throw ScrapeError(reason::kBadJson, "invalid JSON: a number is out of range (json error " +
                                            std::to_string(e.id) + ")");
  }
}

const Json* find(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string text_or_empty(const Json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::optional<std::string> opt_string(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  if (v->is_number_unsigned()) return std::to_string(v->get<uint64_t>());
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  wrong_kind(key, "a string", *v);
}

std::optional<double> opt_number(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    if (auto d = number_from_string(v->get<std::string>())) return d;
  }
  wrong_kind(key, "a number", *v);
}

std::optional<int64_t> opt_int(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_unsigned()) return static_cast<int64_t>(v->get<uint64_t>());
  auto d = opt_number(object, key);
  if (d && std::isfinite(*d) && *d == std::floor(*d) && std::fabs(*d) < 9.2e18)
    return static_cast<int64_t>(*d);
  wrong_kind(key, "an integer", *v);
}

std::optional<bool> opt_bool(const Json& object, std::string_view key) {
  const Json* v = find(object, key);
  if (!v) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  wrong_kind(key, "a boolean", *v);
}

const Json& array_or_empty(const Json& object, std::string_view key) {
  static const Json empty = Json::array();
  const Json* v = find(object, key);
  if (!v) return empty;
  if (!v->is_array()) wrong_kind(key, "an array", *v);
  return *v;
}

const Json& object_or_empty(const Json& object, std::string_view key) {
  static const Json empty = Json::object();
  const Json* v = find(object, key);
  if (!v) return empty;
  if (!v->is_object()) wrong_kind(key, "an object", *v);
  return *v;
}

const Json& require_object(const Json& value, std::string_view what) {
  if (!value.is_object())
    throw SchemaError(std::string(what) + ": expected an object, got " + kind_of(value));
  return value;
}

}  // namespace fue::json
