// Response bodies inflate with ISA-L as they arrive (exporter/http/body_inflater.h): any piece
// sizes, both wrappers, the size cap, and corrupt or cut-short streams.
#include "exporter/http/body_inflater.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "tests/vendor-sim/gzip_memo.h"

namespace fue::http {
namespace {

std::string compress(const std::string& text, bool gzip) { return sim::zlib_compress(text, gzip); }

// A JSON-like body of about `bytes`, compressible like a listing page but not trivially.
std::string page(size_t bytes) {
  std::mt19937 rng(7);
  std::string s = "{\"instances\": [";
  while (s.size() < bytes)
    s += "{\"id\": \"vm-" + std::to_string(rng()) + "\", \"vm_state\": \"active\"},";
  s += "{}]}";
  return s;
}

std::string inflate(const std::string& body, const char* encoding, size_t piece,
                    size_t limit = 1 << 30, bool* within = nullptr, bool* finished = nullptr) {
  auto inflater = inflater_for(encoding);
  std::string out;
  bool ok = true;
  for (size_t i = 0; i < body.size() && ok; i += piece)
    ok = inflater->feed(std::string_view(body).substr(i, piece), out, limit);
  if (within) *within = ok;
  if (finished) *finished = inflater->finished();
  return out;
}

TEST(BodyInflater, GzipAndDeflateInflateWhateverThePieceSizes) {
  const std::string text = page(3 << 20);
  for (size_t piece : {size_t{1} << 20, size_t{16384}, size_t{4096}, size_t{7}}) {
    SCOPED_TRACE(piece);
    bool finished = false;
    EXPECT_EQ(inflate(compress(text, true), "gzip", piece, 1 << 30, nullptr, &finished), text);
    EXPECT_TRUE(finished);
    EXPECT_EQ(inflate(compress(text, false), "deflate", piece), text);
  }
  EXPECT_EQ(inflate(compress("", true), "x-gzip", 3), "");
}

TEST(BodyInflater, StopsAtTheSizeCapSoABombCostsNoMore) {
  const std::string bomb = compress(std::string(64 << 20, '0'), true);  // 64 MiB in ~64 KiB
  bool within = true;
  const std::string out = inflate(bomb, "gzip", 16384, 1 << 20, &within);
  EXPECT_FALSE(within);
  EXPECT_LE(out.size(), size_t{1} << 20);
  const std::string text = page(100000);
  EXPECT_EQ(inflate(compress(text, true), "gzip", 4096, text.size(), &within), text)
      << "exactly at the cap is within it";
  EXPECT_TRUE(within);
}

TEST(BodyInflater, CorruptOrCutShortStreamsAreNoticed) {
  const std::string gz = compress(page(200000), true);
  std::string flipped = gz;
  flipped[gz.size() - 6] ^= 0x55;  // inside the CRC-32 of the trailer
  EXPECT_THROW(inflate(flipped, "gzip", 4096), std::runtime_error);
  std::string garbage(4096, 'x');
  EXPECT_THROW(inflate(garbage, "gzip", 512), std::runtime_error);
  bool finished = true;
  inflate(gz.substr(0, gz.size() / 2), "gzip", 4096, 1 << 30, nullptr, &finished);
  EXPECT_FALSE(finished) << "a cut-short body must not pass for a whole one";
}

TEST(BodyInflater, IdentityNeedsNoneAndUnaskedEncodingsAreRefused) {
  EXPECT_EQ(inflater_for(""), nullptr);
  EXPECT_EQ(inflater_for("identity"), nullptr);
  EXPECT_THROW(inflater_for("br"), std::runtime_error);
  EXPECT_THROW(inflater_for("zstd"), std::runtime_error);
}

}  // namespace
}  // namespace fue::http
