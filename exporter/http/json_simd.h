#pragma once

// Listing pages through simdjson: its validating parser reads a 2 MB BCS page 25 times faster
// than nlohmann's DOM (tests/bench/listing_parse_bench.cpp), and a scraper copies out only the
// fields it uses. Readers follow json_util.h's lenient rules exactly (they fall back to them for
// any unusual kind), so a page reads the same through either parser;
// tests/scrapers/listing_readers_test.cpp and the fuzzers (fuzz::same_page) check it.
// Include this only where a page is read: simdjson.h is a large header.

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "exporter/http/json_util.h"

namespace fue::json::simd {

using Element = simdjson::dom::element;
using Object = simdjson::dom::object;
// A field's value as the object holds it; empty when the key is absent. May hold JSON null.
using Slot = std::optional<Element>;

// nlohmann's name for the kind of `e` ("object", "number", ...), for the same error texts.
const char* type_name(Element e);
// `e` as nlohmann JSON, with nlohmann's number kinds (unsigned for non-negative integers).
Json to_json(Element e);

// One pass over `object` keeping the values of `keys`, in that order. A repeated key keeps its
// last value, as nlohmann's parser does.
template <size_t N>
std::array<Slot, N> pick(Object object, const std::array<std::string_view, N>& keys) {
  std::array<Slot, N> slots;
  for (auto field : object) {
    for (size_t i = 0; i < N; ++i) {
      if (field.key == keys[i]) {
        slots[i] = field.value;
        break;
      }
    }
  }
  return slots;
}

// The json_util.h getters for a picked value: null and absent give nullopt, a wrong kind throws
// SchemaError naming `key`. Strings, integers and booleans take a fast path.
std::optional<std::string> opt_string(const Slot& slot, std::string_view key);
std::optional<int64_t> opt_int(const Slot& slot, std::string_view key);
std::optional<bool> opt_bool(const Slot& slot, std::string_view key);
// The picked value as an object or array (json::object_or_empty / array_or_empty): nullopt for
// absent or null; another kind throws SchemaError naming `key`.
std::optional<Object> opt_object(const Slot& slot, std::string_view key);
std::optional<simdjson::dom::array> opt_array(const Slot& slot, std::string_view key);
// Throws SchemaError("<what>: expected an object, got <kind>") like json::require_object.
Object require_object(Element e, std::string_view what);

// The process's one simdjson parser, held while a page is parsed and read. Its buffers are reused
// from page to page instead of faulted in afresh (a 2 MB page touches about 8 MB, which cost more
// CPU than the parsing), and parsing takes a millisecond against 100 ms of waiting for the page.
class SharedParser {
 public:
  SharedParser();  // waits while another page holds it
  simdjson::dom::parser& get() { return *parser_; }

 private:
  std::unique_lock<std::mutex> lock_;
  simdjson::dom::parser* parser_;
};

// Frees the shared parser's buffers. memory::release_free_memory() calls it once a response is
// written, so that an idle exporter keeps none.
void release_parser();

// Parses `body` and returns read(root). When simdjson rejects the body, nlohmann parses it
// instead: it throws its own bad_json error (with the position), or, for what only simdjson
// rejects (integers beyond 64 bits, nesting deeper than 1024), read_dom reads its DOM.
template <class Read, class ReadDom>
auto read_page(const std::string& body, Read&& read, ReadDom&& read_dom) {
  {
    SharedParser parser;
    Element root;
    // Read in place when the string has simdjson's padding to spare (the HTTP client reserves
    // it); otherwise the parser copies the body into a padded buffer of its own.
    const bool copy = body.capacity() - body.size() < simdjson::SIMDJSON_PADDING;
    if (!parser.get().parse(body.data(), body.size(), copy).get(root)) return read(root);
  }
  return read_dom(json::parse(body));  // without holding the parser
}

}  // namespace fue::json::simd
