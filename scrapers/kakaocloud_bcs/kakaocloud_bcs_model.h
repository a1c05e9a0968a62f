#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fue::kakaocloud_bcs {

// The fields of one BCS instance the metrics use. Text fields are "" when absent or null;
// states are lower-cased as they come (the wire casing is UNCONFIRMED).
struct Vm {
  std::string id;
  std::string name;
  std::string flavor;
  std::string image;
  std::string instance_type;
  std::string availability_zone;
  std::string private_ip;  // of the first network interface that has one
  std::string vm_state;
  std::string status;
  std::optional<bool> is_hadoop;
  std::optional<bool> is_k8se;
  std::optional<double> created;  // Unix seconds

  bool operator==(const Vm&) const = default;  // the tests compare the two readers
};

// One answer of GET /api/v1/instances.
struct Page {
  std::vector<Vm> vms;
  std::optional<int64_t> total;  // pagination.total; absent when the server sent none
  std::optional<int64_t> limit;  // pagination.limit: the page size the server used
  size_t rows = 0;               // rows in the body, including any that were unusable

  bool operator==(const Page&) const = default;  // the tests compare the two readers
};

}  // namespace fue::kakaocloud_bcs
