#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "exporter/metrics/metric_set.h"

namespace fue {

// The families of several MetricSets, grouped by name for one exposition without copying a
// sample: /metrics serves every target's collected (or cached) set as it is, shared, instead of
// merging copies of them on every scrape.
class MetricView {
 public:
  // Families of one name, in the order their sets were added; the first gives HELP and TYPE.
  struct Group {
    std::vector<const MetricFamily*> families;
    std::string help_note;  // appended to the first family's HELP
    size_t samples() const;
  };

  // Adds a set's families. A family whose type or label names differ from the first family of
  // its name is left out; returns how many samples were left out that way.
  // `help_note` is appended to the HELP of the families the set introduces (e.g. "(cached...)").
  size_t add(std::shared_ptr<const MetricSet> set, std::string_view help_note = {});
  size_t add(MetricSet set) { return add(std::make_shared<const MetricSet>(std::move(set))); }

  const std::vector<Group>& groups() const { return groups_; }
  // The first family of that name, or null.
  const MetricFamily* find(std::string_view name) const;
  size_t series() const;
  // A copy of everything as one MetricSet, for tools and tests that look families up.
  MetricSet merged() const;

  // The sets added, in order, each with its HELP note. Shared sets are never changed, so the
  // view's exposition depends on these alone: the web server keys its rendered bodies on them.
  struct Source {
    std::shared_ptr<const MetricSet> set;
    std::string help_note;
  };
  const std::vector<Source>& sources() const { return sources_; }

 private:
  std::vector<Source> sources_;  // keep the families below alive
  std::vector<Group> groups_;
  std::unordered_map<std::string_view, size_t> by_name_;  // views of names owned by sources_
};

}  // namespace fue
