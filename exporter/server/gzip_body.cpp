#include "exporter/server/gzip_body.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <stdexcept>
#include <vector>

namespace fue {
namespace {

constexpr int kLevel = 1;

// Compresses `text` after out's current end; `final` ends the stream, otherwise a sync flush.
void deflate_into(std::string_view text, bool final, std::string& out) {
  std::vector<uint8_t> level_buf(ISAL_DEF_LVL1_DEFAULT);
  isal_zstream s;
  isal_deflate_init(&s);
  s.level = kLevel;
  s.level_buf = level_buf.data();
  s.level_buf_size = static_cast<uint32_t>(level_buf.size());
  s.gzip_flag = IGZIP_DEFLATE;
  s.flush = final ? NO_FLUSH : SYNC_FLUSH;
  s.end_of_stream = final ? 1 : 0;
  // isal_deflate_init() leaves the caller's fields as they were: set every one.
  s.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(text.data()));
  s.avail_in = 0;
  // avail_in is 32 bits: a larger text goes in 1 GiB pieces.
  size_t rest = text.size();
  size_t used = out.size();
  for (;;) {
    if (s.avail_in == 0 && rest > 0) {
      const size_t piece = std::min<size_t>(rest, size_t{1} << 30);
      s.avail_in = static_cast<uint32_t>(piece);
      rest -= piece;
      s.end_of_stream = final && rest == 0 ? 1 : 0;
    }
    // An exposition compresses about tenfold: room for an eighth, grown when it runs out.
    if (out.size() - used < 4096) out.resize(used + std::max<size_t>(64 * 1024, text.size() / 8));
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    s.avail_out = static_cast<uint32_t>(std::min<size_t>(out.size() - used, UINT32_MAX));
    const uint32_t room = s.avail_out;
    if (isal_deflate(&s) != COMP_OK) throw std::runtime_error("gzip: isal_deflate failed");
    used += room - s.avail_out;
    const bool done = final ? s.internal_state.state == ZSTATE_END
                            : s.avail_in == 0 && rest == 0 && s.avail_out > 0;
    if (done) break;
  }
  out.resize(used);
}

void put_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t crc_of(uint32_t crc, std::string_view text) {
  return crc32_gzip_refl(crc, reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

}  // namespace

DeflatePrefix deflate_prefix(std::string_view text) {
  DeflatePrefix p;
  deflate_into(text, false, p.deflate);
  p.deflate.shrink_to_fit();  // kept while the collection is cached: no slack
  p.crc = crc_of(0, text);
  p.size = text.size();
  return p;
}

std::string gzip_header() {
  // ID1 ID2, CM = deflate, no flags, no mtime, XFL 0, OS = Unix.
  return std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10);
}

void write_gzip_end(const DeflatePrefix& prefix, std::string_view tail, std::string& out) {
  deflate_into(tail, true, out);
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
