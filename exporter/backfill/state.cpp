#include "exporter/backfill/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fue::backfill {
namespace {

constexpr const char* kMagic = "fleet-usage-exporter backfill state 1";

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

void append_synced(const std::string& path, const std::string& data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error("cannot open", path);
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const auto e = io_error("cannot write", path);
      ::close(fd);
      throw e;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const auto e = io_error("cannot sync", path);
    ::close(fd);
    throw e;
  }
  ::close(fd);
}

StateFile::StateFile(std::string path, std::string run) : path_(std::move(path)) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    append(std::string(kMagic) + "\nrun " + run + "\n");
    return;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  // A line without its newline was being written when the run stopped: it never happened.
  const size_t keep = text.rfind('\n');
  text.resize(keep == std::string::npos ? 0 : keep + 1);
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line) || line != kMagic)
    throw std::runtime_error(path_ + " is not a backfill state file");
  if (!std::getline(lines, line) || line != "run " + run) {
    throw std::runtime_error("state file " + path_ + " records another run (" +
                             (line.size() > 4 ? line.substr(4) : line) +
                             "); use the same flags to resume, or remove it to start over");
  }
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string kind, unit;
    uint64_t offset = 0;
    fields >> kind >> offset;
    if (!fields) throw std::runtime_error(path_ + ": unreadable line \"" + line + "\"");
    std::getline(fields >> std::ws, unit);
    if (kind == "done" && !unit.empty()) {
      done_.insert(unit);
      offset_ = offset;
    } else if (kind == "complete") {
      complete_ = true;
      offset_ = offset;
    } else {
      throw std::runtime_error(path_ + ": unreadable line \"" + line + "\"");
    }
  }
  resumed_ = true;
  // Rewrite without a torn tail, so that the next append starts on a line of its own.
  std::ofstream out(path_, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw io_error("cannot write", path_);
}

void StateFile::append(const std::string& line) { append_synced(path_, line); }

void StateFile::record(const std::string& unit, uint64_t output_offset) {
  append("done " + std::to_string(output_offset) + " " + unit + "\n");
  done_.insert(unit);
  offset_ = output_offset;
}

void StateFile::record_complete(uint64_t output_offset) {
  append("complete " + std::to_string(output_offset) + "\n");
  complete_ = true;
  offset_ = output_offset;
}

}  // namespace fue::backfill
