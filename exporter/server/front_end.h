#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "exporter/server/connection.h"

struct ssl_ctx_st;

namespace fue {

// What sits in front of cpp-httplib: one epoll thread accepts connections, finishes their TLS
// handshakes and waits until each has sent a whole request head, under one total deadline; only
// then does a worker run the request. cpp-httplib gives each connection a thread while it reads
// and applies its read timeout to each silence, so 2,000 clients that drip a byte every few
// seconds held every thread and starved Prometheus. Here slow, idle and keep-alive clients cost a
// buffer, not a thread.
class FrontEnd {
 public:
  struct Options {
    std::chrono::milliseconds header_timeout{10000};  // a whole request head must arrive in it
    std::chrono::milliseconds idle_timeout{5000};     // keep-alive silence between requests
    std::chrono::milliseconds read_timeout{5000};     // one silence while a body is read
    std::chrono::milliseconds write_timeout{10000};
    size_t max_head_bytes = 64 * 1024;  // a longer head gets 431 and is closed
    size_t max_connections = 8192;      // open at once; more are closed on accept
    size_t max_workers = 64;            // requests processed at once; started on demand
    size_t keep_alive_max_requests = 100;
  };
  // The TLS context for a new connection, or nullptr for plain HTTP; asked at every accept, so a
  // reloaded web config applies to the next connection.
  using TlsContext = std::function<std::shared_ptr<ssl_ctx_st>()>;
  // Processes one request from `stream`; `last` asks for Connection: close. Returns whether the
  // connection may serve another request.
  using Serve = std::function<bool(httplib::Stream& stream, bool last)>;

  FrontEnd(Options options, TlsContext tls, Serve serve);
  ~FrontEnd();
  FrontEnd(const FrontEnd&) = delete;
  FrontEnd& operator=(const FrontEnd&) = delete;

  void add_listener(int fd);  // takes ownership of a listening, non-blocking socket
  void run();                 // serves until stop(); blocks
  void stop();
  bool running() const { return running_; }
  size_t worker_threads() const;

 private:
  void accept_all(int listener);
  void advance(int fd);  // reads what a waiting connection sent; hands a complete head over
  void sweep();          // closes connections past their deadline
  void watch(std::unique_ptr<Connection> c, bool idle);
  void close_waiting(int fd, const char* response);
  void take_returned();
  void hand_over(std::unique_ptr<Connection> c);
  void work(std::unique_ptr<Connection> c);
  void give_back(std::unique_ptr<Connection> c);  // to the loop, from a worker
  void worker_loop();

  const Options options_;
  const TlsContext tls_;
  const Serve serve_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::vector<int> listeners_;
  std::unordered_map<int, std::unique_ptr<Connection>> waiting_;  // the loop thread's only
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_{0};

  // Workers and the connections they give back to the loop.
  mutable std::mutex mutex_;
  std::condition_variable work_ready_, workers_done_;
  std::deque<std::unique_ptr<Connection>> jobs_;
  std::vector<std::unique_ptr<Connection>> returned_;
  size_t workers_ = 0, idle_workers_ = 0;
};

}  // namespace fue
