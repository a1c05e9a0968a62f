#include "exporter/server/front_end.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "exporter/core/log.h"

namespace fue {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kWakeTag = ~0ull;
constexpr uint64_t kListenerTag = 1ull << 40;  // | index; connection events carry their fd
constexpr int kSweepMs = 200;
// Workers beyond this many exit after a minute without work, so a burst's threads go away.
constexpr size_t kKeptWorkers = 2;
constexpr auto kWorkerIdle = std::chrono::seconds(60);
// A closed connection's unread input is drained this long (at most kDrainBytes) before close(),
// so that a client still sending a refused body reads our answer instead of a reset.
constexpr auto kDrainFor = std::chrono::seconds(2);
constexpr size_t kDrainBytes = 1 << 20;

// Plain-HTTP answers for connections refused before any request was processed.
constexpr const char* kHeadTooLarge =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 32\r\nConnection: close\r\n\r\nrequest header fields too large\n";
constexpr const char* kHeadTimeout =
    "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 41\r\nConnection: close\r\n\r\nthe request header did not arrive in time\n";

void set_events(int ep, int fd, uint32_t events, int op) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = static_cast<uint64_t>(fd);
  ::epoll_ctl(ep, op, fd, &ev);
}

}  // namespace

FrontEnd::FrontEnd(Options options, TlsContext tls, Serve serve)
    : options_(options), tls_(std::move(tls)), serve_(std::move(serve)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error("cannot create the event loop");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

FrontEnd::~FrontEnd() {
  stop();
  {
    std::unique_lock lock(mutex_);
    work_ready_.notify_all();
    workers_done_.wait(lock, [this] { return workers_ == 0; });
    jobs_.clear();
    returned_.clear();
  }
  waiting_.clear();
  for (int fd : listeners_) ::close(fd);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void FrontEnd::add_listener(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenerTag | listeners_.size();
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  listeners_.push_back(fd);
}

size_t FrontEnd::worker_threads() const {
  std::lock_guard lock(mutex_);
  return workers_;
}

void FrontEnd::stop() {
  stopping_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void FrontEnd::run() {
  running_ = true;
  epoll_event events[256];
  auto next_sweep = Clock::now();
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events, 256, kSweepMs);
    for (int i = 0; i < n && !stopping_; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kWakeTag) {
        uint64_t count;
        while (::read(wake_fd_, &count, sizeof count) > 0) {
        }
        take_returned();
      } else if (tag & kListenerTag) {
        accept_all(listeners_[tag & ~kListenerTag]);
      } else {
        advance(static_cast<int>(tag));
      }
    }
    if (Clock::now() >= next_sweep) {
      sweep();
      next_sweep = Clock::now() + std::chrono::milliseconds(kSweepMs);
    }
  }
  waiting_.clear();
  open_ = 0;
  running_ = false;
}

void FrontEnd::accept_all(int listener) {
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE)
        log::warn("cannot accept a connection: out of file descriptors");
      return;  // EAGAIN: all accepted; other errors belong to that one connection
    }
    if (open_ >= options_.max_connections) {
      ::close(fd);
      continue;
    }
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    ssl_st* ssl = nullptr;
    if (const auto ctx = tls_ ? tls_() : nullptr) {
      ssl = SSL_new(ctx.get());  // holds its own reference to the context
      SSL_set_fd(ssl, fd);
      SSL_set_accept_state(ssl);
      SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    ++open_;
    watch(std::make_unique<Connection>(fd, ssl), false);
  }
}

void FrontEnd::watch(std::unique_ptr<Connection> c, bool idle) {
  c->idle = idle;
  c->deadline = c->draining
                    ? Clock::now() + kDrainFor
                    : Clock::now() + (idle ? options_.idle_timeout : options_.header_timeout);
  const int fd = c->fd;
  const bool pending = c->ssl && SSL_pending(c->ssl) > 0;
  set_events(epoll_fd_, fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_ADD);
  waiting_[fd] = std::move(c);
  // Bytes a TLS session decrypted already raise no readiness: look at them now.
  if (pending) advance(fd);
}

