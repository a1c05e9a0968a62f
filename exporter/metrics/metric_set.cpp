#include "exporter/metrics/metric_set.h"

#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string_view>

namespace fue {
namespace {

template <class String>
void append_encoded(String& arena, std::string_view v) {
  const auto len = static_cast<uint32_t>(v.size());
  const char header[4] = {static_cast<char>(len & 0xff), static_cast<char>((len >> 8) & 0xff),
                          static_cast<char>((len >> 16) & 0xff),
                          static_cast<char>((len >> 24) & 0xff)};
  arena.append(header, 4);
  arena.append(v);
}

}  // namespace

MetricFamily::MetricFamily(std::string name, std::string help, MetricType type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {}

void MetricFamily::begin_sample() {
  pending_offset_ = static_cast<uint32_t>(arena_.size());
  arena_.append(fixed_prefix_);
}

void MetricFamily::put(std::string_view v) { append_encoded(arena_, v); }

void MetricFamily::end_sample(double value, SampleKind kind) {
  const auto size = static_cast<uint32_t>(arena_.size() - pending_offset_);
  samples_.push_back(Sample{pending_offset_, size, value, kind});
  constexpr size_t kProbe = 16;  // samples that show how much arena the expected ones need
  if (expect_total_ != 0 && samples_.size() == expect_from_ + kProbe) {
    const size_t per_sample = (arena_.size() - expect_arena_from_) / kProbe;
    const size_t remaining = expect_total_ > samples_.size() ? expect_total_ - samples_.size() : 0;
    arena_.reserve(arena_.size() + remaining * (per_sample + per_sample / 4 + 8));
    expect_total_ = 0;
  }
}

void MetricFamily::add(std::initializer_list<std::string_view> values, double value) {
  add(std::span<const std::string_view>(values.begin(), values.size()), value);
}

void MetricFamily::add(std::span<const std::string_view> values, double value) {
  if (values.size() + fixed_count_ != label_names_.size())
    throw std::logic_error("metric " + name_ + ": wrong number of label values");
  begin_sample();
  for (auto v : values) put(v);
  end_sample(value, SampleKind::kPlain);
}

void MetricFamily::add(std::span<const std::string> values, double value) {
  if (values.size() + fixed_count_ != label_names_.size())
    throw std::logic_error("metric " + name_ + ": wrong number of label values");
  begin_sample();
  for (const auto& v : values) put(v);
  end_sample(value, SampleKind::kPlain);
}

void MetricFamily::add_histogram(std::span<const std::string_view> values,
                                 std::span<const double> upper_bounds,
                                 std::span<const uint64_t> cumulative, double sum, uint64_t count) {
  if (values.size() + fixed_count_ != label_names_.size() ||
      upper_bounds.size() != cumulative.size())
    throw std::logic_error("histogram " + name_ + ": wrong number of label values or buckets");
  auto sample = [&](SampleKind kind, double v, const std::string* le) {
    begin_sample();
    for (auto value : values) put(value);
    if (le) put(*le);
    end_sample(v, kind);
  };
  std::string le;
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    le.clear();
    char buf[32];
    // Shortest round-trip form, so a bound of 0.1 reads le="0.1".
    auto r = std::to_chars(buf, buf + sizeof buf, upper_bounds[i]);
    le.assign(buf, r.ptr);
    sample(SampleKind::kBucket, static_cast<double>(cumulative[i]), &le);
  }
  le = "+Inf";
  sample(SampleKind::kBucket, static_cast<double>(count), &le);
  sample(SampleKind::kSum, sum, nullptr);
  sample(SampleKind::kCount, static_cast<double>(count), nullptr);
}

std::vector<std::string_view> MetricFamily::values_of(const Sample& s) const {
  std::vector<std::string_view> out;
  for_each_value(s, [&](std::string_view v) { out.push_back(v); });
  return out;
}

void MetricFamily::append(const MetricFamily& other) {
  const auto base = static_cast<uint32_t>(arena_.size());
  arena_.append(other.arena_);
  samples_.reserve(samples_.size() + other.samples_.size());
  for (const auto& s : other.samples_)
    samples_.push_back(Sample{s.offset + base, s.size, s.value, s.kind});
  promised_unique_ = false;  // two promises do not make one across both
}

namespace {
// On in every test (ctest sets the variable for the test binaries and the exporter they start).
std::atomic<bool> g_verify_unique_promises{std::getenv("FUE_VERIFY_UNIQUE_PROMISES") != nullptr};
}  // namespace

void MetricFamily::verify_unique_promises(bool on) { g_verify_unique_promises = on; }

size_t MetricFamily::remove_duplicates() {
  const bool verify = promised_unique_ && g_verify_unique_promises.load(std::memory_order_relaxed);
  if (promised_unique_ && !verify) return 0;
  const size_t removed = remove_repeated_label_sets();
  if (verify && removed > 0)
    throw std::logic_error("family " + name_ + " was promised unique but repeats " +
                           std::to_string(removed) + " label sets");
  return removed;
}

size_t MetricFamily::remove_repeated_label_sets() {
  // Keyed by the encoded label bytes plus the kind: identical bytes mean identical label sets.
  // An open-addressing table of kept sample positions: no allocation per sample, which a
  // node-based set made the largest cost of a million-series /metrics.
  const size_t n = samples_.size();
  if (n < 2) return 0;
  size_t capacity = 16;
  while (capacity < n * 2) capacity <<= 1;
  constexpr uint32_t kEmpty = UINT32_MAX;
  std::vector<uint32_t> slots(capacity, kEmpty);
  auto key = [this](const Sample& s) { return std::string_view(arena_.data() + s.offset, s.size); };
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    const Sample s = samples_[i];
    const std::string_view k = key(s);
    size_t pos =
        (std::hash<std::string_view>{}(k) ^ static_cast<size_t>(s.kind) * 0x9E3779B97F4A7C15ull) &
        (capacity - 1);
    bool duplicate = false;
    while (slots[pos] != kEmpty) {
      const Sample& other = samples_[slots[pos]];  // a kept sample, already at its new position
      if (other.kind == s.kind && key(other) == k) {
        duplicate = true;
        break;
      }
      pos = (pos + 1) & (capacity - 1);
    }
    if (duplicate) continue;
    slots[pos] = static_cast<uint32_t>(kept);
    samples_[kept++] = s;
  }
  const size_t removed = n - kept;
  samples_.resize(kept);
  return removed;
}

