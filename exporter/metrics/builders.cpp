#include "exporter/metrics/builders.h"

#include <algorithm>

namespace fue {

MetricFamily& state_set_family(MetricSet& set, std::string_view name, std::string_view help,
                               std::vector<std::string> label_names) {
  label_names.emplace_back(name);
  return set.gauge(name, help, std::move(label_names));
}

void add_state_set(MetricFamily& family, std::span<const std::string_view> labels,
                   std::span<const std::string_view> known_states, std::string_view current,
                   UnknownState policy) {
  const bool known =
      std::find(known_states.begin(), known_states.end(), current) != known_states.end();
  std::vector<std::string_view> values(labels.begin(), labels.end());
  values.push_back({});
  auto emit = [&](std::string_view state, double v) {
    values.back() = state;
    family.add(std::span<const std::string_view>(values), v);
  };
  const bool map_to_unknown = !known && policy == UnknownState::kMapToUnknown;
  for (auto state : known_states)
    emit(state, state == current || (map_to_unknown && state == "unknown") ? 1 : 0);
  if (known) return;
  if (policy == UnknownState::kKeepAsIs) {
    emit(current, 1);
  } else if (std::find(known_states.begin(), known_states.end(), "unknown") == known_states.end()) {
    emit("unknown", 1);
  }
}

void LabelCounter::seed(std::vector<std::string> values) {
  counts_.try_emplace(std::move(values), 0);
}

void LabelCounter::add(std::vector<std::string> values, double amount) {
  counts_[std::move(values)] += amount;
}

void LabelCounter::emit(MetricFamily& family) const {
  for (const auto& [values, count] : counts_)
    family.add(std::span<const std::string>(values), count);
}

bool SeriesCap::admit(size_t series) {
  if (enabled_ && admitted_ < max_) {
    ++admitted_;
    return true;
  }
  // Switched off is a choice, not a loss: only resources refused by the cap count as dropped.
  if (enabled_) dropped_ += series;
  return false;
}

}  // namespace fue
