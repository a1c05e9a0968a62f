#include "exporter/server/gzip_body.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <stdexcept>

#include "exporter/core/memory.h"

namespace fue {
namespace {

constexpr int kLevel = 1;

void put_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t crc_of(uint32_t crc, std::string_view text) {
  return crc32_gzip_refl(crc, reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

// Sets up raw deflate at kLevel with `level_buf` (ISA-L initialises what it needs of it).
void set_up(isal_zstream& s, uint8_t* level_buf, uint32_t level_buf_size) {
  isal_deflate_init(&s);
  // isal_deflate_init() leaves the caller's fields as they were: set every one.
  s.level = kLevel;
  s.level_buf = level_buf;
  s.level_buf_size = level_buf_size;
  s.gzip_flag = IGZIP_DEFLATE;
  s.end_of_stream = 0;
  s.avail_in = 0;
}

// Compresses `text` into `out` from `used` on (advanced); `final` ends the stream.
void deflate_run(isal_zstream& s, std::string_view text, int flush, bool final, std::string& out,
                 size_t& used) {
  s.flush = flush;
  s.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(text.data()));
  s.avail_in = 0;
  // avail_in is 32 bits: a larger text goes in 1 GiB pieces.
  size_t rest = text.size();
  for (;;) {
    if (s.avail_in == 0 && rest > 0) {
      const size_t piece = std::min<size_t>(rest, size_t{1} << 30);
      s.avail_in = static_cast<uint32_t>(piece);
      rest -= piece;
    }
    s.end_of_stream = final && rest == 0 ? 1 : 0;
    // An exposition compresses about tenfold: room for an eighth, grown when it runs out, by at
    // most 1 MiB at a time so that little room is ever touched and left unused.
    if (out.size() - used < 4096)
      out.resize(used + std::clamp<size_t>(text.size() / 8, 16 * 1024, 1024 * 1024));
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    s.avail_out = static_cast<uint32_t>(std::min<size_t>(out.size() - used, UINT32_MAX));
    const uint32_t room = s.avail_out;
    if (isal_deflate(&s) != COMP_OK) throw std::runtime_error("gzip: isal_deflate failed");
    used += room - s.avail_out;
    const bool done = final ? s.internal_state.state == ZSTATE_END
                            : s.avail_in == 0 && rest == 0 && s.avail_out > 0;
    if (done) break;
  }
}

}  // namespace

// Not zeroed when allocated: 360 KB that ISA-L sets up itself.
struct PrefixDeflater::Stream {
  isal_zstream s;
  uint8_t level_buf[ISAL_DEF_LVL1_DEFAULT];
};

PrefixDeflater::PrefixDeflater(size_t expected_bytes) : z_(new Stream) {
  set_up(z_->s, z_->level_buf, sizeof z_->level_buf);
  out_.deflate.reserve(expected_bytes);
  memory::advise_huge_pages(out_.deflate.data(), out_.deflate.capacity());  // fewer page faults
}

PrefixDeflater::~PrefixDeflater() = default;

void PrefixDeflater::run(std::string_view text, int flush) {
  deflate_run(z_->s, text, flush, false, out_.deflate, used_);
  out_.crc = crc_of(out_.crc, text);
  out_.size += text.size();
}

void PrefixDeflater::add(std::string_view text) { run(text, NO_FLUSH); }

DeflatePrefix PrefixDeflater::finish() {
  run({}, SYNC_FLUSH);
  // Kept while the collection is cached; its reserved room past the end was never touched, so it
  // holds no memory, and shrinking would copy it all.
  out_.deflate.resize(used_);
  return std::move(out_);
}

DeflatePrefix deflate_prefix(std::string_view text) {
  PrefixDeflater d(text.size() / 8);
  d.add(text);
  return d.finish();
}

std::string gzip_header() {
  // ID1 ID2, CM = deflate, no flags, no mtime, XFL 0, OS = Unix.
  return std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10);
}

void write_gzip_end(const DeflatePrefix& prefix, std::string_view tail, std::string& out) {
  // A tail is small and compressed per response: its stream lives on the worker's stack, whose
  // pages stay mapped, rather than in 360 KB faulted in afresh for every scrape.
  isal_zstream s;
  uint8_t level_buf[ISAL_DEF_LVL1_SMALL];
  set_up(s, level_buf, sizeof level_buf);
  size_t used = out.size();
  deflate_run(s, tail, NO_FLUSH, true, out, used);
  out.resize(used);
  put_le32(out, crc_of(prefix.crc, tail));
  put_le32(out, static_cast<uint32_t>(prefix.size + tail.size()));  // ISIZE: modulo 2^32
}

void write_gzip(const DeflatePrefix& prefix, std::string_view tail, std::string& out) {
  out = gzip_header();
  out.reserve(out.size() + prefix.deflate.size() + tail.size() / 4 + 1024);
  out += prefix.deflate;
  write_gzip_end(prefix, tail, out);
}

}  // namespace fue
