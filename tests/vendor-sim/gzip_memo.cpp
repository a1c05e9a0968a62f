#include "tests/vendor-sim/gzip_memo.h"

#include <zlib.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sim {

namespace {

constexpr size_t kMinBytes = 16 * 1024;  // smaller bodies: httplib compresses them as before
constexpr size_t kMaxMemo = 256u << 20;  // then the memo starts over

struct Memo {
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> bodies;  // body -> gzip
  size_t bytes = 0;

  std::shared_ptr<const std::string> get(const std::string& body) {
    {
      std::lock_guard lock(mu);
      if (auto it = bodies.find(body); it != bodies.end()) return it->second;
    }
    auto compressed = std::make_shared<const std::string>(zlib_compress(body));
    std::lock_guard lock(mu);
    if (bytes + body.size() > kMaxMemo) {
      bodies.clear();
      bytes = 0;
    }
    if (bodies.emplace(body, compressed).second) bytes += body.size() + compressed->size();
    return compressed;
  }
};

}  // namespace

std::string zlib_compress(std::string_view in, bool gzip_wrapper) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_wrapper ? 15 + 16 : 15, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void serve_compressed_from_memo(const httplib::Request& req, httplib::Response& res) {
  // httplib sets 200 only after the handler: -1 here means 200.
  if ((res.status != 200 && res.status != -1) || res.body.size() < kMinBytes ||
      res.has_header("Content-Encoding"))
    return;
  if (req.get_header_value("Accept-Encoding").find("gzip") == std::string::npos) return;
  static Memo memo;
  auto compressed = memo.get(res.body);
  const std::string type = res.get_header_value("Content-Type");
  res.body.clear();
  res.set_header("Content-Encoding", "gzip");
  // A provider with a Content-Length is sent as it is: httplib compresses only plain bodies.
  res.set_content_provider(compressed->size(), type,
                           [compressed](size_t offset, size_t length, httplib::DataSink& sink) {
                             return sink.write(compressed->data() + offset, length);
                           });
}

}  // namespace sim
