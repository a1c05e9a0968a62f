#pragma once

// The fuzz targets, header-only so that the libFuzzer binaries (clang, tests/fuzz/*_fuzzer.cpp)
// and the regression replay in the normal suite (gcc, tests/unit/fuzz_regressions_test.cpp) run
// the very same code.
//
// Policy: every target feeds the input to production code and swallows only the exceptions that
// code documents for bad input (ScrapeError for vendor bodies, config::ConfigError for config
// text). Anything else escaping, a failed invariant (a Finding), or a sanitizer report is a
// finding. Invariant: whatever a vendor body produced serialises to a valid Prometheus text
// exposition (names, label names, escaped and valid-UTF-8 label values, parseable values).

#include <httplib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/config_node.h"
#include "exporter/core/errors.h"
#include "exporter/core/log.h"
#include "exporter/http/json_util.h"
#include "exporter/http/page_merge.h"
#include "exporter/metrics/builders.h"
#include "exporter/metrics/metric_set.h"
#include "exporter/metrics/serializer.h"
#include "exporter/server/web_server.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_errors.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_metrics.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_parse.h"
#include "scrapers/koophone/koophone_errors.h"
#include "scrapers/koophone/koophone_metrics.h"
#include "scrapers/koophone/koophone_parse.h"
#include "scrapers/losant/losant_errors.h"
#include "scrapers/losant/losant_metrics.h"
#include "scrapers/losant/losant_parse.h"
#include "scrapers/losant/losant_settings.h"
#include "scrapers/notehub/notehub_errors.h"
#include "scrapers/notehub/notehub_metrics.h"
#include "scrapers/notehub/notehub_metrics_inventory.h"
#include "scrapers/notehub/notehub_parse.h"
#include "scrapers/registry.h"
#include "scrapers/thousandeyes/thousandeyes_errors.h"
#include "scrapers/thousandeyes/thousandeyes_metrics.h"
#include "scrapers/thousandeyes/thousandeyes_metrics_units.h"
#include "scrapers/thousandeyes/thousandeyes_parse.h"
#if __has_include("exporter/server/probe_handler.h")
#include "exporter/server/probe_handler.h"
#endif

namespace fue::fuzz {

// A broken invariant: the target's code accepted the input but produced something wrong.
class Finding : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {

inline bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Valid UTF-8 as Prometheus' parser checks it (Go's utf8.ValidString: no overlongs, no
// surrogates, nothing above U+10FFFF).
inline bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (n >= s.size() - i) return false;  // fewer than n continuation bytes left
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

inline void fail(std::string_view what, std::string_view line) {
  throw Finding(std::string(what) + " in exposition line: " + std::string(line.substr(0, 300)));
}

// One sample line: name{label="value",...} value
inline void check_sample(std::string_view line, std::string_view family) {
  size_t i = 0;
  if (line.empty() || !is_name_start(line[0])) fail("bad metric name", line);
  while (i < line.size() && is_name_char(line[i])) ++i;
  const std::string_view name = line.substr(0, i);
  if (name != family && name != std::string(family) + "_bucket" &&
      name != std::string(family) + "_sum" && name != std::string(family) + "_count")
    fail("sample outside its family " + std::string(family), line);
  if (i < line.size() && line[i] == '{') {
    ++i;
    std::set<std::string_view> seen;
    while (i < line.size() && line[i] != '}') {
      const size_t start = i;
      if (line[i] == ':' || !is_name_start(line[i])) fail("bad label name", line);
      while (i < line.size() && is_name_char(line[i]) && line[i] != ':') ++i;
      const std::string_view label = line.substr(start, i - start);
      if (!seen.insert(label).second) fail("repeated label name", line);
      if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') fail("bad label", line);
      i += 2;
      std::string value;
      for (;; ++i) {
        if (i >= line.size()) fail("unterminated label value", line);
        const char c = line[i];
        if (c == '"') break;
        if (c == '\\') {
          if (i + 1 >= line.size()) fail("dangling escape", line);
          const char e = line[++i];
          if (e == 'n')
            value += '\n';
          else if (e == '\\' || e == '"')
            value += e;
          else
            fail("bad escape", line);
        } else {
          value += c;
        }
      }
      ++i;  // closing quote
      if (!valid_utf8(value)) fail("label value is not valid UTF-8", line);
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) fail("unterminated label set", line);
    ++i;  // '}'
  }
  if (i >= line.size() || line[i] != ' ') fail("no space before the value", line);
  const std::string value(line.substr(i + 1));
  if (value == "+Inf" || value == "-Inf" || value == "NaN") return;
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || value.find(' ') != std::string::npos)
    fail("bad sample value", line);
}

}  // namespace detail

