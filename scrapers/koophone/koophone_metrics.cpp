#include "scrapers/koophone/koophone_metrics.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <span>

namespace fue::koophone {

namespace {

constexpr std::string_view kUnknown = "unknown";

// Index = documented code. "unknown" is code 0 of running_status and the fallback of all.
constexpr std::array<std::string_view, 6> kRunning = {"unknown",       "stopped",  "running",
                                                      "going_offline", "starting", "shut_down"};
constexpr std::array<std::string_view, 2> kFrozen = {"normal", "frozen"};
constexpr std::array<std::string_view, 2> kLogin = {"not_logged_in", "logged_in"};
constexpr std::array<std::string_view, 2> kAssign = {"unassigned", "assigned"};
constexpr std::array<std::string_view, 5> kTask = {"preparing", "executing", "succeeded", "failed",
                                                   "other"};

template <size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, int code) {
  return code >= 0 && code < static_cast<int>(N) ? names[code] : kUnknown;
}

// Seeds every documented state (and "unknown") at 0, then counts the fleet by one dimension.
template <size_t N>
void count_by(const std::vector<Phone>& phones, int Phone::*field,
              const std::array<std::string_view, N>& names, MetricFamily& family) {
  LabelCounter counter;
  for (auto n : names) counter.seed({std::string(n)});
  counter.seed({std::string(kUnknown)});
  for (const auto& p : phones) counter.add({std::string(name_of(names, p.*field))});
  counter.emit(family);
}

std::string or_unknown(const std::string& s) { return s.empty() ? std::string(kUnknown) : s; }

std::optional<double> latest(const std::vector<Phone>& phones,
                             std::optional<double> Phone::*field) {
  std::optional<double> best;
  for (const auto& p : phones)
    if (p.*field && (!best || *(p.*field) > *best)) best = p.*field;
  return best;
}

}  // namespace

std::string sanitize_sku(std::string_view sku) {
  std::string out;
  bool space = false;
  for (unsigned char c : sku) {
    if (std::isspace(c) || std::iscntrl(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  if (out.size() > 120) {
    // Cut before the character that straddles the limit: Prometheus rejects a whole scrape
    // whose label values are not valid UTF-8, and SKUs are often Chinese text.
    size_t n = 120;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;
    out.resize(n);
  }
  return out.empty() ? std::string(kUnknown) : out;
}

std::string_view running_status_name(int code) { return name_of(kRunning, code); }

void emit_fleet(const std::vector<Phone>& phones, MetricSet& out) {
  out.gauge("koophone_instances", "Cloud phone instances listed by batch-query.")
      .add({}, static_cast<double>(phones.size()));

  LabelCounter by_region, by_sku;
  for (const auto& p : phones) {
    by_region.add({or_unknown(p.region)});
    by_sku.add({sanitize_sku(p.sku)});
  }
  by_region.emit(out.gauge("koophone_instances_by_region",
                           "Cloud phones per region (field region).", {"region"}));
  by_sku.emit(out.gauge(
      "koophone_instances_by_sku",
      "Cloud phones per specification (field instance_sku, whitespace collapsed).", {"sku"}));
  count_by(
      phones, &Phone::running_status, kRunning,
      out.gauge("koophone_instances_by_running_status",
                "Cloud phones per running status (field running_status).", {"running_status"}));
  count_by(phones, &Phone::frozen_status, kFrozen,
           out.gauge("koophone_instances_by_frozen_status",
                     "Cloud phones per frozen status (field frozen_status).", {"frozen_status"}));
  count_by(phones, &Phone::login_status, kLogin,
           out.gauge("koophone_instances_by_login_status",
                     "Cloud phones per login status (field login_status).", {"login_status"}));
  count_by(
      phones, &Phone::assign_status, kAssign,
      out.gauge("koophone_instances_by_assign_status",
                "Cloud phones per assignment status (field assign_status).", {"assign_status"}));
}

void emit_backup(const std::vector<Phone>& phones, MetricSet& out) {
  count_by(phones, &Phone::backup_status, kTask,
           out.gauge("koophone_instances_by_backup_status",
                     "Cloud phones per status of their latest backup (field backup_status).",
                     {"backup_status"}));
  count_by(phones, &Phone::restore_status, kTask,
           out.gauge("koophone_instances_by_restore_status",
                     "Cloud phones per status of their latest restore (field restore_status).",
                     {"restore_status"}));
  if (auto t = latest(phones, &Phone::backup_time))
    out.gauge("koophone_last_backup_timestamp_seconds",
              "Latest backup status change over the fleet (max of field backup_time), Unix "
              "seconds.")
        .add({}, *t);
  if (auto t = latest(phones, &Phone::restore_time))
    out.gauge("koophone_last_restore_timestamp_seconds",
              "Latest restore status change over the fleet (max of field restore_time), Unix "
              "seconds.")
        .add({}, *t);
}

void emit_per_phone(const std::vector<Phone>& phones, bool with_backup, MetricSet& out,
                    SeriesCap& cap) {
  auto& state = state_set_family(out, "koophone_instance_running_status",
                                 "Running status of one cloud phone (StateSet: 1 for the current "
                                 "state).",
                                 {"instance_id"});
  auto& info =
      out.gauge("koophone_instance_info", "Cloud phone identity; always 1.",
                {"instance_id", "instance_name", "sku", "project_id", "project_name", "region"});
  auto& backup =
      out.gauge("koophone_instance_last_backup_timestamp_seconds",
                "When the backup status of one cloud phone last changed.", {"instance_id"});
  auto& restore =
      out.gauge("koophone_instance_last_restore_timestamp_seconds",
                "When the restore status of one cloud phone last changed.", {"instance_id"});
  state.expect(phones.size() * kRunning.size());
  info.expect(phones.size());
  // One phone per id (merge_unique), and its id is the first label as listed.
  for (MetricFamily* f : {&state, &info, &backup, &restore}) f->promise_unique();
  for (const auto& p : phones) {
    if (p.instance_id.empty()) continue;
    const size_t times = with_backup ? (p.backup_time ? 1 : 0) + (p.restore_time ? 1 : 0) : 0;
    if (!cap.admit(kRunning.size() + 1 + times)) continue;
    const std::string_view id = p.instance_id;
    const std::array<std::string_view, 1> labels = {id};
    add_state_set(state, labels, kRunning, running_status_name(p.running_status));
    const std::string sku = sanitize_sku(p.sku);
    info.add({id, p.instance_name, sku, p.project_id, p.project_name, p.region}, 1);
    if (with_backup && p.backup_time) backup.add({id}, *p.backup_time);
    if (with_backup && p.restore_time) restore.add({id}, *p.restore_time);
  }
}

}  // namespace fue::koophone
