#include "scrapers/losant/losant_history.h"

#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "exporter/http/json_util.h"
#include "scrapers/losant/losant_metrics.h"
#include "scrapers/losant/losant_settings.h"

namespace fue::losant {
namespace {

using nlohmann::json;
constexpr int64_t kDay = 86400;

// Losant types every count as an integer; a numeric string or a float is accepted as well, and
// anything else is no value (never a made-up 0).
std::optional<double> lenient_number(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(v)) return v;
  }
  return std::nullopt;
}

// counts[] entries by the UTC day their `date` falls in. The example bounds sit at 05:00Z (a
// local midnight, zone UNCONFIRMED), so the day is the UTC day containing the date.
std::map<int64_t, const json*> by_day(const json& body) {
  std::map<int64_t, const json*> out;
  if (!body.is_object()) return out;
  auto it = body.find("counts");
  if (it == body.end() || !it->is_array()) return out;
  for (const auto& e : *it) {
    if (!e.is_object() || !e.contains("date") || !e["date"].is_string()) continue;
    const auto at = timeutil::parse_rfc3339(e["date"].get_ref<const std::string&>());
    if (!at) continue;
    out[timeutil::start_of_utc_day(static_cast<int64_t>(std::floor(*at)))] = &e;
  }
  return out;
}

class Fetcher {
 public:
  explicit Fetcher(HistoryContext& ctx)
      : ctx_(ctx), s_(*ctx.target.settings_as<LosantSettings>()) {}

  void run() {
    if (s_.discover_instances)
      ctx_.note("discover_instances is not used by backfill: only instance_ids are read");
    if (s_.payload_resolution == "hour")
      ctx_.note(
          "payload_resolution is hour: losant_instance_payloads_latest_interval is not "
          "backfilled (history is fetched by day)");
    for (const auto& id : s_.instance_ids) instance(id);
  }

 private:
  json get(const std::string& path, const std::string& endpoint, http::Query q) {
    http::Request r;
    r.path = path;
    r.endpoint = endpoint;
    r.query = std::move(q);
    r.headers.emplace("Accept", "application/json");
    r.headers.emplace("Accept-Version", "^1.30.0");
    if (!s_.losantdomain.empty()) r.headers.emplace("losantdomain", s_.losantdomain);
    return ctx_.http.get_json(std::move(r), ctx_.deadline);
  }

  // Days of the fetch whose values a counter summed from the month start can be given for.
  template <class Add>
  void cumulative(const std::map<int64_t, const json*>& days, Add add) {
    for (const auto& [day, entry] : days)
      if (day < ctx_.first_day) add(day, *entry, false);
    for (const auto& [day, entry] : days)
      if (day >= ctx_.first_day && day <= ctx_.last_day) add(day, *entry, true);
  }

  void instance(const std::string& id) {
    const std::string base = "/instances/" + id;
    const auto& t = ctx_.target;
    const std::string month = std::to_string(timeutil::start_of_utc_month(ctx_.first_day) * 1000);
    const std::string start = std::to_string(ctx_.first_day * 1000);
    const std::string end = std::to_string((ctx_.last_day + kDay) * 1000 - 1);
    std::map<int64_t, InstanceData> days;
    auto data = [&](int64_t day) -> InstanceData& {
      auto& d = days[day];
      d.id = id;
      return d;
    };

    if (t.group_enabled(kDeviceCountsGroup)) {
      const json body =
          get(base + "/deviceCounts", "device_counts", {{"start", start}, {"end", end}});
      for (const auto& [day, e] : by_day(body)) {
        if (day < ctx_.first_day || day > ctx_.last_day) continue;
        LatestDeviceDay d;
        d.date_unix = static_cast<double>(day);
        d.total = lenient_number(*e, "total");
        d.created = lenient_number(*e, "created");
        d.deleted = lenient_number(*e, "deleted");
        data(day).devices = d;
      }
    }
    if (t.group_enabled(kNotebookGroup)) {
      const json body = get(base + "/notebookMinuteCounts", "notebook_minute_counts",
                            {{"start", month}, {"end", end}});
      NotebookUsage sum;
      cumulative(by_day(body), [&](int64_t day, const json& e, bool emit) {
        sum.minutes += lenient_number(e, "minutes").value_or(0);
        for (const char* outcome : {"completed", "canceled", "errored", "timeout"})
          sum.runs_by_outcome[outcome] += lenient_number(e, outcome).value_or(0);
        if (emit) data(day).notebook = sum;
      });
    }
    if (t.group_enabled(kPayloadsGroup)) {
      auto breakdown = [&](bool as_bytes) {
        return get(base + "/payloadCountsBreakdown", "payload_counts_breakdown",
                   {{"start", month},
                    {"end", end},
                    {"resolution", "86400000"},
                    {"asBytes", as_bytes ? "true" : "false"},
                    {"includeNonBillable", s_.include_non_billable ? "true" : "false"}});
      };
      const json counts = breakdown(false);
      double total = 0;
      cumulative(by_day(counts), [&](int64_t day, const json& e, bool emit) {
        const auto v = lenient_number(e, "value");
        total += v.value_or(0);
        if (!emit) return;
        PayloadUsage p;
        p.count = total;
        if (s_.payload_resolution != "hour") p.latest_bucket = v;
        data(day).payloads = p;
      });
      if (s_.payload_as_bytes) {
        const json bytes_body = breakdown(true);
        double bytes = 0;
        cumulative(by_day(bytes_body), [&](int64_t day, const json& e, bool emit) {
          bytes += lenient_number(e, "value").value_or(0);
          if (!emit) return;
          auto it = days.find(day);
          if (it != days.end() && it->second.payloads) it->second.payloads->bytes = bytes;
        });
      }
    }

    for (const auto& [day, d] : days) {
      SeriesCap cap(false, 0);
      MetricEmitter emit(ctx_.day(day), cap, false);
      emit.instance(d, "day", s_.include_non_billable);
    }
  }

  HistoryContext& ctx_;
  const LosantSettings& s_;
};

}  // namespace

void fetch_history(HistoryContext& ctx) { Fetcher(ctx).run(); }

HistorySupport history_support() {
  HistorySupport h;
  h.fetch = fetch_history;
  h.max_days = 31;
  h.within_month = true;
  h.description =
      "devices by day (deviceCounts); notebook time and runs, payloads (and bytes) period to "
      "date (notebookMinuteCounts, payloadCountsBreakdown)";
  return h;
}

}  // namespace fue::losant
