#pragma once

// The synthetic fleet every exposition benchmark serialises, the same for this exporter's path,
// the naive prometheus-cpp path and Python's prometheus_client (tests/bench/exposition_python.py
// generates the identical label values; scripts/bench checks the outputs are the same size).
//
// One VM makes kSeriesPerVm series, laid out as the KakaoCloud BCS scraper does:
//   kakaocloud_bcs_instance_info{target,instance_id,name,flavor,image,instance_type,
//                                availability_zone,private_ip} 1
//   kakaocloud_bcs_instance_vm_state{target,instance_id,vm_state} 0|1   (one per state)
//   kakaocloud_bcs_instance_created_timestamp_seconds{target,instance_id} 1.7e9 + i
#include <array>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace fue::bench {

inline constexpr std::array<std::string_view, 6> kStates = {"active", "building", "stopped",
                                                            "paused", "error",    "deleted"};
inline constexpr std::array<std::string_view, 4> kFlavors = {"m2a.large", "m2a.xlarge",
                                                             "c2a.2xlarge", "r2a.4xlarge"};
inline constexpr std::array<std::string_view, 3> kZones = {"kr-central-2-a", "kr-central-2-b",
                                                           "kr-central-2-c"};
inline constexpr std::array<std::string_view, 3> kImages = {"Ubuntu 22.04", "Rocky Linux 9",
                                                            "Windows Server 2022"};
inline constexpr size_t kSeriesPerVm = 2 + kStates.size();

inline constexpr const char* kTarget = "prod";
inline constexpr const char* kInfoName = "kakaocloud_bcs_instance_info";
inline constexpr const char* kInfoHelp = "BCS instance identity; always 1.";
inline constexpr const char* kStateName = "kakaocloud_bcs_instance_vm_state";
inline constexpr const char* kStateHelp = "State code of one BCS instance (StateSet).";
inline constexpr const char* kCreatedName = "kakaocloud_bcs_instance_created_timestamp_seconds";
inline constexpr const char* kCreatedHelp = "Creation time of one BCS instance, Unix seconds.";

// One VM's label values, rewritten in place for each index (no allocation after the first).
struct Vm {
  std::string id, name, ip;
  std::string_view flavor, image, zone, instance_type, state;
  double created = 0;

  void fill(size_t i) {
    char buf[64];
    // A UUID-shaped id: 8-4-4-4-12 hex digits.
    const unsigned long long h = (i + 1) * 0x9E3779B97F4A7C15ull;
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-a%03llx-%012zx", h >> 32,
                  (h >> 16) & 0xffff, (h >> 4) & 0xfff, h & 0xfff, i);
    id.assign(buf);
    std::snprintf(buf, sizeof buf, "vm-prod-%07zu", i);
    name.assign(buf);
    std::snprintf(buf, sizeof buf, "10.%zu.%zu.%zu", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    ip.assign(buf);
    flavor = kFlavors[i % kFlavors.size()];
    image = kImages[i % kImages.size()];
    zone = kZones[i % kZones.size()];
    instance_type = i % 10 == 0 ? "gpu" : "vm";
    state = kStates[i % 7 == 0 ? 2 : 0];
    created = 1700000000.0 + static_cast<double>(i);
  }
};

inline size_t vms_for(size_t series) { return (series + kSeriesPerVm - 1) / kSeriesPerVm; }

}  // namespace fue::bench
