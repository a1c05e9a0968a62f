#pragma once
// Raw HTTP/1.1 over loopback TCP, for tests that send what no well-behaved client would:
// half-sent heads, pipelined requests, bodies on a GET.
#include <chrono>
#include <string>

namespace fue::test {

// A connected raw TCP socket to 127.0.0.1:port, or -1.
int connect_raw(int port);
bool send_all(int fd, const std::string& data);
// Reads until the response headers are complete, the peer closes, or `timeout` passes.
std::string read_head(int fd, std::chrono::milliseconds timeout);
// Reads until the peer closes or `timeout` passes; `closed` says which.
std::string read_until_closed(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr);
// Sends a raw request and returns the status code of the answer (0: none).
int raw_status(int port, const std::string& request);
// True when the server has closed `fd` (EOF or reset is readable), false while it is open.
bool closed_by_peer(int fd, int wait_ms);

}  // namespace fue::test
