// The listing page read with simdjson: the same fields and rules as parse_page_dom, without
// building the 40-odd fields of each VM that the metrics never read.
#include "exporter/core/errors.h"
#include "exporter/http/json_simd.h"
#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_parse.h"

namespace fue::kakaocloud_bcs {

namespace {

namespace simd = json::simd;

// Almost every field is nullable; an unusable kind reads as absent so one odd VM never blanks
// the fleet.
std::string text(const simd::Slot& slot, const char* key) {
  try {
    return simd::opt_string(slot, key).value_or("");
  } catch (const SchemaError&) {
    return {};
  }
}

std::optional<bool> flag(const simd::Slot& slot, const char* key) {
  try {
    return simd::opt_bool(slot, key);
  } catch (const SchemaError&) {
    return std::nullopt;
  }
}

std::string nested_name(const simd::Slot& slot) {
  if (!slot || !slot->is_object()) return {};
  return text(simd::pick<1>(simd::Object(*slot), {"name"})[0], "name");
}

std::string first_private_ip(const simd::Slot& slot) {
  if (!slot || !slot->is_array()) return {};
  for (simd::Element a : simdjson::dom::array(*slot)) {
    if (!a.is_object()) continue;
    std::string ip = text(simd::pick<1>(simd::Object(a), {"private_ip"})[0], "private_ip");
    if (!ip.empty()) return ip;
  }
  return {};
}

enum Field {
  kId,
  kName,
  kFlavor,
  kImage,
  kType,
  kZone,
  kAddresses,
  kVmState,
  kStatus,
  kHadoop,
  kK8se,
  kCreated,
  kFields
};
constexpr std::array<std::string_view, kFields> kVmKeys = {
    "id",        "name",     "flavor", "image",     "instance_type", "availability_zone",
    "addresses", "vm_state", "status", "is_hadoop", "is_k8se",       "created_at"};

Vm read_vm(simd::Object row) {
  const auto f = simd::pick(row, kVmKeys);
  Vm vm;
  vm.id = text(f[kId], "id");
  vm.name = text(f[kName], "name");
  vm.flavor = nested_name(f[kFlavor]);
  vm.image = nested_name(f[kImage]);
  vm.instance_type = text(f[kType], "instance_type");
  vm.availability_zone = text(f[kZone], "availability_zone");
  vm.private_ip = first_private_ip(f[kAddresses]);
  vm.vm_state = text(f[kVmState], "vm_state");
  vm.status = text(f[kStatus], "status");
  vm.is_hadoop = flag(f[kHadoop], "is_hadoop");
  vm.is_k8se = flag(f[kK8se], "is_k8se");
  detail::normalise(vm, text(f[kCreated], "created_at"));
  return vm;
}

Page read_page(simd::Element root) {
  const auto top = simd::pick<2>(simd::require_object(root, "instance list response"),
                                 {"pagination", "instances"});
  Page page;
  if (auto pagination = simd::opt_object(top[0], "pagination")) {
    const auto p = simd::pick<2>(*pagination, {"total", "limit"});
    page.total = simd::opt_int(p[0], "total");
    page.limit = simd::opt_int(p[1], "limit");
  }
  if (auto rows = simd::opt_array(top[1], "instances")) {
    page.vms.reserve(rows->size());  // size() saturates at 2^24 - 1: rows are counted below
    for (simd::Element row : *rows) {
      ++page.rows;
      if (row.is_object()) page.vms.push_back(read_vm(simd::Object(row)));
    }
  }
  return page;
}

}  // namespace

Page parse_page(const std::string& body) {
  return simd::read_page(body, read_page, parse_page_dom);
}

}  // namespace fue::kakaocloud_bcs