// Checks the Prometheus text format 0.0.4 as produced by serialize_text; throws Finding.
inline void check_exposition(std::string_view text) {
  std::string family;
  std::set<std::string> typed;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) detail::fail("no final newline", text.substr(pos));
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string_view rest = line.substr(7);
      const std::string_view name = rest.substr(0, rest.find(' '));
      if (name.empty() || !detail::is_name_start(name[0])) detail::fail("bad HELP name", line);
      for (char c : name)
        if (!detail::is_name_char(c)) detail::fail("bad HELP name", line);
      if (!detail::valid_utf8(rest)) detail::fail("HELP text is not valid UTF-8", line);
      family = name;
    } else if (line.rfind("# TYPE ", 0) == 0) {
      const std::string_view rest = line.substr(7);
      const size_t sp = rest.find(' ');
      if (sp == std::string_view::npos) detail::fail("TYPE without a type", line);
      const std::string_view name = rest.substr(0, sp), type = rest.substr(sp + 1);
      if (name != family) detail::fail("TYPE of another family than its HELP", line);
      if (type != "gauge" && type != "counter" && type != "histogram" && type != "untyped" &&
          type != "summary")
        detail::fail("unknown TYPE", line);
      if (!typed.insert(std::string(name)).second) detail::fail("family repeated", line);
    } else {
      if (family.empty()) detail::fail("sample before any family", line);
      detail::check_sample(line, family);
    }
  }
}

// The engine's path from a target's MetricSet to the /metrics body.
inline void serialize_and_check(MetricSet& set) {
  set.remove_duplicates();
  std::string text;
  serialize_text(set, text);
  check_exposition(text);
}

// Options derived from the input's size, so that corpus files stay plain bodies.
struct Knobs {
  bool per_resource;
  size_t max_resources;
  int status;
  explicit Knobs(size_t size)
      : per_resource((size & 1) == 0),
        max_resources((size >> 1) % 3 == 0 ? 2 : 5000),
        status(std::vector<int>{400, 401, 403, 404, 422, 429, 500, 503}[(size >> 2) % 8]) {}
};

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `fn`, swallowing the ScrapeError a vendor body may legitimately cause.
template <class Fn>
void expect_scrape_errors_only(Fn&& fn) {
  try {
    fn();
  } catch (const ScrapeError&) {
  }
}

inline std::optional<nlohmann::json> parse_body(std::string_view body) {
  try {
    return fue::json::parse(body);
  } catch (const ScrapeError&) {
    return std::nullopt;
  }
}

// The error decoders run on any body, JSON or not, and must return one line's worth of text.
template <class Decoder>
void check_decoder(Decoder&& decode, int status, std::string_view body) {
  const std::string line = decode(status, std::string(body));
  (void)line;
}

inline MetricSet target_set() {
  return MetricSet(std::vector<std::pair<std::string, std::string>>{{"target", "fuzz"}});
}

// ---- Losant: every parser of losant_parse.h on the body, then the metric emitter.
inline void losant(const uint8_t* data, size_t size) {
  const Knobs k(size);
  check_decoder(losant::decode_error, k.status, as_text(data, size));
  auto body = parse_body(as_text(data, size));
  if (!body) return;
  const nlohmann::json& j = *body;
  losant::InstanceData d;
  d.id = "5ff89ff825013dc6c2856188";
  expect_scrape_errors_only([&] { d.info = losant::parse_instance(j); });
  expect_scrape_errors_only([&] {
    d.devices = losant::parse_device_counts(j);
    d.device_counts_fetched = true;
  });
  expect_scrape_errors_only([&] { d.notebook = losant::parse_notebook_minutes(j); });
  expect_scrape_errors_only([&] {
    losant::PayloadUsage p;
    std::tie(p.count, p.latest_bucket) = losant::parse_payload_breakdown(j);
    p.bytes = p.count;
    p.by_source = losant::parse_payload_stats(j);
    d.payloads = std::move(p);
  });
  expect_scrape_errors_only([&] {
    // As fetch_all_pages reads a page of a Losant collection, twice over to exercise the merge.
    const auto& items = fue::json::array_or_empty(fue::json::require_object(j, "page"), "items");
    std::vector<std::vector<nlohmann::json>> pages(
        2, std::vector<nlohmann::json>(items.begin(), items.end()));
    auto merged = http::merge_unique(std::move(pages), [](const nlohmann::json& item) {
      auto it = item.find("resourceId");
      return it != item.end() && it->is_string()
                 ? std::string_view(it->get_ref<const std::string&>())
                 : std::string_view();
    });
    std::vector<losant::ResourceSummary> summaries;
    for (const auto& item : merged) {
      summaries.push_back(losant::parse_summary(item));
      auto id = fue::json::opt_string(item, "id");
      if (id) (void)losant::is_object_id(*id);
    }
    d.summaries = std::move(summaries);
  });
  for (const bool hourly : {false, true}) {
    MetricSet out = target_set();
    SeriesCap cap(k.per_resource, k.max_resources);
    losant::MetricEmitter emit(out, cap, k.per_resource);
    emit.instance_success(d.id, true);
    emit.instance(d, hourly ? "hour" : "day", hourly);
    serialize_and_check(out);
  }
}

