#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <string_view>

namespace fue {

// A response body sent from shared bytes: what this response alone adds (`head`, `tail`) around
// bytes many responses share (`shared`, kept alive by `owner`). The web server writes it after
// cpp-httplib has written the head, so a cached exposition is never copied into a response.
struct SharedBody {
  std::shared_ptr<const void> owner;
  std::string head;
  std::string_view shared;
  std::string tail;

  size_t size() const { return head.size() + shared.size() + tail.size(); }
  // Writes the three parts in order; false when the stream fails.
  bool write_to(httplib::Stream& stream) const;
};

// Hands `body` to the connection loop to send after the head cpp-httplib writes for `res`, which
// gets the status, the length and the content type (cpp-httplib sends an empty body's head as
// is). A HEAD request gets the same head and no body.
void defer_body(const httplib::Request& req, httplib::Response& res, SharedBody body,
                const char* content_type);
// Sends the body deferred while the last request was served, if any; false when writing fails.
bool send_deferred_body(httplib::Stream& stream);

}  // namespace fue