void MetricFamily::expect(size_t samples) {
  samples_.reserve(samples_.size() + samples);
  expect_from_ = samples_.size();
  expect_total_ = samples_.size() + samples;
  expect_arena_from_ = arena_.size();
}

MetricSet::MetricSet(std::vector<std::pair<std::string, std::string>> fixed_labels)
    : fixed_labels_(std::move(fixed_labels)) {}

MetricFamily& MetricSet::family(std::string_view name, std::string_view help, MetricType type,
                                std::vector<std::string> label_names) {
  if (auto* existing = find(name)) return *existing;
  std::vector<std::string> all;
  all.reserve(fixed_labels_.size() + label_names.size());
  for (const auto& [k, v] : fixed_labels_) all.push_back(k);
  for (auto& l : label_names) all.push_back(std::move(l));
  auto f =
      std::make_unique<MetricFamily>(std::string(name), std::string(help), type, std::move(all));
  for (const auto& [k, v] : fixed_labels_) append_encoded(f->fixed_prefix_, v);
  f->fixed_count_ = fixed_labels_.size();
  families_.push_back(std::move(f));
  return *families_.back();
}

MetricFamily* MetricSet::find(std::string_view name) {
  for (auto& f : families_)
    if (f->name() == name) return f.get();
  return nullptr;
}

const MetricFamily* MetricSet::find(std::string_view name) const {
  for (const auto& f : families_)
    if (f->name() == name) return f.get();
  return nullptr;
}

size_t MetricSet::series() const {
  size_t n = 0;
  for (const auto& f : families_) n += f->size();
  return n;
}

size_t MetricSet::remove_duplicates() {
  size_t removed = 0;
  for (auto& f : families_) removed += f->remove_duplicates();
  return removed;
}

}  // namespace fue
