// Body mangling for fault rules: broken, reshaped, oversized and slow bodies.
#include <algorithm>
#include <stdexcept>

#include "tests/vendor-sim/sim_internal.h"

namespace sim {
namespace {

constexpr size_t kDripBytes = 16;
constexpr size_t kWriteSlice = 64 * 1024;

// A control character is invalid both inside and outside JSON strings, so this always breaks it.
const std::string kGarbage = "\x01<<not json>>";

std::string take_content_type(httplib::Response& res) {
  auto ct = res.get_header_value("Content-Type");
  // The provider setters add Content-Type again; avoid a duplicate header.
  res.headers.erase("Content-Type");
  return ct.empty() ? "application/json" : ct;
}

void set_body(httplib::Response& res, std::string body) {
  auto ct = take_content_type(res);
  res.set_content(std::move(body), ct);
}

std::string malformed(std::string body) {
  const size_t mid = body.size() / 2;
  return body.replace(mid, std::min<size_t>(8, body.size() - mid), kGarbage);
}

// Keeps the JSON valid: the padding goes before the closing bracket of the top-level value.
struct HugeBody {
  std::string prefix;
  size_t padding = 0;
  std::string suffix;

  size_t size() const { return prefix.size() + padding + suffix.size(); }
  bool write(size_t offset, size_t length, httplib::DataSink& sink) const {
    static const std::string spaces(kWriteSlice, ' ');
    length = std::min(length, kWriteSlice);
    if (offset < prefix.size())
      return sink.write(prefix.data() + offset, std::min(length, prefix.size() - offset));
    offset -= prefix.size();
    if (offset < padding) return sink.write(spaces.data(), std::min(length, padding - offset));
    offset -= padding;
    return sink.write(suffix.data() + offset, std::min(length, suffix.size() - offset));
  }
};

void set_huge(httplib::Response& res, const std::string& body, size_t huge_bytes) {
  auto huge = std::make_shared<HugeBody>();
  const auto last = body.find_last_not_of(" \t\r\n");
  const size_t split = last == std::string::npos ? body.size() : last;
  huge->prefix = body.substr(0, split);
  huge->suffix = body.substr(split);
  huge->padding = std::max<size_t>(huge_bytes, 1);
  const auto ct = take_content_type(res);
  res.body.clear();
  res.set_content_provider(huge->size(), ct,
                           [huge](size_t offset, size_t length, httplib::DataSink& sink) {
                             return huge->write(offset, length, sink);
                           });
}

// A provider with a Content-Length (so no compression hides the pacing) over a shared body.
void set_paced(httplib::Response& res, std::string body, httplib::ContentProvider provider) {
  const auto ct = take_content_type(res);
  res.body.clear();
  res.set_content_provider(body.size(), ct, std::move(provider));
}

}  // namespace

Json with_wrong_types(const Json& j, int depth) {
  if (j.is_number()) return "NaN-ish";
  if (j.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : j.items()) out[k] = with_wrong_types(v, depth + 1);
    return out;
  }
  if (j.is_array()) {
    if (depth < 2) {  // near the top an array becomes an object keyed by index
      Json out = Json::object();
      for (size_t i = 0; i < j.size(); ++i)
        out[std::to_string(i)] = with_wrong_types(j[i], depth + 1);
      return out;
    }
    Json out = Json::array();
    for (const auto& v : j) out.push_back(with_wrong_types(v, depth + 1));
    return out;
  }
  return j;
}

Json with_extra_fields(const Json& j) {
  if (j.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : j.items()) out[k] = with_extra_fields(v);
    out["unexpected_field_xyz"] = Json{{"nested", Json::array({1, 2})}};
    return out;
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& v : j) out.push_back(with_extra_fields(v));
    return out;
  }
  return j;
}

void apply_body_mode(const Fault& fault, httplib::Response& res,
                     const std::shared_ptr<std::atomic<bool>>& stopping) {
  const auto& mode = fault.body_mode;
  if (mode.empty()) return;
  const std::string body = res.body;
  if (mode == "malformed") {
    set_body(res, malformed(body));
  } else if (mode == "truncated") {
    set_body(res, body.substr(0, body.size() / 2));
  } else if (mode == "empty") {
    set_body(res, "");
  } else if (mode == "wrong_types" || mode == "extra_fields") {
    auto j = Json::parse(body, nullptr, false);
    if (j.is_discarded()) return;  // not JSON: nothing to reshape
    set_body(res, (mode == "wrong_types" ? with_wrong_types(j) : with_extra_fields(j)).dump());
  } else if (mode == "huge") {
    set_huge(res, body, fault.huge_bytes);
  } else if (mode == "drip") {
    auto shared = std::make_shared<const std::string>(body);
    const int drip_ms = fault.drip_ms;
    set_paced(res, body,
              [shared, drip_ms, stopping](size_t offset, size_t length, httplib::DataSink& sink) {
                if (!sleep_unless_stopping(*stopping, drip_ms)) return false;
                return sink.write(shared->data() + offset, std::min(length, kDripBytes));
              });
  } else if (mode == "hang") {
    auto shared = std::make_shared<const std::string>(body);
    const int hang_ms = fault.hang_ms;
    if (body.empty()) {  // no body to hold back: hold the headers instead
      sleep_unless_stopping(*stopping, hang_ms);
      return;
    }
    set_paced(res, body,
              [shared, hang_ms, stopping](size_t offset, size_t length, httplib::DataSink& sink) {
                if (offset == 0 && !sleep_unless_stopping(*stopping, hang_ms)) return false;
                return sink.write(shared->data() + offset, std::min(length, kWriteSlice));
              });
  } else if (mode == "reset") {
    auto shared = std::make_shared<const std::string>(body);
    const size_t half = body.size() / 2;
    if (body.empty()) return;
    set_paced(res, body, [shared, half](size_t offset, size_t length, httplib::DataSink& sink) {
      if (offset >= half) return false;  // returning false makes httplib drop the connection
      return sink.write(shared->data() + offset, std::min(length, half - offset));
    });
  } else {
    throw std::invalid_argument("unknown body_mode '" + mode + "'");
  }
}

}  // namespace sim
