#include "exporter/http/json_simd.h"

#include <condition_variable>
#include <mutex>
#include <vector>

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

// Parsing takes about a millisecond a page against 100 ms of waiting for it, so two parsers
// serve a target's eight pages in flight; each one more would fault in another page's worth of
// buffers (a 2 MB page touches about 8 MB), which cost more CPU than the parsing itself.
constexpr int kMaxParsers = 1;
std::mutex pool_mutex;
std::condition_variable parser_returned;
std::vector<std::unique_ptr<simdjson::dom::parser>> idle_parsers;
int parsers_out = 0;
}  // namespace

PooledParser::PooledParser() {
  std::unique_lock lock(pool_mutex);
  parser_returned.wait(lock, [] { return parsers_out < kMaxParsers; });
  ++parsers_out;
  if (!idle_parsers.empty()) {
    parser_ = std::move(idle_parsers.back());
    idle_parsers.pop_back();
  }
  lock.unlock();
  if (!parser_) parser_ = std::make_unique<simdjson::dom::parser>();
}

PooledParser::~PooledParser() {
  {
    std::lock_guard lock(pool_mutex);
    --parsers_out;
    idle_parsers.push_back(std::move(parser_));
  }
  parser_returned.notify_one();
}

void release_parsers() {
  std::vector<std::unique_ptr<simdjson::dom::parser>> freed;
  std::lock_guard lock(pool_mutex);
  freed.swap(idle_parsers);
}

namespace {
const bool kReleasedWithFreeMemory = (memory::on_release(release_parsers), true);
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
