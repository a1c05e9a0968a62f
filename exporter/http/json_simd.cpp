#include "exporter/http/json_simd.h"

#include <mutex>

#include "exporter/core/errors.h"
#include "exporter/core/memory.h"

namespace fue::json::simd {

namespace {

using simdjson::dom::element_type;

// {key: value} in nlohmann JSON, so json_util.h's getter decides an unusual kind as it always has.
Json holder(std::string_view key, Element e) {
  Json h = Json::object();
  h[std::string(key)] = to_json(e);
  return h;
}

bool absent(const Slot& slot) { return !slot || slot->is_null(); }

std::mutex parser_mutex;
std::unique_ptr<simdjson::dom::parser> shared_parser;  // made on first use; release_parser()

}  // namespace

SharedParser::SharedParser() : lock_(parser_mutex) {
  if (!shared_parser) shared_parser = std::make_unique<simdjson::dom::parser>();
  parser_ = shared_parser.get();
}

void release_parser() {
  std::lock_guard lock(parser_mutex);
  shared_parser.reset();
}

namespace {
const bool kReleasedWithFreeMemory = (memory::on_release(release_parser), true);
}  // namespace

const char* type_name(Element e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "null";
}

Json to_json(Element e) {
  switch (e.type()) {
    case element_type::INT64: {
      const int64_t v = int64_t(e);
      // nlohmann keeps a non-negative integer as unsigned.
      return v >= 0 ? Json(static_cast<uint64_t>(v)) : Json(v);
    }
    case element_type::UINT64:
      return Json(uint64_t(e));
    case element_type::DOUBLE:
      return Json(double(e));
    case element_type::STRING:
      return Json(std::string_view(e));
    case element_type::BOOL:
      return Json(bool(e));
    case element_type::NULL_VALUE:
      return Json(nullptr);
    case element_type::ARRAY: {
      Json a = Json::array();
      for (Element item : simdjson::dom::array(e)) a.push_back(to_json(item));
      return a;
    }
    case element_type::OBJECT: {
      Json o = Json::object();
      for (auto field : simdjson::dom::object(e)) o[std::string(field.key)] = to_json(field.value);
      return o;
    }
  }
  return Json();
}

std::optional<std::string> opt_string(const Slot& slot, std::string_view key) {
  if (absent(slot)) return std::nullopt;
  if (slot->is_string()) return std::string(std::string_view(*slot));
  return json::opt_string(holder(key, *slot), key);
}

std::optional<int64_t> opt_int(const Slot& slot, std::string_view key) {
  if (absent(slot)) return std::nullopt;
  if (slot->is_int64()) return int64_t(*slot);
  return json::opt_int(holder(key, *slot), key);
}

std::optional<bool> opt_bool(const Slot& slot, std::string_view key) {
  if (absent(slot)) return std::nullopt;
  if (slot->is_bool()) return bool(*slot);
  return json::opt_bool(holder(key, *slot), key);
}

std::optional<Object> opt_object(const Slot& slot, std::string_view key) {
  if (absent(slot)) return std::nullopt;
  if (slot->is_object()) return Object(*slot);
  (void)json::object_or_empty(holder(key, *slot), key);  // throws, naming the kind
  return std::nullopt;
}

std::optional<simdjson::dom::array> opt_array(const Slot& slot, std::string_view key) {
  if (absent(slot)) return std::nullopt;
  if (slot->is_array()) return simdjson::dom::array(*slot);
  (void)json::array_or_empty(holder(key, *slot), key);  // throws, naming the kind
  return std::nullopt;
}

Object require_object(Element e, std::string_view what) {
  if (!e.is_object())
    throw SchemaError(std::string(what) + ": expected an object, got " + type_name(e));
  return Object(e);
}

}  // namespace fue::json::simd
