#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/memory.h"

namespace fue {

enum class MetricType { kGauge, kCounter, kHistogram, kUntyped };

// Which series of a family a sample belongs to (histograms have three).
enum class SampleKind : uint8_t { kPlain, kBucket, kSum, kCount };

// A lean metric family: label names are stored once, and each sample's label values are packed
// into one arena string. This keeps a million series to a few tens of bytes each, which the
// prometheus-cpp MetricFamily layout (a vector of label-pair strings per sample) cannot.
class MetricFamily {
 public:
  struct Sample {
    uint32_t offset;  // start of this sample's label values in the arena
    uint32_t size;    // bytes of label values in the arena
    double value;
    SampleKind kind;
  };

  MetricFamily(std::string name, std::string help, MetricType type,
               std::vector<std::string> label_names);

  // `values` must have one entry per label name not fixed by the owning MetricSet.
  void add(std::initializer_list<std::string_view> values, double value);
  void add(std::span<const std::string_view> values, double value);
  void add(std::span<const std::string> values, double value);
  // A whole histogram: `upper_bounds` excludes +Inf; `cumulative` has one count per bound.
  void add_histogram(std::span<const std::string_view> values, std::span<const double> upper_bounds,
                     std::span<const uint64_t> cumulative, double sum, uint64_t count);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  void set_help(std::string help) { help_ = std::move(help); }
  MetricType type() const { return type_; }
  // All label names, fixed ones first.
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Huge-page backed storage: at a million series, 4 KiB page faults cost more than the work.
  using Samples = std::vector<Sample, memory::HugePageAllocator<Sample>>;
  using Arena = std::basic_string<char, std::char_traits<char>, memory::HugePageAllocator<char>>;

  const Samples& samples() const { return samples_; }
  size_t size() const { return samples_.size(); }
  bool empty() const { return samples_.empty(); }

  // Label values of a sample, in label_names() order (plus "le" last for a bucket).
  std::vector<std::string_view> values_of(const Sample& s) const;
  // Calls fn(std::string_view value) for each label value of a sample, without allocating.
  template <class Fn>
  void for_each_value(const Sample& s, Fn&& fn) const;

  // Appends other's samples; label names and type must match (checked by the caller).
  void append(const MetricFamily& other);
  // Drops samples whose label set (and kind) repeats an earlier one; returns how many.
  size_t remove_duplicates();
  // The scraper's promise that no label set repeats: each sample carries, verbatim, an id of a
  // listing merged by that id. remove_duplicates() then skips the family (a tenth of the whole
  // /metrics step at 100k series), except under verify_unique_promises(), where a repeat throws.
  void promise_unique() { promised_unique_ = true; }
  // Checks every promise instead of trusting it; on when FUE_VERIFY_UNIQUE_PROMISES is set, as
  // ctest sets it for every test, and in the fuzzers.
  static void verify_unique_promises(bool on);
  // A hint that about `samples` more samples follow (e.g. one per VM of a listed fleet): their
  // storage is reserved now, and the label arena's once the first few show their size, so a
  // large family never regrows and copies itself. Regrowth cost more than all else at 1M series.
  void expect(size_t samples);

 private:
  friend class MetricSet;
  size_t remove_repeated_label_sets();
  void begin_sample();
  void put(std::string_view v);
  void end_sample(double value, SampleKind kind);

  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
  std::string fixed_prefix_;  // encoded values of the MetricSet's fixed labels
  size_t fixed_count_ = 0;
  Arena arena_;
  Samples samples_;
  uint32_t pending_offset_ = 0;
  size_t expect_from_ = 0;   // sample count when expect() was called
  size_t expect_total_ = 0;  // sample count expect() announced; 0 once the arena is reserved
  size_t expect_arena_from_ = 0;
  bool promised_unique_ = false;
};

// The families one collection produced. Fixed labels (e.g. target="prod") are prepended to every
// family made through it, so scrapers never repeat them.
class MetricSet {
 public:
  MetricSet() = default;
  explicit MetricSet(std::vector<std::pair<std::string, std::string>> fixed_labels);

  // Gets or creates a family. A second call with the same name returns the same family.
  MetricFamily& family(std::string_view name, std::string_view help, MetricType type,
                       std::vector<std::string> label_names = {});
  MetricFamily& gauge(std::string_view name, std::string_view help,
                      std::vector<std::string> label_names = {}) {
    return family(name, help, MetricType::kGauge, std::move(label_names));
  }
  MetricFamily& counter(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {}) {
    return family(name, help, MetricType::kCounter, std::move(label_names));
  }
  MetricFamily* find(std::string_view name);
  const MetricFamily* find(std::string_view name) const;

  const std::vector<std::unique_ptr<MetricFamily>>& families() const { return families_; }
  size_t series() const;

  // Removes duplicate label sets in every family; returns how many samples were removed.
  size_t remove_duplicates();

 private:
  std::vector<std::pair<std::string, std::string>> fixed_labels_;
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

template <class Fn>
void MetricFamily::for_each_value(const Sample& s, Fn&& fn) const {
  const char* p = arena_.data() + s.offset;
  const char* end = p + s.size;
  while (p < end) {
    uint32_t len = static_cast<unsigned char>(p[0]) | (static_cast<unsigned char>(p[1]) << 8) |
                   (static_cast<unsigned char>(p[2]) << 16) |
                   (static_cast<uint32_t>(static_cast<unsigned char>(p[3])) << 24);
    fn(std::string_view(p + 4, len));
    p += 4 + len;
  }
}

}  // namespace fue
