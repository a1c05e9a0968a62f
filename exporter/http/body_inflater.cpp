#include "exporter/http/body_inflater.h"

#include <isa-l/igzip_lib.h>

#include <stdexcept>

namespace fue::http {

BodyInflater::BodyInflater(Wrapper wrapper) : state_(std::make_unique<inflate_state>()) {
  isal_inflate_init(state_.get());
  state_->crc_flag = wrapper == Wrapper::kGzip ? ISAL_GZIP : ISAL_ZLIB;
}

BodyInflater::~BodyInflater() = default;

bool BodyInflater::finished() const { return state_->block_state == ISAL_BLOCK_FINISH; }

bool BodyInflater::feed(std::string_view data, std::string& out, size_t limit) {
  inflate_state& s = *state_;
  s.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uint32_t>(data.size());
  // Inflated through a fixed buffer and appended: growing `out` with resize() would zero-fill
  // every byte first, which cost as much as the inflating.
  uint8_t buffer[64 * 1024];
  while (!finished()) {
    s.next_out = buffer;
    s.avail_out = sizeof buffer;
    const uint32_t in_before = s.avail_in;
    const int rc = isal_inflate(&s);
    const size_t produced = sizeof buffer - s.avail_out;
    if (rc < 0 || rc == ISAL_NEED_DICT)
      throw std::runtime_error("corrupt compressed body (igzip error " + std::to_string(rc) + ")");
    if (out.size() + produced > limit) return false;
    out.append(reinterpret_cast<const char*>(buffer), produced);
    if (s.avail_out > 0 && s.avail_in == 0) break;  // everything taken: the rest needs more input
    if (produced == 0 && s.avail_in == in_before)
      throw std::runtime_error("corrupt compressed body (igzip made no progress)");
  }
  return true;
}

std::unique_ptr<BodyInflater> inflater_for(std::string_view encoding) {
  if (encoding.empty() || encoding == "identity") return nullptr;
  if (encoding == "gzip" || encoding == "x-gzip")
    return std::make_unique<BodyInflater>(BodyInflater::Wrapper::kGzip);
  if (encoding == "deflate") return std::make_unique<BodyInflater>(BodyInflater::Wrapper::kZlib);
  throw std::runtime_error("unsupported Content-Encoding \"" + std::string(encoding) + "\"");
}

}  // namespace fue::http
