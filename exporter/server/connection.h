#pragma once

#include <httplib.h>

#include <chrono>
#include <string>

struct ssl_st;

namespace fue {

// One accepted client connection: its socket (non-blocking), its TLS session if any, and the
// bytes read from it that no request has consumed yet (a pipelined request stays here).
struct Connection {
  using Clock = std::chrono::steady_clock;
  Connection(int fd, ssl_st* ssl);
  ~Connection();  // closes the socket (and frees the TLS session)
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Reads what the socket has now into `buffer`, at most up to `limit` buffered bytes.
  // Returns false at EOF or on an error; true when it would block (nothing more now).
  bool read_available(size_t limit);
  // The buffered bytes start with a whole request head ("...\r\n\r\n").
  bool has_request_head() const;
  size_t buffered() const { return buffer.size() - consumed; }
  void compact();

  int fd;
  ssl_st* ssl;
  bool handshaken;
  bool wants_write = false;  // the TLS handshake waits for the socket to be writable
  std::string buffer;
  size_t consumed = 0;
  int requests = 0;
  bool idle = false;      // between requests of a keep-alive connection
  bool draining = false;  // answered and shut for writing: what the client still sends is dropped
  Clock::time_point deadline;
  std::string remote_ip, local_ip;
  int remote_port = 0, local_port = 0;
};

// cpp-httplib's view of a Connection while a worker processes its requests: reads come from the
// buffer first, then the socket; every wait is bounded by the read or write timeout.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(Connection& c, std::chrono::milliseconds read_timeout,
                   std::chrono::milliseconds write_timeout)
      : c_(c), read_timeout_(read_timeout), write_timeout_(write_timeout) {}
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return c_.fd; }

 private:
  Connection& c_;
  std::chrono::milliseconds read_timeout_, write_timeout_;
};

}  // namespace fue