// ---- Notehub: the three usage folds, the device inventory, then the usage metrics.
inline void notehub(const uint8_t* data, size_t size) {
  const Knobs k(size);
  check_decoder(notehub::decode_error, k.status, as_text(data, size));
  auto body = parse_body(as_text(data, size));
  if (!body) return;
  const nlohmann::json& j = *body;
  notehub::ProjectUsage usage;
  expect_scrape_errors_only([&] { notehub::fold_data_usage(j, usage); });
  expect_scrape_errors_only([&] { notehub::fold_events_usage(j, usage); });
  expect_scrape_errors_only([&] { notehub::fold_sessions_usage(j, usage); });
  MetricSet out = target_set();
  SeriesCap cap(k.per_resource, k.max_resources);
  notehub::emit_usage("app:fuzz", usage, k.per_resource, cap, out);
  expect_scrape_errors_only([&] {
    notehub::Inventory inventory(1760000000);
    for (const auto& fleet :
         fue::json::array_or_empty(fue::json::require_object(j, "fleets"), "fleets"))
      inventory.add_fleet(fleet);
    for (const auto& device :
         fue::json::array_or_empty(fue::json::require_object(j, "devices"), "devices"))
      inventory.add_device(device);
    (void)fue::json::opt_bool(j, "has_more");
    inventory.emit("app:fuzz", out);
  });
  serialize_and_check(out);
}

// ---- ThousandEyes: /v7/usage, both units pages and the cursor of `_links.next`.
inline void thousandeyes(const uint8_t* data, size_t size) {
  const Knobs k(size);
  check_decoder(thousandeyes::decode_error, k.status, as_text(data, size));
  auto body = parse_body(as_text(data, size));
  if (!body) return;
  const nlohmann::json& j = *body;
  MetricSet out = target_set();
  SeriesCap cap(k.per_resource, k.max_resources);
  expect_scrape_errors_only([&] { thousandeyes::add_usage_metrics(j, "default", out, cap); });
  expect_scrape_errors_only([&] {
    thousandeyes::TestBreakdowns tests;
    tests.add_page(j);
    tests.add_page(j);  // a second page of the same rows, as a cursor walk may bring
    tests.emit(out, cap);
  });
  expect_scrape_errors_only([&] {
    thousandeyes::AgentBreakdowns agents;
    agents.add_page(j);
    agents.emit(out, cap);
  });
  expect_scrape_errors_only([&] { (void)thousandeyes::next_cursor(j); });
  serialize_and_check(out);
}

// The simdjson reader of a listing page must read every body as the nlohmann reference does:
// the same page, or the same error (reason and text). Returns the page; rethrows its error.
template <class Page, class Read, class ReadDom>
Page same_page(std::string_view text, Read&& read, ReadDom&& read_dom) {
  auto outcome = [](auto&& f) -> std::pair<std::optional<Page>, std::string> {
    try {
      return {f(), {}};
    } catch (const ScrapeError& e) {
      return {std::nullopt, e.reason() + ": " + e.what()};
    }
  };
  const std::string body(text);  // as the HTTP client hands it over
  auto fast = outcome([&] { return read(body); });
  auto dom = outcome([&] { return read_dom(fue::json::parse(text)); });
  if (fast != dom)
    throw Finding("the simdjson and nlohmann readers disagree: [" + fast.second + "] against [" +
                  dom.second + "]" + (fast.first && dom.first ? " (both read a page)" : ""));
  if (!fast.first) read(body);  // throws its ScrapeError again
  return *fast.first;
}

