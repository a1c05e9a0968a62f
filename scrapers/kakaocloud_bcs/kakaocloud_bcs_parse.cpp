#include "scrapers/kakaocloud_bcs/kakaocloud_bcs_parse.h"

#include <algorithm>
#include <cctype>

#include "exporter/core/errors.h"
#include "exporter/http/json_util.h"

namespace fue::kakaocloud_bcs {

namespace {

using Json = nlohmann::json;

// Almost every field is nullable; an unusable kind reads as absent so one odd VM never blanks
// the fleet.
std::string text(const Json& obj, const char* key) {
  try {
    return json::opt_string(obj, key).value_or("");
  } catch (const SchemaError&) {
    return {};
  }
}

std::optional<bool> flag(const Json& obj, const char* key) {
  try {
    return json::opt_bool(obj, key);
  } catch (const SchemaError&) {
    return std::nullopt;
  }
}

std::string nested_name(const Json& vm, const char* key) {
  const Json* obj = json::find(vm, key);
  return obj && obj->is_object() ? text(*obj, "name") : "";
}

std::string first_private_ip(const Json& vm) {
  const Json* addresses = json::find(vm, "addresses");
  if (!addresses || !addresses->is_array()) return {};
  for (const Json& a : *addresses) {
    if (!a.is_object()) continue;
    std::string ip = text(a, "private_ip");
    if (!ip.empty()) return ip;
  }
  return {};
}

Vm parse_vm(const Json& row) {
  Vm vm;
  vm.id = text(row, "id");
  vm.name = text(row, "name");
  vm.flavor = nested_name(row, "flavor");
  vm.image = nested_name(row, "image");
  vm.instance_type = text(row, "instance_type");
  vm.availability_zone = text(row, "availability_zone");
  vm.private_ip = first_private_ip(row);
  vm.vm_state = text(row, "vm_state");
  vm.status = text(row, "status");
  vm.is_hadoop = flag(row, "is_hadoop");
  vm.is_k8se = flag(row, "is_k8se");
  detail::normalise(vm, text(row, "created_at"));
  return vm;
}

}  // namespace

namespace detail {

void normalise(Vm& vm, const std::string& created_at) {
  for (std::string* s : {&vm.instance_type, &vm.vm_state, &vm.status})
    std::transform(s->begin(), s->end(), s->begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!created_at.empty()) vm.created = timeutil::parse_rfc3339(created_at);
}

}  // namespace detail

Page parse_page_dom(const Json& body) {
  json::require_object(body, "instance list response");
  Page page;
  const Json& pagination = json::object_or_empty(body, "pagination");
  page.total = json::opt_int(pagination, "total");
  page.limit = json::opt_int(pagination, "limit");
  const Json& rows = json::array_or_empty(body, "instances");
  page.rows = rows.size();
  page.vms.reserve(rows.size());
  for (const Json& row : rows)
    if (row.is_object()) page.vms.push_back(parse_vm(row));
  return page;
}

}  // namespace fue::kakaocloud_bcs