void FrontEnd::advance(int fd) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  Connection& c = *it->second;
  if (c.draining) {
    c.buffer.clear();
    c.consumed = 0;
    if (!c.read_available(kDrainBytes) || c.buffer.size() >= kDrainBytes) close_waiting(fd, "");
    return;
  }
  if (!c.handshaken) {
    const int rc = SSL_do_handshake(c.ssl);
    if (rc != 1) {
      const int err = SSL_get_error(c.ssl, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return close_waiting(fd, "");
      const bool want_write = err == SSL_ERROR_WANT_WRITE;
      if (want_write != c.wants_write)
        set_events(epoll_fd_, fd, (want_write ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP, EPOLL_CTL_MOD);
      c.wants_write = want_write;
      return;
    }
    c.handshaken = true;
    if (c.wants_write) set_events(epoll_fd_, fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    c.wants_write = false;
  }
  const size_t before = c.buffered();
  const bool open = c.read_available(options_.max_head_bytes);
  if (c.idle && c.buffered() > before) {  // the next request began: its head has a deadline
    c.idle = false;
    c.deadline = Clock::now() + options_.header_timeout;
  }
  if (c.has_request_head()) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    auto conn = std::move(it->second);
    waiting_.erase(it);
    return hand_over(std::move(conn));
  }
  if (!open) return close_waiting(fd, "");
  if (c.buffered() >= options_.max_head_bytes) close_waiting(fd, kHeadTooLarge);
}

void FrontEnd::close_waiting(int fd, const char* response) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  // A short plain-text refusal, best effort: the socket is non-blocking and is closed anyway.
  if (*response && !it->second->ssl) [[maybe_unused]]
    auto n = ::send(fd, response, std::strlen(response), MSG_NOSIGNAL);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  waiting_.erase(it);
  --open_;
}

void FrontEnd::sweep() {
  const auto now = Clock::now();
  std::vector<std::pair<int, bool>> expired;
  for (const auto& [fd, c] : waiting_)
    if (now >= c->deadline) expired.emplace_back(fd, c->idle || c->draining || c->buffered() == 0);
  for (const auto& [fd, quiet] : expired) close_waiting(fd, quiet ? "" : kHeadTimeout);
}

void FrontEnd::take_returned() {
  std::vector<std::unique_ptr<Connection>> back;
  {
    std::lock_guard lock(mutex_);
    back.swap(returned_);
  }
  for (auto& c : back) watch(std::move(c), true);
}

void FrontEnd::hand_over(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mutex_);
  jobs_.push_back(std::move(c));
  if (jobs_.size() > idle_workers_ && workers_ < options_.max_workers) {
    ++workers_;
    std::thread([this] { worker_loop(); }).detach();
  }
  work_ready_.notify_one();
}

void FrontEnd::worker_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_workers_;
    const bool woke =
        work_ready_.wait_for(lock, kWorkerIdle, [this] { return stopping_ || !jobs_.empty(); });
    --idle_workers_;
    if (jobs_.empty() && (stopping_ || (!woke && workers_ > kKeptWorkers))) break;
    if (jobs_.empty()) continue;
    auto c = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    work(std::move(c));
    lock.lock();
  }
  --workers_;
  workers_done_.notify_all();
}

void FrontEnd::work(std::unique_ptr<Connection> c) {
  for (;;) {
    ConnectionStream stream(*c, options_.read_timeout, options_.write_timeout);
    const bool last =
        stopping_ || static_cast<size_t>(c->requests + 1) >= options_.keep_alive_max_requests;
    const bool keep = serve_(stream, last);
    ++c->requests;
    if (!keep || last || stopping_) break;
    c->compact();
    if (c->has_request_head()) continue;  // a pipelined request: answer it in order
    return give_back(std::move(c));
  }
  if (c->ssl || stopping_) {
    c.reset();
    --open_;
    return;
  }
  // A lingering close, as Go's server does: the answer is complete once we shut our side.
  ::shutdown(c->fd, SHUT_WR);
  c->draining = true;
  give_back(std::move(c));
}

void FrontEnd::give_back(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(mutex_);
    returned_.push_back(std::move(c));
  }
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

}  // namespace fue
