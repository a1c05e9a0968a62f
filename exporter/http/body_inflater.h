#pragma once

#include <memory>
#include <string>
#include <string_view>

struct inflate_state;

namespace fue::http {

// Inflates a gzip or zlib ("deflate") response body as it arrives, with ISA-L's igzip: several
// times zlib's speed, whose inflate and CRC-32 were a fifth of a collection's CPU. Checks the
// trailer's checksum; bytes after the end of the stream are ignored, as zlib does.
class BodyInflater {
 public:
  enum class Wrapper { kGzip, kZlib };
  explicit BodyInflater(Wrapper wrapper);
  ~BodyInflater();
  BodyInflater(const BodyInflater&) = delete;
  BodyInflater& operator=(const BodyInflater&) = delete;

  // Appends what `data` inflates to onto `out`. Returns false as soon as `out` would pass
  // `limit` bytes (a gzip bomb stops there). Throws std::runtime_error for corrupt data.
  bool feed(std::string_view data, std::string& out, size_t limit);
  // True once the whole stream, trailer included, has been read.
  bool finished() const;

 private:
  std::unique_ptr<inflate_state> state_;
};

// The wrapper for a Content-Encoding value, or nullptr for identity (absent, "identity").
// Throws std::runtime_error for an encoding we never ask for (br, zstd, ...).
std::unique_ptr<BodyInflater> inflater_for(std::string_view content_encoding);

}  // namespace fue::http
