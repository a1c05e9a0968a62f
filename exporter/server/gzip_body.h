#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fue {

// Text compressed once as the start of gzip bodies (RFC 1951/1952): a raw deflate segment that
// ends on a byte boundary with no final block (a sync flush), so a body can go on with a tail
// compressed per response. The cached exposition of a collection is such a prefix; each scrape
// adds its own self-metrics as the tail and still sends one ordinary gzip member, which every
// reader decodes (curl stops after the first member of a multi-member body).
struct DeflatePrefix {
  std::string deflate;  // raw deflate, not final
  uint32_t crc = 0;     // CRC-32 of the uncompressed text, as gzip's trailer needs it
  uint64_t size = 0;    // bytes of uncompressed text
};

// Compresses text handed over in pieces into one DeflatePrefix, so a large exposition is
// compressed while each piece is still in the CPU's cache and is never held whole.
class PrefixDeflater {
 public:
  explicit PrefixDeflater(size_t expected_bytes);  // reserved for the compressed bytes
  ~PrefixDeflater();
  PrefixDeflater(const PrefixDeflater&) = delete;
  PrefixDeflater& operator=(const PrefixDeflater&) = delete;

  void add(std::string_view text);
  DeflatePrefix finish();  // ends with a sync flush: more may follow it

 private:
  struct Stream;  // ISA-L's state and its level buffer
  void run(std::string_view text, int flush);

  std::unique_ptr<Stream> z_;
  DeflatePrefix out_;
  size_t used_ = 0;  // bytes of out_.deflate written; the rest is room
};

// Compresses `text` with ISA-L's igzip at level 1: about 15 times zlib's default speed on an
// exposition, for about 1 % more bytes (docs/benchmarks.md).
DeflatePrefix deflate_prefix(std::string_view text);

// Writes one gzip member to `out` (replacing its content): header, `prefix`, `tail` compressed
// as the final segment, then the CRC-32 and size of prefix and tail together.
void write_gzip(const DeflatePrefix& prefix, std::string_view tail, std::string& out);
// The same member in the pieces a response sends without copying the prefix: the header, then
// (after the prefix) the end, which is `tail` compressed plus the trailer.
std::string gzip_header();
void write_gzip_end(const DeflatePrefix& prefix, std::string_view tail, std::string& out);

}  // namespace fue
