// The /_sim/... control API: fault rules, stats, knobs and reset over HTTP.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "tests/vendor-sim/sim_internal.h"

namespace sim {
namespace {

const std::set<std::string> kBodyModes = {
    "",     "malformed", "truncated", "empty", "wrong_types",
    "drip", "hang",      "reset",     "huge",  "extra_fields"};

std::string string_field(const std::string& key, const Json& v) {
  if (!v.is_string()) throw std::invalid_argument("fault field '" + key + "' must be a string");
  return v.get<std::string>();
}

int64_t int_field(const std::string& key, const Json& v, int64_t min) {
  if (!v.is_number_integer() || v.get<int64_t>() < min)
    throw std::invalid_argument("field '" + key + "' must be an integer >= " + std::to_string(min));
  return v.get<int64_t>();
}

void reply_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& res, const std::string& message) {
  reply_json(res, 400, Json{{"error", message}});
}

// Parses {"<vendor>": {"fleet_size": N, "seed": S, "latency_ms": L, "token_ttl_seconds": T,
// "page_cap": C, "fleet_drift": D, "page_shift": P, "now_unix": U}} onto the current knobs; fields
// left out keep their value.
std::map<std::string, VendorKnobs> parse_knobs(const Server& server, const Json& body) {
  if (!body.is_object()) throw std::invalid_argument("knobs must be an object keyed by vendor");
  const auto known = server.vendors();
  std::map<std::string, VendorKnobs> updates;
  for (const auto& [vendor, fields] : body.items()) {
    if (std::find(known.begin(), known.end(), vendor) == known.end())
      throw std::invalid_argument("unknown vendor '" + vendor + "'");
    if (!fields.is_object())
      throw std::invalid_argument("knobs of '" + vendor + "' must be an object");
    auto knobs = server.knobs(vendor);
    for (const auto& [key, v] : fields.items()) {
      if (key == "fleet_size")
        knobs.fleet_size = static_cast<int>(int_field(key, v, 0));
      else if (key == "seed")
        knobs.seed = v.is_number_unsigned() ? v.get<uint64_t>() : int_field(key, v, 0);
      else if (key == "latency_ms")
        knobs.latency_ms = static_cast<int>(int_field(key, v, 0));
      else if (key == "token_ttl_seconds")
        knobs.token_ttl_seconds = static_cast<int>(int_field(key, v, 0));
      else if (key == "page_cap")
        knobs.page_cap = static_cast<int>(int_field(key, v, 0));
      else if (key == "fleet_drift")
        knobs.fleet_drift = static_cast<int>(int_field(key, v, -1000000));
      else if (key == "page_shift")
        knobs.page_shift = static_cast<int>(int_field(key, v, -1000000));
      else if (key == "now_unix")
        knobs.now_unix = int_field(key, v, 0);
      else
        throw std::invalid_argument("unknown knob '" + key + "'");
    }
    updates[vendor] = knobs;
  }
  return updates;
}

}  // namespace

Fault fault_from_json(const Json& j) {
  if (!j.is_object()) throw std::invalid_argument("a fault must be a JSON object");
  Fault f;
  for (const auto& [key, v] : j.items()) {
    if (key == "vendor") {
      f.vendor = string_field(key, v);
    } else if (key == "path_prefix") {
      f.path_prefix = string_field(key, v);
    } else if (key == "times") {
      f.times = static_cast<int>(int_field(key, v, -1));
    } else if (key == "after") {
      f.after = static_cast<int>(int_field(key, v, 0));
    } else if (key == "concurrent") {
      f.concurrent = static_cast<int>(int_field(key, v, 0));
    } else if (key == "latency_ms") {
      f.latency_ms = static_cast<int>(int_field(key, v, 0));
    } else if (key == "status") {
      f.status = static_cast<int>(int_field(key, v, 0));
      if (f.status != 0 && (f.status < 100 || f.status > 599))
        throw std::invalid_argument("field 'status' must be 0 or an HTTP status");
    } else if (key == "body") {
      f.body = v.is_string() ? v.get<std::string>() : v.dump();  // JSON bodies may come inline
    } else if (key == "headers") {
      if (!v.is_object()) throw std::invalid_argument("field 'headers' must be an object");
      for (const auto& [name, value] : v.items())
        f.headers[name] = string_field("headers." + name, value);
    } else if (key == "body_mode") {
      f.body_mode = string_field(key, v);
      if (!kBodyModes.count(f.body_mode))
        throw std::invalid_argument("unknown body_mode '" + f.body_mode + "'");
    } else if (key == "drip_ms") {
      f.drip_ms = static_cast<int>(int_field(key, v, 0));
    } else if (key == "hang_ms") {
      f.hang_ms = static_cast<int>(int_field(key, v, 0));
    } else if (key == "huge_bytes") {
      f.huge_bytes = static_cast<size_t>(int_field(key, v, 0));
    } else {
      throw std::invalid_argument("unknown fault field '" + key + "'");
    }
  }
  return f;
}

Json fault_to_json(const Fault& f) {
  return Json{{"vendor", f.vendor},         {"path_prefix", f.path_prefix},
              {"times", f.times},           {"after", f.after},
              {"concurrent", f.concurrent}, {"latency_ms", f.latency_ms},
              {"status", f.status},         {"body", f.body},
              {"headers", f.headers},       {"body_mode", f.body_mode},
              {"drip_ms", f.drip_ms},       {"hang_ms", f.hang_ms},
              {"huge_bytes", f.huge_bytes}};
}

void register_control_api(Server& server, httplib::Server& http) {
  http.Post("/_sim/faults", [&server](const httplib::Request& req, httplib::Response& res) {
    Fault fault;
    try {
      fault = fault_from_json(Json::parse(req.body));
    } catch (const std::exception& e) {
      return reply_error(res, std::string("bad fault: ") + e.what());
    }
    server.add_fault(fault);
    reply_json(res, 200, fault_to_json(fault));
  });
  http.Delete("/_sim/faults", [&server](const httplib::Request&, httplib::Response& res) {
    server.clear_faults();
    reply_json(res, 200, Json{{"cleared", true}});
  });
  http.Get("/_sim/faults", [&server](const httplib::Request&, httplib::Response& res) {
    Json list = Json::array();
    for (const auto& f : server.faults()) list.push_back(fault_to_json(f));
    reply_json(res, 200, list);
  });
  http.Get("/_sim/stats", [&server](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 200, server.stats());
  });
  http.Post("/_sim/knobs", [&server](const httplib::Request& req, httplib::Response& res) {
    std::map<std::string, VendorKnobs> updates;
    try {
      updates = parse_knobs(server, Json::parse(req.body));
    } catch (const std::exception& e) {
      return reply_error(res, std::string("bad knobs: ") + e.what());
    }
    Json applied = Json::object();
    for (const auto& [vendor, k] : updates) {
      server.set_knobs(vendor, k);
      applied[vendor] = {{"fleet_size", k.fleet_size}, {"seed", k.seed},
                         {"latency_ms", k.latency_ms}, {"token_ttl_seconds", k.token_ttl_seconds},
                         {"page_cap", k.page_cap},     {"fleet_drift", k.fleet_drift},
                         {"page_shift", k.page_shift}};
    }
    reply_json(res, 200, applied);
  });
  http.Post("/_sim/reset", [&server](const httplib::Request&, httplib::Response& res) {
    server.clear_faults();
    server.reset_stats();
    reply_json(res, 200, Json{{"reset", true}});
  });
  http.Get("/_sim/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
}

}  // namespace sim
