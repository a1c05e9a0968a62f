#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace fue::backfill {

// The record of one backfill run that makes it resumable: after each range is written to the
// pieces file (and synced), one line "done <pieces bytes> <unit>" is appended (and synced). A
// rerun cuts the pieces file back to the last recorded size, which drops a range written
// half-way, and skips the units already done, so every day ends up in the output exactly once.
// "complete" records the size of the final output, assembled from the pieces.
//
//   fleet-usage-exporter backfill state 1
//   run <what the run is: dates, output, targets>
//   done 18234 losant/prod 2026-01-01
//   complete 40211
class StateFile {
 public:
  // Reads `path` if it exists (a torn last line is dropped), else starts it. Throws
  // std::runtime_error when the file records a different run or is not a state file.
  StateFile(std::string path, std::string run);

  bool resumed() const { return resumed_; }
  bool done(const std::string& unit) const { return done_.count(unit) > 0; }
  size_t done_count() const { return done_.size(); }
  bool complete() const { return complete_; }
  // Bytes of the output that hold finished units (and the final "# EOF" once complete).
  uint64_t output_offset() const { return offset_; }

  void record(const std::string& unit, uint64_t output_offset);
  void record_complete(uint64_t output_offset);
  const std::string& path() const { return path_; }

 private:
  void append(const std::string& line);

  std::string path_;
  std::set<std::string> done_;
  uint64_t offset_ = 0;
  bool resumed_ = false;
  bool complete_ = false;
};

// Writes `data` at the end of the file and syncs it to disk; throws std::runtime_error.
void append_synced(const std::string& path, const std::string& data);

}  // namespace fue::backfill
