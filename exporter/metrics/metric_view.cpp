#include "exporter/metrics/metric_view.h"

namespace fue {

size_t MetricView::Group::samples() const {
  size_t n = 0;
  for (const auto* f : families) n += f->size();
  return n;
}

size_t MetricView::add(std::shared_ptr<const MetricSet> set, std::string_view help_note) {
  size_t dropped = 0;
  for (const auto& f : set->families()) {
    const auto [it, inserted] = by_name_.try_emplace(f->name(), groups_.size());
    if (inserted) {
      groups_.push_back(Group{{f.get()}, std::string(help_note)});
      continue;
    }
    const MetricFamily& first = *groups_[it->second].families.front();
    if (first.type() != f->type() || first.label_names() != f->label_names()) {
      dropped += f->size();
      continue;
    }
    groups_[it->second].families.push_back(f.get());
  }
  sources_.push_back(Source{std::move(set), std::string(help_note)});
  return dropped;
}

const MetricFamily* MetricView::find(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : groups_[it->second].families.front();
}

size_t MetricView::series() const {
  size_t n = 0;
  for (const auto& g : groups_) n += g.samples();
  return n;
}

MetricSet MetricView::merged() const {
  MetricSet out;
  for (const auto& g : groups_) {
    const MetricFamily& first = *g.families.front();
    auto& f =
        out.family(first.name(), first.help() + g.help_note, first.type(), first.label_names());
    for (const auto* member : g.families) f.append(*member);
  }
  return out;
}

}  // namespace fue
