#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fue::koophone {

// The fields of one cloud phone the metrics use. Status codes are -1 when absent or not an
// integer, which the metrics report as "unknown".
struct Phone {
  std::string instance_id;
  std::string instance_name;
  std::string region;
  std::string sku;
  std::string project_id;
  std::string project_name;
  int running_status = -1;
  int frozen_status = -1;
  int login_status = -1;
  int assign_status = -1;
  int backup_status = -1;
  int restore_status = -1;
  std::optional<double> backup_time;   // Unix seconds
  std::optional<double> restore_time;  // Unix seconds

  bool operator==(const Phone&) const = default;  // the tests compare the two readers
};

// One answer of GET /v1/instances/batch-query.
struct Page {
  std::vector<Phone> phones;
  std::optional<int64_t> total_count;
  std::optional<int64_t> page_size;  // as echoed; authoritative for the page count
  std::optional<int64_t> page_no;
  std::vector<std::string> conflicts;  // fields whose data.* and top-level values differ

  bool operator==(const Page&) const = default;  // the tests compare the two readers
};

}  // namespace fue::koophone
