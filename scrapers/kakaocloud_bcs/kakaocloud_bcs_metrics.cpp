#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_metrics.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace fue::kakaocloud_bcs {

namespace {

constexpr std::string_view kUnknown = "unknown";
// Confirmed by the vendor's Terraform provider and lifecycle docs; others are kept as they come.
constexpr std::array<std::string_view, 4> kStates = {"active", "stopped", "shelved_offloaded",
                                                     "error"};
constexpr std::array<std::string_view, 3> kInstanceTypes = {"vm", "bm", "gpu"};
constexpr std::array<std::string_view, 3> kZones = {"kr-central-2-a", "kr-central-2-b",
                                                    "kr-central-2-c"};

std::string value_or_unknown(const std::string& s) { return s.empty() ? std::string(kUnknown) : s; }

std::string flag_label(const std::optional<bool>& b) {
  return b ? (*b ? "true" : "false") : std::string(kUnknown);
}

// One count-by dimension; known values are seeded at 0 for user (non-platform) VMs.
template <class Field>
void count_by(const std::vector<Vm>& vms, Field field, std::span<const std::string_view> seeds,
              MetricFamily& family) {
  LabelCounter counter;
  for (auto s : seeds) counter.seed({std::string(s), "false", "false"});
  for (const auto& vm : vms)
    counter.add({value_or_unknown(field(vm)), flag_label(vm.is_hadoop), flag_label(vm.is_k8se)});
  counter.emit(family);
}

}  // namespace

void emit_fleet(const std::vector<Vm>& vms, MetricSet& out) {
  out.gauge("kakaocloud_bcs_instances", "BCS instances listed by GET /api/v1/instances.")
      .add({}, static_cast<double>(vms.size()));
  auto family = [&](const char* dim, const char* help) -> MetricFamily& {
    return out.gauge(std::string("kakaocloud_bcs_instances_by_") + dim, help,
                     {dim, "is_hadoop", "is_k8se"});
  };
  count_by(
      vms, [](const Vm& v) -> const std::string& { return v.vm_state; }, kStates,
      family("vm_state", "BCS instances per vm_state (lower-cased), split by platform flags."));
  count_by(
      vms, [](const Vm& v) -> const std::string& { return v.status; }, kStates,
      family("status",
             "BCS instances per detailed status (lower-cased), split by platform flags."));
  count_by(
      vms, [](const Vm& v) -> const std::string& { return v.flavor; }, {},
      family("flavor", "BCS instances per flavor (field flavor.name), split by platform flags."));
  count_by(
      vms, [](const Vm& v) -> const std::string& { return v.instance_type; }, kInstanceTypes,
      family("instance_type",
             "BCS instances per instance_type (vm, bm, gpu), split by platform flags."));
  count_by(
      vms, [](const Vm& v) -> const std::string& { return v.availability_zone; }, kZones,
      family("availability_zone", "BCS instances per availability zone, split by platform flags."));
}

void emit_per_vm(const std::vector<Vm>& vms, MetricSet& out, SeriesCap& cap) {
  auto& state = state_set_family(
      out, "kakaocloud_bcs_instance_vm_state",
      "vm_state of one BCS instance (StateSet: 1 for the current state).", {"instance_id"});
  auto& info = out.gauge("kakaocloud_bcs_instance_info", "BCS instance identity; always 1.",
                         {"instance_id", "name", "flavor", "image", "instance_type",
                          "availability_zone", "private_ip"});
  auto& created = out.gauge("kakaocloud_bcs_instance_created_timestamp_seconds",
                            "Creation time of one BCS instance (field created_at), Unix seconds.",
                            {"instance_id"});
  state.expect(vms.size() * kStates.size());
  info.expect(vms.size());
  created.expect(vms.size());
  // One VM per id (merge_unique), and its id is the first label as listed.
  for (MetricFamily* f : {&state, &info, &created}) f->promise_unique();
  for (const auto& vm : vms) {
    if (vm.id.empty()) continue;
    const std::string current = value_or_unknown(vm.vm_state);
    const bool known = std::find(kStates.begin(), kStates.end(), current) != kStates.end();
    if (!cap.admit(kStates.size() + (known ? 0 : 1) + 1 + (vm.created ? 1 : 0))) continue;
    const std::array<std::string_view, 1> labels = {vm.id};
    add_state_set(state, labels, kStates, current, UnknownState::kKeepAsIs);
    info.add({vm.id, vm.name, vm.flavor, vm.image, vm.instance_type, vm.availability_zone,
              vm.private_ip},
             1);
    if (vm.created) created.add({vm.id}, *vm.created);
  }
}

}  // namespace fue::kakaocloud_bcs
