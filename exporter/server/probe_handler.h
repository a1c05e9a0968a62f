#pragma once

// GET /probe: one target per request, for Prometheus' multi-target pattern (as blackbox_exporter).
//   /probe?target=<name>                    a configured target with a unique name
//   /probe?target=<vendor>/<name>           a configured target of one vendor
//   /probe?vendor=<vendor>&target=<name>    the same, the older form
//   /probe?module=<module>&target=<account> an account of a [module.<module>] template, with its
//                                           credentials from the module's credentials_dir
// The answer holds the target's vendor metrics plus probe_success, probe_duration_seconds and
// fleet_usage_exporter_target_up{vendor,target}; the other self-metrics stay on /metrics. A
// query that names nothing probe-able is HTTP 400 with a message saying how to address targets.
#include <httplib.h>

#include <stdexcept>
#include <string>

#include "exporter/engine/engine.h"

namespace fue {

struct ProbeQuery {
  std::string vendor;  // empty unless given as vendor= or as the <vendor>/ part of target
  std::string target;  // the target's name, or the module's account
  std::string module;  // empty for configured targets
};

// A /probe query that cannot be served; what() is the HTTP 400 body (one line, no newline).
class ProbeQueryError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Validates /probe's query parameters; throws ProbeQueryError (message for the HTTP 400 body).
// Pure: looks at nothing but `params`.
ProbeQuery parse_probe_query(const httplib::Params& params);

// Serves one /probe request (status, body and content type of `res`).
void handle_probe(Engine& engine, const httplib::Request& req, httplib::Response& res);

}  // namespace fue
