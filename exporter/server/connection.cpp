#include "exporter/server/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fue {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  }
  ip = text;
}

// Waits until the socket is ready for `events`; false after `timeout`.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

// One read or write; >0 bytes, 0 at EOF, -1 on an error, -2 when it would block (want_write
// says which readiness a TLS session waits for).
ssize_t io_once(Connection& c, char* rbuf, const char* wbuf, size_t size, bool& want_write) {
  want_write = false;
  if (c.ssl) {
    const int n = rbuf ? SSL_read(c.ssl, rbuf, static_cast<int>(size))
                       : SSL_write(c.ssl, wbuf, static_cast<int>(size));
    if (n > 0) return n;
    switch (SSL_get_error(c.ssl, n)) {
      case SSL_ERROR_WANT_READ:
        return -2;
      case SSL_ERROR_WANT_WRITE:
        want_write = true;
        return -2;
      case SSL_ERROR_ZERO_RETURN:
        return 0;
      default:
        return -1;
    }
  }
  const ssize_t n = rbuf ? ::recv(c.fd, rbuf, size, 0) : ::send(c.fd, wbuf, size, MSG_NOSIGNAL);
  if (n >= 0) return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    want_write = !rbuf;
    return -2;
  }
  return -1;
}

}  // namespace

Connection::Connection(int fd_in, ssl_st* ssl_in) : fd(fd_in), ssl(ssl_in), handshaken(!ssl_in) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    address_of(addr, remote_ip, remote_port);
  len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    address_of(addr, local_ip, local_port);
}

Connection::~Connection() {
  if (ssl) {
    if (handshaken) SSL_shutdown(ssl);  // best effort: the socket is non-blocking
    SSL_free(ssl);
  }
  ::close(fd);
}

bool Connection::read_available(size_t limit) {
  char chunk[kReadChunk];
  while (buffered() < limit) {
    bool want_write = false;
    const ssize_t n = io_once(*this, chunk, nullptr, sizeof chunk, want_write);
    if (n == -2) return true;
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

bool Connection::has_request_head() const {
  size_t start = consumed;
  // RFC 9112 2.2: a server ignores empty lines before a request line.
  while (start + 1 < buffer.size() && buffer[start] == '\r' && buffer[start + 1] == '\n')
    start += 2;
  return buffer.find("\r\n\r\n", start) != std::string::npos;
}

void Connection::compact() {
  buffer.erase(0, consumed);
  consumed = 0;
}

bool ConnectionStream::is_readable() const {
  if (c_.buffered() > 0 || (c_.ssl && SSL_pending(c_.ssl) > 0)) return true;
  return wait_for(c_.fd, POLLIN, read_timeout_);
}

bool ConnectionStream::is_writable() const { return wait_for(c_.fd, POLLOUT, write_timeout_); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  // Refills the connection's buffer the way the event loop does, waiting while nothing comes.
  while (c_.buffered() == 0) {
    c_.compact();
    const bool open = c_.read_available(kReadChunk);
    if (c_.buffered() > 0) break;
    if (!open) return 0;
    if (!wait_for(c_.fd, POLLIN, read_timeout_)) return -1;
  }
  const size_t n = std::min(size, c_.buffered());
  std::memcpy(ptr, c_.buffer.data() + c_.consumed, n);
  c_.consumed += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    bool want_write = false;
    const ssize_t n = io_once(c_, nullptr, ptr + sent, size - sent, want_write);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n != -2) return -1;
    if (!wait_for(c_.fd, want_write ? POLLOUT : POLLIN, write_timeout_)) return -1;
  }
  return static_cast<ssize_t>(sent);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = c_.remote_ip;
  port = c_.remote_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = c_.local_ip;
  port = c_.local_port;
}

}  // namespace fue
