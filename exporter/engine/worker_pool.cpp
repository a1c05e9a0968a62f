#include "exporter/engine/worker_pool.h"

#include <algorithm>

namespace fue {

WorkerPool::WorkerPool(int size) { resize(size); }

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void WorkerPool::resize(int size) {
  std::lock_guard lock(mutex_);
  wanted_ = std::max(1, size);
  while (running_ < wanted_) {
    ++running_;
    threads_.emplace_back([this] { work(); });
  }
  wake_.notify_all();  // lets surplus threads notice they should leave
}

int WorkerPool::size() const {
  std::lock_guard lock(mutex_);
  return wanted_;
}

void WorkerPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !jobs_.empty() || running_ > wanted_; });
    if (running_ > wanted_ && !stopping_) {
      --running_;
      return;
    }
    if (jobs_.empty()) {
      if (stopping_) return;
      continue;
    }
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // release captured state outside the lock
    lock.lock();
  }
}

}  // namespace fue
