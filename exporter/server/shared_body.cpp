#include "exporter/server/shared_body.h"

#include <optional>

namespace fue {
namespace {

// One worker serves one request at a time: the body it deferred waits here until it is sent.
thread_local std::optional<SharedBody> t_deferred;

bool write_all(httplib::Stream& stream, std::string_view bytes) {
  return bytes.empty() ||
         stream.write(bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
}

}  // namespace

bool SharedBody::write_to(httplib::Stream& stream) const {
  return write_all(stream, head) && write_all(stream, shared) && write_all(stream, tail);
}

void defer_body(const httplib::Request& req, httplib::Response& res, SharedBody body,
                const char* content_type) {
  // Set, not left to cpp-httplib: a Range header would make it answer 206 for a whole body.
  res.status = 200;
  res.set_header("Content-Type", content_type);
  res.set_header("Content-Length", std::to_string(body.size()));
  res.set_header("Accept-Ranges", "none");  // a Range header gets the whole body
  if (req.method == "HEAD") return t_deferred.reset();
  t_deferred = std::move(body);
}

bool send_deferred_body(httplib::Stream& stream) {
  if (!t_deferred) return true;
  const SharedBody body = std::move(*t_deferred);
  t_deferred.reset();
  return body.write_to(stream);
}

}  // namespace fue
