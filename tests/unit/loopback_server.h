#pragma once

// A throwaway httplib server on a free loopback port for the HTTP layer's tests.
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>

namespace fue::test {

template <class ServerT = httplib::Server>
class Loopback {
 public:
  template <class... Args>
  explicit Loopback(Args&&... args) : server_(std::forward<Args>(args)...) {}
  ~Loopback() { stop(); }

  ServerT& server() { return server_; }
  // Binds, serves in a background thread and waits until it accepts connections.
  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_);
  }

 private:
  ServerT server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace fue::test