// ---- KooPhone: batch-query pages in either shape, then the fleet, backup and per-phone metrics.
inline void koophone(const uint8_t* data, size_t size) {
  const Knobs k(size);
  const std::string_view text = as_text(data, size);
  check_decoder(koophone::decode_error, k.status, text);
  expect_scrape_errors_only([&] {
    const int offset = (size & 8) ? 8 * 3600 : 0;  // the vendor's UTC+8, or UTC
    auto page = same_page<koophone::Page>(
        text, [&](const std::string& t) { return koophone::parse_page(t, offset); },
        [&](const nlohmann::json& j) { return koophone::parse_page_dom(j, offset); });
    std::vector<std::vector<koophone::Phone>> pages{page.phones, page.phones};
    auto phones = http::merge_unique(
        std::move(pages),
        [](const koophone::Phone& p) -> std::string_view { return p.instance_id; });
    MetricSet out = target_set();
    SeriesCap cap(k.per_resource, k.max_resources);
    koophone::emit_fleet(phones, out);
    koophone::emit_backup(phones, out);
    if (k.per_resource) koophone::emit_per_phone(phones, true, out, cap);
    serialize_and_check(out);
  });
}

// ---- KakaoCloud BCS: instance list pages, then the fleet and per-VM metrics.
inline void kakaocloud_bcs(const uint8_t* data, size_t size) {
  const Knobs k(size);
  const std::string_view text = as_text(data, size);
  check_decoder(kakaocloud_bcs::decode_error, k.status, text);
  expect_scrape_errors_only([&] {
    auto page = same_page<kakaocloud_bcs::Page>(
        text, [](const std::string& t) { return kakaocloud_bcs::parse_page(t); },
        [](const nlohmann::json& j) { return kakaocloud_bcs::parse_page_dom(j); });
    std::vector<std::vector<kakaocloud_bcs::Vm>> pages{page.vms, page.vms};
    auto vms = http::merge_unique(
        std::move(pages), [](const kakaocloud_bcs::Vm& v) -> std::string_view { return v.id; });
    MetricSet out = target_set();
    SeriesCap cap(k.per_resource, k.max_resources);
    kakaocloud_bcs::emit_fleet(vms, out);
    if (k.per_resource) kakaocloud_bcs::emit_per_vm(vms, out, cap);
    serialize_and_check(out);
  });
}

// ---- The config parser. Secret files and variables are looked up for real, so the dictionary
// and seeds name none that could block (no /dev paths).
inline void config(const uint8_t* data, size_t size) {
  try {
    const ExporterConfig c = parse_config(as_text(data, size), "fuzz.toml", builtin_vendors());
    (void)c.summary();
  } catch (const config::ConfigError&) {
  }
}

// ---- The exporter's own HTTP inputs: the scrape-timeout header and the /probe query string.
// Input: the header value, a newline, the query string.
inline void http_params(const uint8_t* data, size_t size) {
  const std::string_view text = as_text(data, size);
  const size_t nl = text.find('\n');
  const std::string header(text.substr(0, nl));
  const std::string query(nl == std::string_view::npos ? "" : text.substr(nl + 1));
  for (const Duration offset : {Duration(0), Duration(500), Duration(1'000'000)}) {
    const auto t = scrape_timeout_from_header(header, offset);
    if (t && *t <= Duration::zero()) throw Finding("non-positive scrape timeout from " + header);
  }
  httplib::Params params;
  httplib::detail::parse_query_text(query, params);
#if __has_include("exporter/server/probe_handler.h")
  try {
    const ProbeQuery q = parse_probe_query(params);
    if (q.target.empty()) throw Finding("probe query accepted without a target: " + query);
  } catch (const ProbeQueryError& e) {
    // Documented as the HTTP 400 body: one line.
    if (std::string_view(e.what()).find('\n') != std::string_view::npos)
      throw Finding("ProbeQueryError message with a newline: " + std::string(e.what()));
  }
#else
  // No probe_handler.h yet: what the /probe route reads today, the vendor and target parameters,
  // looked up the way the engine does.
  httplib::Request req;
  req.params = params;
  const std::string vendor = req.get_param_value("vendor");
  const std::string target = req.get_param_value("target");
  (void)builtin_vendors().find(vendor);
  (void)target;
#endif
}

struct Target {
  const char* name;
  void (*run)(const uint8_t*, size_t);
};

// Every target by name: the fuzzer binaries are <name>_fuzzer, regressions live in
// tests/fuzz/regressions/<name>/.
inline const std::vector<Target>& all_targets() {
  static const std::vector<Target> targets = {
      {"losant", losant},
      {"notehub", notehub},
      {"thousandeyes", thousandeyes},
      {"koophone", koophone},
      {"kakaocloud_bcs", kakaocloud_bcs},
      {"config", config},
      {"http_params", http_params},
  };
  return targets;
}

// Quiets the exporter's logger (the config parser logs warnings) once per process.
inline void quiet_logs() {
  static const bool done = [] {
    log::configure(LogLevel::kError, LogFormat::kLogfmt);
    return true;
  }();
  (void)done;
}

}  // namespace fue::fuzz
