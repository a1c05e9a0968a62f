#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
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
};

// One answer of GET /v1/instances/batch-query.
struct Page {
  std::vector<Phone> phones;
  std::optional<int64_t> total_count;
  std::optional<int64_t> page_size;  // as echoed; authoritative for the page count
  std::optional<int64_t> page_no;
  std::vector<std::string> conflicts;  // fields whose data.* and top-level values differ
};

// Parses a 200 body in either documented shape: paging and error fields inside "data" (the
// field table) or at the top level (the vendor's example). data.<field> wins over <field>.
// A non-"0" error_code throws ScrapeError("vendor_error") naming the code and its meaning.
// backup_time / restore_time are read in the zone `utc_offset_seconds` east of UTC.
Page parse_page(const nlohmann::json& body, int utc_offset_seconds);

}  // namespace fue::koophone
